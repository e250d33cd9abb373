"""One real Prefect server for the whole session (the flow tests need an API), made fast.

Measured here (../shared/STACK-NOTES.md): a flow run costs about 1 s in tests, mostly the
heartbeat; with the heartbeat off SQLite answers "database is locked" unless the event persister,
the triggers and the task-run recorder are off too. Then a run costs about 0.2 s. Only these
tests import Prefect (and they are not collected where the `flows` extra is not installed).
"""

from __future__ import annotations

import importlib.util
import os

import pytest

from pipeline.paths import REPO

SAMPLE_INBOX = REPO / "data" / "sample" / "inbox"

if importlib.util.find_spec("prefect") is None:
    collect_ignore_glob = ["test_*.py"]


@pytest.fixture(scope="session")
def prefect_server():
    """A temporary Prefect server (SQLite in a temp folder) that every flow test runs against."""
    from prefect import settings
    from prefect.testing.utilities import prefect_test_harness

    os.environ.setdefault("DO_NOT_TRACK", "1")
    fast = {
        settings.PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None,
        settings.PREFECT_SERVER_SERVICES_EVENT_PERSISTER_ENABLED: False,
        settings.PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED: False,
        settings.PREFECT_SERVER_SERVICES_TASK_RUN_RECORDER_ENABLED: False,
        settings.PREFECT_SERVER_ANALYTICS_ENABLED: False,
    }
    with (
        settings.temporary_settings(updates=fast),
        prefect_test_harness(server_startup_timeout=120),
    ):
        yield


@pytest.fixture(scope="session")
def sample_inbox():
    if not (SAMPLE_INBOX / "2021-01" / "rosters").is_dir():
        pytest.skip("data/sample/inbox/2021-01 does not exist yet (make sample)")
    return SAMPLE_INBOX


@pytest.fixture
def fast_approval(monkeypatch):
    """A paused run checks for the operator's answer every 0.2 s instead of 10 s."""
    import flows.monthly

    monkeypatch.setattr(flows.monthly, "APPROVAL_POLL_SECONDS", 0.2)
