"""The real flows against one real (temporary) Prefect server: outputs, artifacts, approval,
deployment."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterState,
    FlowRunFilterStateType,
)
from prefect.client.schemas.objects import StateType
from prefect.flow_runs import resume_flow_run

from flows.monthly import monthly_payout
from pipeline.cli import main as payout

pytestmark = pytest.mark.usefixtures("prefect_server")

MONTH = "2021-01"
NOT_COMPARED = {"status.json", "audit.json", "approval.json", ".lock"}  # run records, not outputs
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


GENERATED_AT = re.compile("生成时间 generated: [^<]*".encode())  # report.html alone states when it was made


def files_of(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): GENERATED_AT.sub(b"", p.read_bytes()) if p.name == "report.html" else p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in NOT_COMPARED
    }


@pytest.fixture(scope="module")
def cli_out(tmp_path_factory, sample_inbox) -> Path:
    """`payout run --month 2021-01` on the sample, the reference the flow must equal."""
    out = tmp_path_factory.mktemp("cli") / "out"
    assert payout(["run", "--month", MONTH, "--inbox", str(sample_inbox), "--out", str(out), "--quiet"]) == 0
    return out


def run_flow(out: Path, inbox: Path, **params):
    return monthly_payout(month=MONTH, inbox=str(inbox), out=str(out), return_state=True, **params)


def test_the_flow_writes_what_payout_run_writes_and_shows_it_without_ids(tmp_path, sample_inbox, cli_out):
    state = run_flow(tmp_path / "out", sample_inbox, approval=False)
    assert state.is_completed(), state.message

    flow_files, cli_files = files_of(tmp_path / "out"), files_of(cli_out)
    assert sorted(flow_files) == sorted(cli_files)
    assert [name for name in cli_files if flow_files[name] != cli_files[name]] == []
    assert any(name.startswith(f"{MONTH}/bank/") for name in cli_files)

    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]))
        )
    assert (run.state.type, run.state.name) == (StateType.COMPLETED, "Awaiting approval")
    assert run.name == f"payout-{MONTH}"
    assert set(run.tags) == {"payout", f"month:{MONTH}"}
    by_key = {a.key: a for a in artifacts}
    assert set(by_key) == {
        f"payout-{MONTH}-{name}" for name in ("money", "rejects", "holds", "recoveries", "audit", "summary")
    }
    assert by_key[f"payout-{MONTH}-money"].type == "table"
    summary = json.loads((cli_out / MONTH / "summary.json").read_text(encoding="utf-8"))
    money = json.loads(by_key[f"payout-{MONTH}-money"].data)
    assert len(money) > len(summary["money"]["per_township_component_fen"])  # plus the totals
    assert money[-1]["component"] == "all" and money[-1]["township"] == "合计 total"
    rejects = json.loads(by_key[f"payout-{MONTH}-rejects"].data)
    assert rejects[-1]["rows"] == sum(c["rejected"] for c in summary["rows"]["per_kind"].values())
    assert all(r["reason"] for r in rejects[:-1])  # the message a clerk reads
    holds = json.loads(by_key[f"payout-{MONTH}-holds"].data)
    assert holds[-1]["rows"] == summary["money"]["hold_rows"]
    audit = by_key[f"payout-{MONTH}-audit"].data
    assert "| ✓ | nobody is paid beyond the month of death | 0 |" in audit
    markdown = by_key[f"payout-{MONTH}-summary"].data
    assert "Self-audit" in markdown and "Passed: **True**" in markdown
    rejects_csv = tmp_path / "out" / MONTH / "rejects.csv"
    assert f"[{MONTH}/rejects.csv]({rejects_csv.as_uri()})" in markdown
    assert f"`{rejects_csv}`" not in markdown

    shown = " ".join(f"{a.data} {a.description}" for a in artifacts)
    assert ID_NUMBER.search(shown) is None
    people = pd.read_parquet(cli_out / MONTH / "state" / "roster.parquet")
    rejects = pd.read_csv(cli_out / MONTH / "rejects.csv", dtype=str, keep_default_na=False)
    [rejected_ids] = [rejects[c] for c in rejects.columns if c.endswith("id_number")]
    for id_number in {*people["id_number"], *rejected_ids} - {""}:
        assert id_number not in shown
    for account in set(people["account_number"].dropna()) - {""}:
        assert account not in shown


def start_paused(out: Path, inbox: Path, **params):
    """Run the flow with approval in a thread; return (thread, result box, flow run id) once
    it is paused for the operator's decision."""
    box: dict = {}
    thread = threading.Thread(
        target=lambda: box.update(state=run_flow(out, inbox, approval=True, **params)), daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 60
    paused = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.PAUSED])))
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            for run in client.read_flow_runs(flow_run_filter=paused):
                if run.parameters.get("out") == str(out):
                    return thread, box, run.id
            assert thread.is_alive(), box
            time.sleep(0.1)
    pytest.fail("the flow run never paused for approval")


def month_files(out: Path) -> tuple[dict, dict]:
    folder = out / MONTH
    return (
        json.loads((folder / "status.json").read_text(encoding="utf-8")),
        json.loads((folder / "approval.json").read_text(encoding="utf-8")),
    )


def test_approving_the_draft_closes_the_month(tmp_path, sample_inbox, fast_approval):
    out = tmp_path / "out"
    thread, box, run_id = start_paused(out, sample_inbox)
    assert json.loads((out / MONTH / "status.json").read_text())["status"] == "draft"
    resume_flow_run(run_id, run_input={"approve": True, "reason": ""})
    thread.join(timeout=60)
    assert box["state"].is_completed(), box["state"].message
    assert box["state"].name == "Approved"
    status, approval = month_files(out)
    assert status["status"] == "closed"
    assert approval["decision"] == "approved" and approval["status"] == "closed"
    assert approval["manifest_sha256"] == status["manifest_sha256"]


def test_rejecting_the_draft_keeps_it_open_with_the_reason(tmp_path, sample_inbox, fast_approval):
    out = tmp_path / "out"
    thread, box, run_id = start_paused(out, sample_inbox)
    reason = "顾山镇 resubmits its roster (320281195108169817 moved)"
    resume_flow_run(run_id, run_input={"approve": False, "reason": reason})
    thread.join(timeout=60)
    assert box["state"].is_completed(), box["state"].message
    assert box["state"].name == "Rejected"
    status, approval = month_files(out)
    assert status["status"] == "draft"
    assert approval["decision"] == "rejected" and approval["reason"] == reason
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).state.name == "Rejected"
        [shown] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"payout-{MONTH}-approval"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[run_id]),
            )
        )
    assert "rejected" in shown.data and "320281********9817 moved" in shown.data


def test_no_decision_in_time_leaves_the_draft_open_and_completes(tmp_path, sample_inbox, fast_approval):
    state = run_flow(tmp_path / "out", sample_inbox, approval=True, approval_timeout_seconds=1)
    assert state.is_completed() and "no decision" in state.message
    assert state.name == "Awaiting approval"
    status, approval = month_files(tmp_path / "out")
    assert status["status"] == "draft" and approval["decision"] == "no decision"


def test_a_catch_up_run_is_tagged_so_and_closes_the_months_before(tmp_path, sample_inbox):
    out = tmp_path / "out"
    state = monthly_payout(
        month="2021-02", inbox=str(sample_inbox), out=str(out), approval=False, catch_up=True, return_state=True
    )
    assert (state.type, state.name) == (StateType.COMPLETED, "Awaiting approval"), state.message
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "payout-2021-02"
    assert set(run.tags) == {"payout", "month:2021-02", "catch-up"}
    assert json.loads((out / MONTH / "status.json").read_text(encoding="utf-8"))["status"] == "closed"
    assert json.loads((out / "2021-02" / "status.json").read_text(encoding="utf-8"))["status"] == "draft"


def test_the_yearly_flow_writes_what_payout_indicators_writes(tmp_path, sample_inbox, cli_out):
    from flows.indicators import annual_indicators

    flow_out, reference = tmp_path / "flow", tmp_path / "cli"
    shutil.copytree(cli_out, flow_out)
    shutil.copytree(cli_out, reference)
    args = ["indicators", "--year", "2021", "--inbox", str(sample_inbox), "--out", str(reference)]
    assert payout(args) == 0
    state = annual_indicators(year=2021, inbox=str(sample_inbox), out=str(flow_out), return_state=True)
    assert state.is_completed(), state.message
    assert files_of(flow_out / "indicators") == files_of(reference / "indicators")
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]))
        )
    assert {a.key for a in artifacts} == {"indicators-2021", "indicators-2021-files"}
    assert ID_NUMBER.search(" ".join(str(a.data) for a in artifacts)) is None


def test_the_monthly_deployment_is_registered_with_its_shanghai_schedule():
    from flows.serve import deployments

    for deployment in deployments():
        deployment.apply()
    with get_client(sync_client=True) as client:
        monthly = client.read_deployment_by_name("monthly-payout/monthly")
        yearly = client.read_deployment_by_name("annual-indicators/yearly")
    [schedule] = monthly.schedules
    assert schedule.schedule.cron == "0 6 5 * *"
    assert schedule.schedule.timezone == "Asia/Shanghai"
    assert schedule.active and monthly.parameters == {"approval": True}
    assert yearly.schedules[0].schedule.cron == "0 6 15 1 *"
    assert yearly.schedules[0].schedule.timezone == "Asia/Shanghai"
