"""A run that fails in any step before its month is published leaves the output folder exactly
as it was: no staging folder, no half-written file (with full IDs and accounts), and an earlier
draft of the month untouched. The step's failure is injected where the step calls its work."""

from __future__ import annotations

import errno
import hashlib
from pathlib import Path

import pytest

from pipeline import run as run_module
from pipeline import state as state_module
from pipeline.cli import main
from tests.support.builders import MONTH

# (the name the month's steps call, as looked up in pipeline.run, or in another module of
# pipeline when prefixed by it) -> the step it breaks
STEPS = {
    "read_month": "ingest",
    "read_history": "history",
    "validate_month": "validate",
    "compute_entitlement": "entitlement",
    "compute_accounts": "accounts",
    "render_bank_files": "bank files in memory",
    "write_bank_files": "write: bank files",
    "write_office_lists": "write: the office's lists and their workbooks",
    "write_summary": "write: summary",
    "state.write_parquet": "write: ledger and state (after some of its files)",
    "manifest": "write: manifest",
}


def snapshot(out: Path) -> dict[str, str]:
    if not out.exists():
        return {}
    return {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def run_month(inbox, out: Path) -> int:
    return main(["run", "--month", MONTH, "--inbox", str(inbox.root), "--out", str(out), "--quiet"])


# a bug on a first run; a full disk on the rerun of a draft (which must survive it unchanged)
CASES = [("bug", "empty folder"), ("disk full", "earlier draft")]


@pytest.mark.parametrize(("failure", "before"), CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("target", list(STEPS))
def test_a_failure_in_any_step_leaves_the_folder_as_it_was(
    target, failure, before, inbox, tmp_path, monkeypatch, capsys
):
    out = tmp_path / "out"
    if before == "earlier draft":
        assert run_month(inbox, out) == 0
    held = snapshot(out)

    module, name = (state_module, target.split(".")[1]) if target.startswith("state.") else (run_module, target)
    calls = []

    def broken(*args, **kwargs):
        calls.append(args)
        if module is state_module and len(calls) < 3:  # a few files are written before the disk fills
            return real(*args, **kwargs)
        if failure == "disk full":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise RuntimeError(f"injected failure in {STEPS[target]}")

    real = getattr(module, name)
    monkeypatch.setattr(module, name, broken)
    try:
        code = run_month(inbox, out)
    except RuntimeError as err:  # a bug may surface as itself; the folder must still be intact
        assert "injected failure" in str(err)
        code = None
    assert code != 0
    assert snapshot(out) == held
    leftovers = [p.name for p in out.iterdir() if p.name.startswith(".") and p.name != ".lock"] if out.exists() else []
    assert leftovers == []
    err = capsys.readouterr().err
    if failure == "disk full" and code is not None:
        assert "Traceback" not in err
