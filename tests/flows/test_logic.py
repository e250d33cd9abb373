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
    STEP_TASKS,
    apply_decision,
    choose_month,
    close_month,
    masked,
    publish_artifacts,
    retry_share_errors,
)
from pipeline.core.errors import RunStopped
from pipeline.paths import REPO, Inbox, OutDir
from pipeline.run import STEPS, RunContext

ingest = STEP_TASKS["ingest"]
TASKS = [*STEP_TASKS.values(), close_month, publish_artifacts, apply_decision]


def test_the_flow_has_one_task_per_step_of_payout_run_named_after_it():
    assert list(STEP_TASKS) == [step.name for step in STEPS]
    assert [t.name for t in STEP_TASKS.values()] == [
        "check-can-run",
        "ingest",
        "history",
        "validate",
        "account-credits",
        "entitlement",
        "accounts",
        "write-draft",
        "audit",
    ]
    assert STEP_TASKS["write-draft"].task_run_name == "write-draft {ctx.run_month}"
    assert len({t.task_key for t in STEP_TASKS.values()}) == len(STEPS)


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
    for step in TASKS:
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
    "rejects_by_township_and_reason": [{"township_code": "320281111", "reason_code": "ID_CHECKSUM", "rows": 2}],
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
        "pending_recoveries_fen_by_reason": {"not_on_roster": -78400},
        "holds_by_township_and_reason": [
            {
                "township_code": "320281001",
                "hold_reason": "awaiting_payee",
                "rows": 1,
                "held_fen": 235200,
                "pending_recovery_fen": 0,
            },
            {
                "township_code": "320281004",
                "hold_reason": "not_on_roster",
                "rows": 2,
                "held_fen": 0,
                "pending_recovery_fen": -78400,
            },
        ],
        "recoveries_by_township_and_reason": [
            {
                "township_code": "320281001",
                "reason": "after_death",
                "entries": 1,
                "recovered_fen": -39200,
                "owed_fen": -39200,
            }
        ],
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
    assert table[-2] == table[-1] | {"component": "base"}  # one component: its total is the total
    assert table[-1] == {
        "township_code": "all",
        "township": "合计 total",
        "component": "all",
        "payment": "4,312.00",
        "recovery": "-392.00",
        "reversal": "0.00",
        "net": "3,920.00",
    }
    rejects = report.rejects_table(SUMMARY, names)
    assert rejects == [
        {
            "township_code": "320281111",
            "township": "",
            "reason_code": "ID_CHECKSUM",
            "reason": "身份证号校验位错误，请核对号码 / ID number check character is wrong; check the number",
            "rows": 2,
        },
        {"township_code": "all", "township": "合计 total", "reason_code": "", "reason": "", "rows": 2},
    ]


def test_holds_and_recoveries_per_township_and_reason_with_pending_recoveries_and_totals():
    names = {"320281001": "澄江街道"}
    holds = report.holds_table(SUMMARY, names)
    assert holds[0] == {
        "township_code": "320281001",
        "township": "澄江街道",
        "reason_code": "awaiting_payee",
        "reason": "待补领取人信息 awaiting payee details",
        "rows": 1,
        "held": "2,352.00",
        "pending_recovery": "0.00",
    }
    assert holds[-1] == {
        "township_code": "all",
        "township": "合计 total",
        "reason_code": "",
        "reason": "",
        "rows": 3,
        "held": "2,352.00",
        "pending_recovery": "-784.00",
    }
    recoveries = report.recoveries_table(SUMMARY, names)
    assert recoveries[0]["reason"] == "死亡后多发 paid after death"
    assert (recoveries[0]["recovered"], recoveries[0]["owed"]) == ("-392.00", "-392.00")
    assert recoveries[-1]["entries"] == 1 and recoveries[-1]["recovered"] == "-392.00"


def test_the_audit_artifact_names_the_query_of_a_failed_invariant_only():
    audit = {
        "passed": False,
        "invariants": [
            {"invariant": "entry ids are unique", "violations": 0, "query": "select 1"},
            {"invariant": "nobody is paid beyond the month of death", "violations": 2, "query": "select * from x"},
        ],
    }
    text = report.audit_markdown("2021-01", audit)
    assert "| ✓ | entry ids are unique | 0 |  |" in text
    assert "| ✗ | nobody is paid beyond the month of death | 2 | `select * from x` |" in text
    assert "Passed: **False**" in text
    assert report.audit_markdown("2021-01", None).endswith("(not run)\n")


def test_files_are_links_named_within_the_output_folder_with_the_xlsx_twins(tmp_path):
    folder = tmp_path / "out" / "2021-01"
    for name in ("rejects.csv", "rejects.xlsx", "holds.xlsx", "bank/JRCB_2021-01_pension.csv"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("x")
    (folder / "bank" / "JRCB_2021-01_pension.control.json").write_text("{}")
    (folder / "rejects" / "a.csv").parent.mkdir()
    lines = report.month_files(folder, tmp_path / "out" / "ledger" / "run_month=2021-01")
    uri = folder.as_uri()
    assert lines[:3] == [
        f"- [2021-01/rejects.csv]({uri}/rejects.csv)",
        f"- [2021-01/rejects.xlsx]({uri}/rejects.xlsx)",
        f"- [2021-01/holds.xlsx]({uri}/holds.xlsx)",
    ]
    assert f"- [2021-01/bank/JRCB_2021-01_pension.csv]({uri}/bank/JRCB_2021-01_pension.csv)" in lines
    assert not any("control.json" in line for line in lines)
    assert f"- [2021-01/rejects]({uri}/rejects)/ (one .csv and .xlsx per township)" in lines
    partition = tmp_path / "out" / "ledger" / "run_month=2021-01"
    assert lines[-1] == f"- ledger [ledger/run_month=2021-01]({partition.as_uri()})/"
    assert {"recoveries.xlsx", "changes.xlsx", "funeral_grants.xlsx"} <= set(report.OFFICE_FILES)


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
    assert "recoveries pending 待追回 (people on no roster): not_on_roster -784.00" in text
    assert "✗ entry ids are unique: 3 violations" in text
    description = report.approval_description("2021-01", SUMMARY, audit, "ab" * 32)
    assert "4,312.00 yuan" in description and "rejected rows: 2" in description
    assert "change from last month 较上月变化: none (first month)" in description
    json.dumps(report.money_table(SUMMARY, {}))  # artifacts take JSON


def test_the_pipeline_does_not_import_prefect():
    """The CLI must start fast and the other tests stay free of Prefect."""
    code = "import sys, pipeline.cli, pipeline.run, pipeline.lifecycle; sys.exit('prefect' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_every_flow_parameter_has_a_description_and_the_month_a_format():
    from flows.indicators import annual_indicators
    from flows.monthly import monthly_payout

    monthly = monthly_payout.parameters.model_dump()["properties"]
    yearly = annual_indicators.parameters.model_dump()["properties"]
    assert set(monthly) == {
        "month",
        "inbox",
        "out",
        "policy",
        "approval",
        "approval_timeout_seconds",
        "catch_up",
    }
    for name, schema in [*monthly.items(), *yearly.items()]:
        assert len(schema.get("description") or "") > 20, name
    [month] = [t for t in monthly["month"]["anyOf"] if t["type"] == "string"]
    assert month["pattern"] == "^[0-9]{4}-(0[1-9]|1[0-2])$"
    assert (monthly["approval_timeout_seconds"]["minimum"], monthly["approval_timeout_seconds"]["maximum"]) == (
        1,
        7 * 24 * 3600,
    )
    [year] = [t for t in yearly["year"]["anyOf"] if t["type"] == "integer"]
    assert (year["minimum"], year["maximum"]) == (2000, 2100)
    assert "Asia/Shanghai" in monthly["month"]["description"]


def test_the_month_format_refuses_what_is_not_a_month():
    import re

    from flows.parameters import MONTH_PATTERN

    assert [
        m for m in ("2021-03", "2021-12", "2021-13", "2021-00", "2021-3", "２０２１-03") if re.match(MONTH_PATTERN, m)
    ] == [
        "2021-03",
        "2021-12",
    ]


def test_a_scheduled_run_is_named_after_the_month_it_drafts_in_shanghai(monkeypatch):
    import flows.monthly

    fired = datetime(2021, 4, 4, 22, 0, tzinfo=UTC)  # 06:00 on 5 April in Shanghai
    run = type("Run", (), {"parameters": {"month": None}, "scheduled_start_time": fired})
    monkeypatch.setattr(flows.monthly, "current_flow_run", run)
    assert flows.monthly.run_name() == "payout-2021-04"
    run.parameters = {"month": "2021-01"}
    assert flows.monthly.run_name() == "payout-2021-01"


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
