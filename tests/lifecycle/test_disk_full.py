"""A full disk (ENOSPC from the durable-write helper) stops a run or a close with exit 2 and an
operator's message, leaves no staging folder (it would hold full IDs and accounts) and never
touches the previous state; status.json is never emptied."""

from __future__ import annotations

import errno
import json

import pytest

from pipeline import durable
from pipeline.emit import files, xlsx
from tests.lifecycle.conftest import close, digest, leftovers, run


def disk_full_at(monkeypatch, name: str) -> None:
    """The durable write (CSV, JSON, XLSX, Parquet all go through it) of the file called `name`
    fails with ENOSPC."""
    real = durable.atomic_write_with

    def full(path, write):
        if path.name == name:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, write)

    monkeypatch.setattr(durable, "atomic_write_with", full)
    monkeypatch.setattr(files, "atomic_write_with", full)
    monkeypatch.setattr(xlsx, "atomic_write_with", full)


def assert_disk_full_message(err: str) -> None:
    assert err.startswith("Run stopped."), err
    assert "the disk is full" in err and "free space" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["entries.parquet", "JRCB_2021-01_pension.csv", "manifest.json", ".complete"])
def test_first_run_on_a_full_disk_stops_and_leaves_nothing(copy_of, monkeypatch, capsys, name):
    f = copy_of(None)
    disk_full_at(monkeypatch, name=name)
    assert run(f, "2021-01") == 2
    assert_disk_full_message(capsys.readouterr().err)
    assert {p.name for p in f.out.iterdir()} <= {".lock"}


def test_rerun_on_a_full_disk_keeps_the_previous_draft(copy_of, monkeypatch, capsys):
    f = copy_of("second")
    before = digest(f.out)
    disk_full_at(monkeypatch, name="funeral_grants.xlsx")
    assert run(f, "2021-02") == 2
    assert_disk_full_message(capsys.readouterr().err)
    assert leftovers(f.out) == []
    assert digest(f.out) == before


@pytest.mark.parametrize("name", ["status.json", "holds.xlsx"])  # the record, or a list being restated as closed
def test_close_on_a_full_disk_keeps_status_json_readable_and_the_month_open(copy_of, monkeypatch, capsys, name):
    f = copy_of("drafted")
    status = f.out / "2021-01" / "status.json"
    before = digest(f.out)
    disk_full_at(monkeypatch, name=name)
    assert close(f, "2021-01") == 2
    assert_disk_full_message(capsys.readouterr().err)
    assert json.loads(status.read_text(encoding="utf-8"))["status"] == "draft"
    assert digest(f.out) == before  # the lists already restated say draft again, byte for byte
    assert json.loads((f.out / "chain.json").read_text(encoding="utf-8")) == {"months": [], "pending": None}
    monkeypatch.undo()
    assert close(f, "2021-01") == 0  # with space again, the close goes through
    assert json.loads(status.read_text(encoding="utf-8"))["status"] == "closed"


def test_disk_full_at_the_self_audit_leaves_a_draft_that_cannot_be_closed(copy_of, monkeypatch, capsys):
    f = copy_of(None)
    disk_full_at(monkeypatch, name="audit.json")
    assert run(f, "2021-01") == 2
    assert_disk_full_message(capsys.readouterr().err)
    monkeypatch.undo()
    assert leftovers(f.out) == []
    assert close(f, "2021-01") == 2
    assert "it has no self-audit of this draft" in capsys.readouterr().err
