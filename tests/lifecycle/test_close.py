"""`close` releases only a whole, self-audited, unchanged draft (the one reviewed, when named),
records who, when and how, and links the month to the one closed before it; `reject` and the
flow's decisions go through lifecycle.record_decision; catch-up never closes a draft it did not
draft itself."""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import shutil

import pandas as pd
import pytest
from openpyxl import load_workbook

from pipeline.core.errors import RunStopped
from pipeline.emit import lists
from pipeline.emit.files import write_json
from pipeline.emit.lists import CLOSED, DRAFT, list_workbooks
from pipeline.lifecycle import record_decision
from pipeline.paths import OutDir
from tests.lifecycle.conftest import close, payout

MONTH = "2021-01"


def squashed(capsys) -> str:
    return " ".join(capsys.readouterr().err.split())


def manifest_sha256(out) -> str:
    return hashlib.sha256((out / MONTH / "manifest.json").read_bytes()).hexdigest()


def test_the_release_record_says_who_when_how_and_links_the_months(copy_of):
    f = copy_of("both")
    first = json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))
    second = json.loads((f.out / "2021-02" / "status.json").read_text(encoding="utf-8"))
    assert first["released"]["by"] == getpass.getuser() and first["released"]["via"] == "cli"
    assert first["released"]["at"].endswith("+00:00")
    assert first["previous"] is None
    first_sha = hashlib.sha256((f.out / MONTH / "status.json").read_bytes()).hexdigest()
    assert second["previous"] == {"month": MONTH, "record_sha256": first_sha}
    assert f"bank/JRCB_{MONTH}_pension.csv" in first["files"] and "audit.json" in first["files"]
    assert set(first["ledger"]) == {"entries.parquet"}
    chain = json.loads((f.out / "chain.json").read_text(encoding="utf-8"))
    assert [e["month"] for e in chain["months"]] == [MONTH, "2021-02"] and chain["pending"] is None


def test_a_draft_whose_self_audit_failed_or_is_missing_is_not_closed(copy_of, capsys):
    f = copy_of("drafted")
    audit = f.out / MONTH / "audit.json"
    report = json.loads(audit.read_text(encoding="utf-8"))
    write_json(report | {"passed": False}, audit)
    assert close(f, MONTH) == 2
    assert "its self-audit failed" in squashed(capsys)
    audit.unlink()
    assert close(f, MONTH) == 2
    assert "it has no self-audit of this draft" in squashed(capsys)


def test_a_draft_differing_from_its_manifest_is_not_closed(copy_of, capsys):
    f = copy_of("drafted")
    (f.out / MONTH / "holds.csv").write_bytes(b"changed by hand\r\n")
    assert close(f, MONTH) == 2
    err = "".join(capsys.readouterr().err.split())
    assert "thisfilewaschanged" in err and f"{MONTH}/holds.csv" in err
    (f.out / MONTH / "holds.csv").unlink()
    assert close(f, MONTH) == 2
    assert "this file is missing" in squashed(capsys)


def test_a_file_added_to_a_draft_stops_the_close(copy_of, capsys):
    f = copy_of("drafted")
    (f.out / "ledger" / f"run_month={MONTH}" / "part-1.parquet").write_bytes(b"PAR1")
    assert close(f, MONTH) == 2
    assert "this file was added" in squashed(capsys)


def test_a_broken_link_added_to_a_draft_stops_the_close(copy_of, capsys):
    """A link to nothing is a file added to the draft too (listed, never hashed): named, no traceback."""
    f = copy_of("drafted")
    (f.out / MONTH / "bank" / "extra.csv").symlink_to(f.out / "nowhere.csv")
    assert close(f, MONTH) == 2
    err = squashed(capsys)
    assert "this file was added" in err and "extra.csv" in err and "Traceback" not in err


def test_a_draft_without_its_ledger_partition_is_rolled_back_not_closed(copy_of, capsys):
    f = copy_of("drafted")
    shutil.rmtree(f.out / "ledger" / f"run_month={MONTH}")
    assert close(f, MONTH) == 2
    err = squashed(capsys)
    assert "rolled back the draft of 2021-01: its ledger partition is missing" in err
    assert "2021-01 has no draft to close" in err


def test_close_of_a_named_manifest_refuses_another_draft(copy_of, capsys):
    f = copy_of("drafted")
    assert payout("close", "--month", MONTH, "--out", str(f.out), "--manifest", "0" * 64) == 2
    assert "was replaced while it waited for approval" in squashed(capsys)
    assert payout("close", "--month", MONTH, "--out", str(f.out), "--manifest", manifest_sha256(f.out)) == 0


def test_reject_records_the_reason_and_blocks_the_close(copy_of, capsys):
    f = copy_of("drafted")
    assert payout("reject", "--month", MONTH, "--reason", "township 320281001 resends", "--out", str(f.out)) == 0
    status = json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))
    approval = json.loads((f.out / MONTH / "approval.json").read_text(encoding="utf-8"))
    assert status["status"] == "draft" and status["decision"]["decision"] == "rejected"
    assert approval["reason"] == "township 320281001 resends" and approval["decided_by"] == getpass.getuser()
    assert approval["via"] == "cli" and approval["manifest_sha256"] == manifest_sha256(f.out)
    assert close(f, MONTH) == 2
    assert "was rejected by" in squashed(capsys)


def test_a_decision_records_the_approver_and_the_flow_run(copy_of, policy):
    f = copy_of("drafted")
    out = OutDir(f.out)
    with pytest.raises(RunStopped, match="replaced while it waited"):
        record_decision(out, policy.opening_month, MONTH, "approved", "0" * 64, actor="li", via="prefect")
    record = record_decision(
        out,
        policy.opening_month,
        MONTH,
        "approved",
        manifest_sha256(f.out),
        actor="li",
        via="prefect",
        flow_run_id="r1",
    )
    status = json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))
    assert record["status"] == "closed" and record["decided_by"] == "li"
    assert status["released"] == status["released"] | {"by": "li", "via": "prefect", "flow_run_id": "r1"}
    assert status["decision"]["decision"] == "approved"


def test_catch_up_stops_at_a_draft_awaiting_a_decision(copy_of, capsys):
    f = copy_of("drafted")
    assert (
        payout("run", "--month", "2021-02", "--catch-up", "--inbox", str(f.inbox), "--out", str(f.out), "--quiet") == 2
    )
    err = squashed(capsys)
    assert "2021-01 is a draft awaiting an operator's decision" in err
    assert json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))["status"] == "draft"
    assert not (f.out / "2021-02").exists()


def test_catch_up_closes_the_months_it_drafts_itself(copy_of, references):
    f = copy_of(None)
    assert (
        payout("run", "--month", "2021-02", "--catch-up", "--inbox", str(f.inbox), "--out", str(f.out), "--quiet") == 0
    )
    status = json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))
    assert status["status"] == "closed" and status["released"]["via"] == "catch-up"


def test_an_unreadable_record_stops_with_a_message(copy_of, capsys):
    f = copy_of("drafted")
    (f.out / MONTH / "status.json").write_bytes(b"")
    assert close(f, MONTH) == 2
    err = squashed(capsys)
    assert "not readable JSON" in err and "Traceback" not in err


def test_a_temporary_file_left_by_a_killed_write_is_removed_and_the_close_goes_on(copy_of, capsys):
    f = copy_of("drafted")
    (f.out / MONTH / ".status.json.tmp-99999").write_bytes(b'{"month": "2021-0')
    assert payout("audit", "--out", str(f.out)) == 1  # audit only reports it
    assert close(f, MONTH) == 0
    assert "removed 1 half-written temporary file(s)" in squashed(capsys)
    assert not (f.out / MONTH / ".status.json.tmp-99999").exists()


def test_closing_restates_every_clerks_list_as_closed_and_changes_nothing_else(copy_of):
    f = copy_of("drafted")
    folder = f.out / MONTH
    drafted = {path: path.read_bytes() for path in list_workbooks(folder)}
    others = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file() and p not in drafted}
    assert {p.name for p in drafted} >= {"funeral_grants.xlsx", "holds.xlsx", "recoveries.xlsx", "changes.xlsx"}
    assert close(f, MONTH) == 0
    record = json.loads((folder / "status.json").read_text(encoding="utf-8"))
    for path, before in drafted.items():
        title = load_workbook(path, read_only=True).worksheets[0]["A1"].value
        assert title.endswith(f"状态 status: {CLOSED}") and DRAFT not in title
        assert (
            title.replace(CLOSED, DRAFT) == load_workbook(io.BytesIO(before), read_only=True).worksheets[0]["A1"].value
        )
        was, now = lists._list_of(before), lists._list_of(path.read_bytes())
        assert now[1:2] + now[3:] == was[1:2] + was[3:]  # same sheet and amount columns
        pd.testing.assert_frame_equal(now[2], was[2])  # same cells
        assert record["files"][str(path.relative_to(folder))] == hashlib.sha256(path.read_bytes()).hexdigest()
    unchanged = {p: b for p, b in others.items() if p.name != "status.json"}
    assert {p: p.read_bytes() for p in unchanged} == unchanged  # bank files, CSVs, ledger state as drafted
    assert payout("audit", "--out", str(f.out)) == 0  # the released bytes are the recorded ones


def test_a_list_restated_and_restated_back_is_the_drafts_byte_for_byte(copy_of):
    folder = copy_of("drafted").out / MONTH
    drafted = {path: path.read_bytes() for path in list_workbooks(folder)}
    closed = lists.restated(folder, CLOSED)
    assert set(closed) == set(drafted) and all(closed[p] != drafted[p] for p in drafted)
    for path, data in closed.items():
        path.write_bytes(data)
    assert lists.restated(folder, CLOSED) == {}  # nothing left to restate
    assert lists.restated(folder, DRAFT) == drafted
