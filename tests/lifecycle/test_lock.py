"""One writer at a time: a second command on the same output folder is refused with the
holder named; deleting .lock does not let it in; two closes at once release a month once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from pipeline.paths import REPO
from tests.lifecycle.conftest import close, run

HOLD = textwrap.dedent(
    """
    import sys
    from pipeline.lifecycle import output_lock
    from pipeline.paths import OutDir
    with output_lock(OutDir(__import__("pathlib").Path(sys.argv[1])), "payout run --month 2021-02"):
        print("holding", flush=True)
        sys.stdin.read()  # until the test closes our stdin
    """
)


def holder(out):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(out)], cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "holding"
    return process


def release(process) -> None:
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def test_a_close_while_another_process_writes_is_refused_with_the_holder_named(copy_of, capsys):
    f = copy_of("drafted")
    process = holder(f.out)
    try:
        assert close(f, "2021-01") == 2
        err = " ".join(capsys.readouterr().err.split())
        assert "another run is using this output folder" in err
        assert f"payout run --month 2021-02, pid {process.pid}" in err
        assert run(f, "2021-01") == 2  # and a run too
        assert payout_reject(f) == 2
    finally:
        release(process)
    status = json.loads((f.out / "2021-01" / "status.json").read_text(encoding="utf-8"))
    assert status["status"] == "draft"
    assert close(f, "2021-01") == 0  # once the holder is gone


def payout_reject(f) -> int:
    from pipeline.cli import main

    return main(["reject", "--month", "2021-01", "--reason", "wrong roster", "--out", str(f.out)])


def test_deleting_the_lock_file_does_not_let_a_second_writer_in(copy_of, capsys):
    f = copy_of("drafted")
    process = holder(f.out)
    try:
        (f.out / ".lock").unlink()
        assert close(f, "2021-01") == 2
        assert "another run is using this output folder" in " ".join(capsys.readouterr().err.split())
    finally:
        release(process)


def test_two_closes_at_once_release_the_month_once(copy_of):
    f = copy_of("drafted")
    command = [sys.executable, "-m", "pipeline.cli", "close", "--month", "2021-01", "--out", str(f.out)]
    both = [subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in both]
    assert sorted(code for code, _ in results) == [0, 2], results
    refused = " ".join(next(err for code, err in results if code == 2).split())
    assert "another run is using this output folder" in refused or "2021-01 is already closed" in refused
    chain = json.loads((f.out / "chain.json").read_text(encoding="utf-8"))
    assert [e["month"] for e in chain["months"]] == ["2021-01"]


def test_a_run_and_a_close_racing_on_one_month(copy_of, capsys):
    """A rerun of 2021-01 holds the folder: a close of 2021-01 meanwhile is refused (it would
    release a draft being replaced), and afterwards closes the new draft."""
    f = copy_of("drafted")
    command = [sys.executable, "-m", "pipeline.cli", "run", "--month", "2021-01", "--inbox", str(f.inbox)]
    rerun = subprocess.Popen([*command, "--out", str(f.out), "--quiet"], cwd=REPO, stderr=subprocess.PIPE, text=True)
    from tests.lifecycle.test_crashes import wait_until_it_holds_the_lock

    wait_until_it_holds_the_lock(f.out, rerun)
    assert close(f, "2021-01") == 2
    assert f"pid {rerun.pid}" in " ".join(capsys.readouterr().err.split())
    assert rerun.wait(timeout=60) == 0, rerun.stderr.read()
    assert close(f, "2021-01") == 0
