"""Running the `payout` command line in-process, and what a run that stopped must look like."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.cli import EXIT_STOPPED, main
from tests.support.builders import MONTH


def squash(text: str) -> str:
    """Without whitespace: the CLI wraps its message at 100 columns (also inside paths)."""
    return re.sub(r"\s+", "", text)


def payout(capsys, *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.err


def assert_stopped(code: int, err: str, *expected: str) -> None:
    assert code == EXIT_STOPPED, err
    assert err.startswith("Run stopped.")
    for text in expected:
        assert squash(text) in squash(err), f"{text!r} not in {err!r}"


def assert_nothing_written(out: Path, month: str = MONTH) -> None:
    assert not (out / month).exists()
    assert not (out / "ledger" / f"run_month={month}").exists()
    leftovers = [p.name for p in out.iterdir() if p.name.startswith((".staging", ".retired"))] if out.exists() else []
    assert leftovers == []
    if out.exists():  # at most the lock file of the attempt
        assert {p.name for p in out.iterdir()} <= {".lock"}
