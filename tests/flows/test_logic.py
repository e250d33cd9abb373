"""The flow's own logic through the task functions (`.fn()`): no Prefect server needed."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect.cache_policies import NO_CACHE
from prefect.states import Completed, Failed

from flows import report
from flows.indicators import choose_year
from flows.monthly import (
    apply_decision,
    check_can_run,
    choose_month,
    close_month,
    entitlement,
    history,
    ingest,
    masked,
    publish_artifacts,
    retry_share_errors,
    self_audit,
    validate,
    write_draft,
)
from pipeline.errors import RunStopped
from pipeline.paths import REPO, Inbox, OutDir
from pipeline.run import RunContext

STEPS = [
    check_can_run,
    ingest,
    history,
    validate,
    entitlement,
    write_draft,
    self_audit,
    close_month,
    publish_artifacts,
    apply_decision,
]


def test_default_month_is_the_month_the_schedule_fires_in_shanghai():
    assert choose_month.fn(None, datetime(2021, 3, 31, 20, 0, tzinfo=UTC)) == "2021-04"
    assert choose_month.fn(None, datetime(2021, 3, 31, 15, 59, tzinfo=UTC)) == "2021-03"
    # the schedule itself: 06:00 on the 5th in Shanghai is 22:00 UTC on the 4th
    assert choose_month.fn(None, datetime(2021, 4, 4, 22, 0, tzinfo=UTC)) == "2021-04"


def test_a_month_given_is_used_as_is_and_checked():
    assert choose_month.fn("2021-01", datetime(2030, 1, 1, tzinfo=UTC)) == "2021-01"
    with pytest.raises(ValueError, match="YYYY-MM"):
        choose_month.fn("2021-1", datetime(2030, 1, 1, tzinfo=UTC))


def test_default_year_is_the_year_before_the_schedule_in_shanghai():
    assert choose_year.fn(None, datetime(2021, 12, 31, 17, 0, tzinfo=UTC)) == 2021  # 2022-01-01 01:00
    assert choose_year.fn(None, datetime(2022, 1, 14, 22, 0, tzinfo=UTC)) == 2021
    assert choose_year.fn(2020, datetime(2022, 1, 14, tzinfo=UTC)) == 2020


def test_the_ingest_retry_refuses_a_stop_and_retries_a_share_error():
    stop = RunStopped("the file is empty.", file="rosters/x.csv")
    assert retry_share_errors(ingest, None, Failed(data=stop)) is False
    assert retry_share_errors(ingest, None, Failed(data=ConnectionResetError("share went away"))) is True
    assert retry_share_errors(ingest, None, Failed(data=PermissionError("locked by Excel"))) is True
    assert retry_share_errors(ingest, None, Failed(data=KeyError("a bug"))) is False
    assert retry_share_errors(ingest, None, Completed()) is False


def test_only_ingest_retries_and_nothing_is_cached_or_persisted():
    assert ingest.retries == 3 and ingest.retry_condition_fn is retry_share_errors
    assert len(ingest.retry_delay_seconds) == 3
    assert ingest.retry_delay_seconds[0] < ingest.retry_delay_seconds[-1]  # backoff
    for step in STEPS:
        assert step.cache_policy is NO_CACHE, step.name
        assert step.persist_result is False, step.name
        if step is not ingest:
            assert step.retries == 0, step.name  # never on a validation stop


def test_a_decision_on_a_replaced_draft_is_not_applied(tmp_path, policy):
    out = OutDir(tmp_path / "out")
    (out.month("2021-01")).mkdir(parents=True)
    (out.month("2021-01") / "manifest.json").write_text('{"month": "2021-01"}', encoding="utf-8")
    ctx = RunContext("2021-01", Inbox(tmp_path / "inbox"), out, policy)
    with pytest.raises(RunStopped, match="replaced while it waited for approval"):
        apply_decision.fn(ctx, True, "", reviewed_manifest="0" * 64)
    assert not (out.month("2021-01") / "approval.json").exists()
    assert not (out.month("2021-01") / "status.json").exists()


def test_a_reason_typed_by_an_operator_is_masked_in_the_ui():
    assert masked("320281195108169817 and 6228480402564890018 moved") == (
        "320281********9817 and 622848********0018 moved"
    )
    assert masked("township 320281111 resubmits") == "township 320281111 resubmits"


SUMMARY = {
    "rows": {
        "per_kind": {"rosters": {"rows_read": 12, "accepted": 10, "rejected": 2}},
        "reconciles": True,
    },
    "rejects_by_township_and_reason": [{"township_code": "320281111", "reason_code": "id_checksum", "rows": 2}],
    "money": {
        "per_township_component_fen": [
            {
                "township_code": "320281001",
                "component": "base",
                "payment": 392000,
                "recovery": -39200,
                "reversal": 0,
                "net": 352800,
            },
            {
                "township_code": "320281004",
                "component": "base",
                "payment": 39200,
                "recovery": 0,
                "reversal": 0,
                "net": 39200,
            },
        ],
        "payments_fen": 431200,
        "recoveries_fen": -39200,
        "recoveries_owed_fen": -39200,
        "reversals_fen": 0,
        "bank_total_fen": 431200,
        "bank_reconciles": True,
        "bank_batches": [
            {
                "batch_id": "2021-01-JRCB-PENSION",
                "file": "JRCB_2021-01_pension.csv",
                "line_count": 11,
                "total_fen": 431200,
                "reconciles": True,
                "sha256": "1234567890123456789012345678901234567890",
            }
        ],
        "hold_rows": 1,
        "holds_fen_by_reason": {"awaiting_payee": 235200},
        "people_paid": 11,
        "funeral_grants_issued": 0,
    },
}


def test_the_money_table_has_yuan_per_township_and_a_total_per_component():
    names = {"320281001": "澄江街道", "320281004": "南闸街道"}
    table = report.money_table(SUMMARY, names)
    assert table[0] == {
        "township_code": "320281001",
        "township": "澄江街道",
        "component": "base",
        "payment": "3,920.00",
        "recovery": "-392.00",
        "reversal": "0.00",
        "net": "3,528.00",
    }
    assert table[-1]["township_code"] == "all" and table[-1]["net"] == "3,920.00"
    rejects = report.rejects_table(SUMMARY, names)
    assert rejects == {
        "township_code": ["320281111"],
        "township": [""],
        "reason_code": ["id_checksum"],
        "rows": [2],
    }


def test_the_report_shortens_hashes_and_shows_holds_recoveries_and_audit(tmp_path):
    audit = {
        "passed": False,
        "invariants": [{"invariant": "entry ids are unique", "violations": 3}],
    }
    text = report.report_markdown(
        "2021-01",
        tmp_path,
        SUMMARY,
        audit,
        status="draft",
        manifest_sha256="ab" * 32,
        ledger_partition=tmp_path / "l",
    )
    assert "123456789012345678" not in text and "`123456789012`" in text
    assert "awaiting_payee 2,352.00" in text and "owed 尚欠: -392.00" in text
    assert "✗ entry ids are unique: 3 violations" in text
    description = report.approval_description("2021-01", SUMMARY, audit, "ab" * 32)
    assert "4,312.00 yuan" in description and "rejected rows: 2" in description
    assert "change from last month 较上月变化: none (first month)" in description
    json.dumps(report.money_table(SUMMARY, {}))  # artifacts take JSON


def test_the_pipeline_does_not_import_prefect():
    """The CLI must start fast and the other tests stay free of Prefect."""
    code = "import sys, pipeline.cli, pipeline.run, pipeline.lifecycle; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def imported_modules(path: Path) -> set[str]:
    """The absolute module names a source file imports, `importlib.import_module("…")` included."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module" and node.args:
            if isinstance(node.args[0], ast.Constant):
                found.add(node.args[0].value)
    return found


def test_the_runtime_does_not_import_the_tools():
    """tools/ sits on top: the sample generator and the benchmarks use the pipeline, never the reverse."""
    assert "pipeline.cli" in imported_modules(REPO / "tools" / "cli.py")  # the scan sees imports
    sources = [path for folder in ("pipeline", "schemas", "flows") for path in sorted((REPO / folder).rglob("*.py"))]
    importing = {
        path.relative_to(REPO).as_posix(): sorted(
            name for name in imported_modules(path) if name.split(".")[0] == "tools"
        )
        for path in sources
    }
    assert len(sources) > 50
    assert {path: names for path, names in importing.items() if names} == {}
