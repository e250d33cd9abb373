"""A command killed at each step of its publish, or at a random instant, leaves a folder that
rerunning the same command turns into exactly what a clean run writes: nothing paid twice,
nothing half-published, never a traceback."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from pipeline.audit.check import folder_audit
from pipeline.emit.lists import list_workbooks
from pipeline.paths import REPO, OutDir
from tests.lifecycle.conftest import close, digest, leftovers, payout, run


class Crash(BaseException):
    """The process dies here: no except clause of the pipeline sees it (a kill, a power cut)."""


def crash_at(monkeypatch, name: str, call: int, *, after: bool) -> None:
    """os.<name> (rename: the publish steps; replace: the record writes) dies at its call-th
    call, before or after doing it."""
    real = getattr(os, name)
    count = 0

    def dying(*args, **kwargs):
        nonlocal count
        count += 1
        if count == call and not after:
            raise Crash(f"{name} #{call}")
        result = real(*args, **kwargs)
        if count == call:
            raise Crash(f"after {name} #{call}")
        return result

    monkeypatch.setattr(os, name, dying)


def assert_sound(out, reference) -> None:
    assert leftovers(out) == []
    assert digest(out) == digest(reference)
    report = folder_audit(OutDir(out))
    assert report["passed"], report
    partitions = sorted(p.name for p in (out / "ledger").iterdir())
    assert partitions == sorted(p.name for p in (reference / "ledger").iterdir())  # one per month: never paid twice


# a rerun of the open 2021-02 replaces a draft: 4 renames (old ledger aside, new ledger in, old month aside, new in)
@pytest.mark.parametrize(("call", "after"), [(1, False), (2, False), (3, False), (4, False), (4, True)])
def test_run_killed_at_each_publish_step_recovers_on_rerun(copy_of, references, monkeypatch, capsys, call, after):
    f = copy_of("second")
    crash_at(monkeypatch, "rename", call, after=after)
    with pytest.raises(Crash):
        run(f, "2021-02")
    monkeypatch.undo()
    assert payout("close", "--month", "2021-02", "--out", str(f.out)) == 2  # a half-published draft is never closed
    assert "Run stopped." in capsys.readouterr().err
    assert run(f, "2021-02") == 0
    assert_sound(f.out, references["second"])


def test_first_run_killed_mid_publish_recovers_and_audit_does_not_traceback(copy_of, references, monkeypatch, capsys):
    f = copy_of(None)
    crash_at(monkeypatch, "rename", 2, after=False)  # the ledger partition is in place, the month not
    with pytest.raises(Crash):
        run(f, "2021-01")
    monkeypatch.undo()
    capsys.readouterr()
    assert payout("audit", "--out", str(f.out)) == 1
    assert ".staging-2021-01" in capsys.readouterr().err
    assert run(f, "2021-01") == 0
    assert "recovery: completed the interrupted publish of 2021-01" in capsys.readouterr().err
    assert_sound(f.out, references["drafted"])


# a close writes .lock, chain.json (announce), each list workbook restated as closed, status.json
# (the record), chain.json (append)
CLOSE_WRITES = ("announce", "first workbook", "last workbook", "record", "append")


@pytest.mark.parametrize("after", [False, True])
@pytest.mark.parametrize("write", CLOSE_WRITES)
def test_close_killed_at_each_record_write_recovers_on_rerun(copy_of, references, monkeypatch, capsys, write, after):
    f = copy_of("drafted")
    workbooks = len(list_workbooks(f.out / "2021-01"))
    assert workbooks > 2
    call = {"announce": 2, "first workbook": 3, "last workbook": 2 + workbooks}.get(write)
    call = call or {"record": 3 + workbooks, "append": 4 + workbooks}[write]
    crash_at(monkeypatch, "replace", call, after=after)
    with pytest.raises(Crash):
        close(f, "2021-01")
    monkeypatch.undo()
    assert close(f, "2021-01") in (0, 2)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    if "already closed" not in err:
        assert "Run stopped" not in err, err
    assert_sound(f.out, references["closed"])
    if (write, after) == ("record", True):  # the record written, the chain not: the next month builds on it
        assert run(f, "2021-02") == 0
        assert_sound(f.out, references["second"])


@pytest.mark.parametrize("seed", [11, 29])
def test_run_killed_at_a_random_instant_recovers_on_rerun(copy_of, references, seed):
    """A real SIGKILL of `payout run` (a rerun of 2021-02) somewhere in its work."""
    f = copy_of("second")
    command = [sys.executable, "-m", "pipeline.cli", "run", "--month", "2021-02", "--inbox", str(f.inbox)]
    process = subprocess.Popen([*command, "--out", str(f.out), "--quiet"], cwd=REPO, stderr=subprocess.PIPE)
    wait_until_it_holds_the_lock(f.out, process)
    time.sleep(random.Random(seed).uniform(0.0, 1.0))  # somewhere in ingest .. publish
    process.send_signal(signal.SIGKILL)
    process.communicate()
    assert process.returncode == -signal.SIGKILL  # killed before it finished
    assert run(f, "2021-02") == 0
    assert_sound(f.out, references["second"])


def wait_until_it_holds_the_lock(out, process) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lock = out / ".lock"
        if lock.is_file() and f'"pid": {process.pid}' in lock.read_text(encoding="utf-8"):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.01)
    pytest.fail("the run never took the lock")


def test_nothing_staged_for_a_closed_month_is_ever_published(copy_of, references, capsys):
    f = copy_of("closed")
    staging = f.out / ".staging-2021-01"
    shutil.copytree(references["second"] / "2021-02", staging / "month")
    (staging / ".complete").write_bytes(b"")
    assert run(f, "2021-02") == 0
    assert "is closed, so nothing staged for it is published" in capsys.readouterr().err
    assert_sound(f.out, references["second"])
