"""The partitioned month through Prefect on a real 2-worker Dask LocalCluster (processes): the
same files as the single-process run; a worker killed during a county's task costs one more
attempt of that county; a county failing twice stops the month with nothing published."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

if importlib.util.find_spec("prefect_dask") is None:
    pytest.skip("the dask extra is not installed", allow_module_level=True)

import dask
from distributed import Client, LocalCluster
from distributed.diagnostics.plugin import WorkerPlugin
from prefect.settings import PREFECT_API_URL

from flows.partitioned import COUNTY_ATTEMPTS, SCHEDULER_CONFIG, run_partitioned
from pipeline.core.errors import RunStopped
from pipeline.paths import Inbox, OutDir
from pipeline.progress import Progress
from pipeline.run import RunContext, run
from tests.support.builders import build_inbox
from tests.support.province import files_of, province_policy

pytestmark = pytest.mark.usefixtures("prefect_server")

MONTH = "2021-01"


@pytest.fixture(scope="module")
def cluster(prefect_server):
    """Two single-threaded worker processes; they report to the tests' Prefect server."""
    os.environ["PREFECT_API_URL"] = PREFECT_API_URL.value()
    try:
        with (
            dask.config.set(SCHEDULER_CONFIG),
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local,
            Client(local) as client,
        ):
            yield local, client
    finally:
        del os.environ["PREFECT_API_URL"]


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    """Two counties, two rostering townships each, and the single-process run's files."""
    root = tmp_path_factory.mktemp("province")
    policy = province_policy(root / "policy", counties=2, rostering=("001", "400"))
    build_inbox(root / "inbox", policy, month=MONTH, people=10)
    run(RunContext(MONTH, Inbox(root / "inbox"), OutDir(root / "single"), policy), Progress(quiet=True))
    return root, policy


def run_on(cluster, province, out: Path):
    (local, _), (root, policy) = cluster, province
    return run_partitioned(
        MONTH, address=local.scheduler_address, inbox=str(root / "inbox"), out=str(out), policy=str(policy.path)
    )


def county_attempts(state) -> dict[str, int]:
    return state.result()["county_attempts"]


def killing_county_tasks(marker: Path | None) -> WorkerPlugin:
    """Ends the worker process as a county task starts on it: once (when marker is given, the
    file records it), else every time."""

    class KillCountyTask(WorkerPlugin):
        def transition(self, key, start, finish, **kwargs):
            if finish == "executing" and str(key).startswith("county"):
                if marker is None or not marker.exists():
                    if marker is not None:
                        marker.touch()
                    os._exit(1)

    return KillCountyTask()


@pytest.fixture
def plugin(cluster):
    """Register a worker plugin for one test only."""
    _, client = cluster
    registered = []

    def register(plugin: WorkerPlugin) -> None:
        client.register_plugin(plugin, name="kill-county")
        registered.append("kill-county")

    yield register
    # the nanny restarts a killed worker; the next test's tasks wait for it (waiting here for both
    # workers timed out under load on this shared machine)
    for name in registered:
        client.unregister_worker_plugin(name)


def test_the_partitioned_flow_on_two_workers_writes_the_single_process_files(cluster, province, tmp_path):
    state = run_on(cluster, province, tmp_path / "out")
    assert state.is_completed(), state.message
    single, partitioned = files_of(province[0] / "single"), files_of(tmp_path / "out")
    assert sorted(partitioned) == sorted(single)
    assert [name for name in single if partitioned[name] != single[name]] == []
    assert county_attempts(state) == {"320281": 1, "320282": 1}


def test_a_worker_killed_during_a_county_task_costs_one_more_attempt(cluster, province, tmp_path, plugin):
    marker = tmp_path / "killed"
    plugin(killing_county_tasks(marker))
    state = run_on(cluster, province, tmp_path / "out")
    assert state.is_completed(), state.message
    assert marker.exists()
    assert sorted(county_attempts(state).values()) == [1, 2]  # the county on the killed worker, again
    single, partitioned = files_of(province[0] / "single"), files_of(tmp_path / "out")
    assert [name for name in single if partitioned.get(name) != single[name]] == []


def test_a_county_failing_twice_stops_the_month_with_nothing_published(cluster, province, tmp_path, plugin):
    plugin(killing_county_tasks(None))
    out = tmp_path / "out"
    state = run_on(cluster, province, out)
    assert state.is_failed()
    error = state.result(raise_on_failure=False)
    assert isinstance(error, RunStopped)
    assert f"failed {COUNTY_ATTEMPTS} times" in str(error) and "county 32028" in str(error)
    assert "nothing of 2021-01 was published" in str(error)
    left = sorted(p.name for p in out.iterdir()) if out.exists() else []
    assert MONTH not in left and not any(name.startswith(".staging") for name in left)
    assert not (out / "ledger" / f"run_month={MONTH}").exists()


def test_a_running_cluster_without_a_prefect_server_for_its_workers_is_refused(monkeypatch, capsys):
    from flows.local_dask import main

    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert main(["--month", MONTH]) == 2
    assert "PREFECT_API_URL must name it" in capsys.readouterr().err
