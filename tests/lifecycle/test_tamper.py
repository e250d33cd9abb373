"""Tampering with a released month is seen: `payout audit` names the file (exit 1) and the next
run stops naming it (exit 2) before it reads or writes anything."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from pipeline.audit import hash_cache
from pipeline.emit.files import json_bytes
from pipeline.paths import OutDir
from tests.lifecycle.conftest import close, payout, run

MONTH = "2021-01"
BANK = f"{MONTH}/bank/JRCB_{MONTH}_pension.csv"


def change_an_amount(out: Path) -> str:
    path = out / BANK
    lines = path.read_bytes().decode("gb18030").split("\r\n")
    cells = lines[1].split(",")
    cells[3] = f"{float(cells[3]) + 100:.2f}"
    lines[1] = ",".join(cells)
    path.write_bytes("\r\n".join(lines).encode("gb18030"))
    return BANK


def empty_the_bank_file(out: Path) -> str:
    (out / BANK).write_bytes(b"")
    return BANK


def add_a_parquet_file(out: Path) -> str:
    partition = out / "ledger" / f"run_month={MONTH}"
    extra = partition / "part-1.parquet"
    extra.write_bytes((partition / "entries.parquet").read_bytes())
    return str(extra.relative_to(out))


def add_a_file_to_a_subfolder(out: Path) -> str:
    extra = out / MONTH / "bank" / "extra.csv"
    extra.write_bytes((out / BANK).read_bytes())
    return f"{MONTH}/bank/extra.csv"


def replace_a_state_file_by_a_broken_link(out: Path) -> str:
    path = out / MONTH / "state" / "deaths.parquet"
    path.unlink()
    path.symlink_to(out / "nowhere.parquet")
    return f"{MONTH}/state/deaths.parquet"


def delete_the_status(out: Path) -> str:
    (out / MONTH / "status.json").unlink()
    return f"{MONTH}/status.json"


def edit_the_manifest(out: Path) -> str:
    path = out / MONTH / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    path.write_bytes(json_bytes(manifest | {"code_version": "edited"}))
    return f"{MONTH}/manifest.json"


def delete_the_chain(out: Path) -> str:
    (out / "chain.json").unlink()
    return f"{MONTH}/status.json"


def delete_a_state_file(out: Path) -> str:
    (out / MONTH / "state" / "deaths.parquet").unlink()
    return f"{MONTH}/state/deaths.parquet"


@pytest.mark.parametrize(
    ("tamper", "problem"),
    [
        (change_an_amount, "was changed after the close"),
        (empty_the_bank_file, "was changed after the close"),
        (add_a_parquet_file, "was added to a closed month"),
        (add_a_file_to_a_subfolder, "was added to a closed month"),
        (replace_a_state_file_by_a_broken_link, "is missing"),
        (delete_the_status, "its record is missing"),
        (edit_the_manifest, "was changed after the close"),
        (delete_the_chain, "has no such close"),
        (delete_a_state_file, "is missing"),
    ],
)
def test_tampering_is_named_by_audit_and_stops_the_next_run(copy_of, capsys, tamper, problem):
    f = copy_of("closed")
    named = tamper(f.out)
    capsys.readouterr()
    assert payout("audit", "--out", str(f.out)) == 1
    shown = "".join(capsys.readouterr().err.split())
    assert named in shown and "".join(problem.split()) in shown, shown
    assert run(f, "2021-02") == 2
    err = "".join(capsys.readouterr().err.split())
    assert "aclosedmonthisnotasitwasreleased" in err and named in err, err
    assert not (f.out / "2021-02").exists()
    assert not (f.out / "ledger" / "run_month=2021-02").exists()


def test_a_month_whose_record_was_deleted_is_not_rerun_even_alone(copy_of, capsys):
    """With its status.json gone the month must not look open: a rerun of it is refused."""
    f = copy_of("closed")
    delete_the_status(f.out)
    assert run(f, MONTH) == 2
    assert "its record is missing" in " ".join(capsys.readouterr().err.split())


def sha256_hex(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_consistent_forgery_is_caught_by_the_audit_reading_the_bank_file_back(copy_of, capsys):
    """The amount changed and every hash redone (record and chain): the bank file read back in
    its encoding no longer matches its control file and the ledger. A run checks the closed
    months by their hashes only (their bank files were read back when they were closed), so it is
    `payout audit` that names it."""
    f = copy_of("closed")
    change_an_amount(f.out)
    status_path = f.out / MONTH / "status.json"
    record = json.loads(status_path.read_text(encoding="utf-8"))
    record["files"][f"bank/JRCB_{MONTH}_pension.csv"] = sha256_hex(f.out / BANK)
    status_path.write_bytes(json_bytes(record))
    chain = json.loads((f.out / "chain.json").read_text(encoding="utf-8"))
    chain["months"][0]["record_sha256"] = sha256_hex(status_path)
    (f.out / "chain.json").write_bytes(json_bytes(chain))
    capsys.readouterr()
    assert payout("audit", "--out", str(f.out)) == 1
    shown = " ".join(capsys.readouterr().err.split())
    assert f"JRCB_{MONTH}_pension.csv" in shown and "but its control file says" in shown, shown


def test_a_draft_whose_bank_file_disagrees_with_the_ledger_is_not_closed(copy_of, capsys):
    """The draft's amount changed and its manifest and self-audit redone to match: close reads
    the bank file back before releasing it, refuses, and records nothing."""
    f = copy_of("drafted")
    change_an_amount(f.out)
    manifest_path = f.out / MONTH / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["outputs"][f"bank/JRCB_{MONTH}_pension.csv"] = sha256_hex(f.out / BANK)
    manifest_path.write_bytes(json_bytes(manifest))
    audit_path = f.out / MONTH / "audit.json"
    audit = json.loads(audit_path.read_text(encoding="utf-8"))
    audit_path.write_bytes(json_bytes(audit | {"manifest_sha256": sha256_hex(manifest_path)}))
    capsys.readouterr()
    assert close(f, MONTH) == 2
    shown = " ".join(capsys.readouterr().err.split())
    assert f"{MONTH} cannot be closed" in shown and "but its control file says" in shown, shown
    assert json.loads((f.out / MONTH / "status.json").read_text(encoding="utf-8"))["status"] == "draft"
    assert not (f.out / "chain.json").exists() or not json.loads((f.out / "chain.json").read_text())["months"]


def test_a_broken_link_between_closed_months_is_named(copy_of, capsys):
    f = copy_of("both")
    status_path = f.out / "2021-02" / "status.json"
    record = json.loads(status_path.read_text(encoding="utf-8"))
    record["previous"]["record_sha256"] = "0" * 64
    status_path.write_bytes(json_bytes(record))
    assert payout("audit", "--out", str(f.out)) == 1
    assert "release record of 2021-02 was changed" in " ".join(capsys.readouterr().err.split())


def test_audit_of_an_empty_or_missing_folder_does_not_traceback(tmp_path, capsys):
    assert payout("audit", "--out", str(tmp_path / "nothing")) == 0
    (tmp_path / "empty").mkdir()
    assert payout("audit", "--out", str(tmp_path / "empty")) == 0
    assert "nothing to check yet" in capsys.readouterr().err


def test_audit_of_a_partial_folder_fails_without_traceback(copy_of, capsys):
    f = copy_of("drafted")
    for path in (f.out / MONTH / "bank").glob("*.control.json"):
        path.unlink()
    assert payout("audit", "--out", str(f.out)) == 1
    assert "missing:" in capsys.readouterr().err


def test_a_file_changed_with_its_size_and_mtime_kept_stops_the_run_after_its_hash_was_trusted(
    copy_of, capsys, monkeypatch
):
    # the self-audit of February keeps the status of January's files it hashed (trusted at once
    # here: SETTLE_NS 0); a change that keeps the size and puts the mtime back still changes the
    # ctime, so the next run hashes the file again and stops
    monkeypatch.setattr(hash_cache, "SETTLE_NS", 0)
    f = copy_of("closed")
    assert run(f, "2021-02") == 0
    cached = json.loads(OutDir(f.out).hash_cache().read_text(encoding="utf-8"))["files"]
    assert BANK in cached
    path = f.out / BANK
    before = path.stat()
    data = bytearray(path.read_bytes())
    data[-3] = ord("1") if data[-3] != ord("1") else ord("2")  # a digit of the last amount
    path.write_bytes(bytes(data))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    capsys.readouterr()
    assert run(f, "2021-02") == 2
    err = "".join(capsys.readouterr().err.split())
    assert "aclosedmonthisnotasitwasreleased" in err and BANK in err, err
