"""payout-dev bench, in process and small: inbox cache, worker timings, report table."""

from __future__ import annotations

import io
import json

from rich.console import Console

from tools import bench


def test_bench_pieces_on_a_small_inbox(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path / "bench")
    console = Console(file=io.StringIO(), width=160)
    inbox = bench.ensure_inbox(300, policy, console)
    assert inbox == tmp_path / "bench" / "inbox-300-seed7"
    assert (inbox / bench.MONTH / "rosters").is_dir()
    marker = (inbox / ".complete.json").read_text(encoding="utf-8")
    # a second call reuses the cache (no regeneration message)
    console.file = io.StringIO()
    assert bench.ensure_inbox(300, policy, console) == inbox
    assert "generating" not in console.file.getvalue()
    assert (inbox / ".complete.json").read_text(encoding="utf-8") == marker

    report = bench.worker(inbox, policy.path, repeats=2)
    assert len(report["ingest"]) == len(report["validate"]) == len(report["cpu"]) == 2
    assert report["rows"] >= 300
    assert report["peak_mb"] > 0
    both = [a + b for a, b in zip(report["ingest"], report["validate"], strict=True)]
    timing = bench.Timing(
        people=300,
        rows=report["rows"],
        rejected=report["rejected"],
        steps={
            "ingest": report["ingest"],
            "validate": report["validate"],
            "ingest + validate": both,
            "CPU": report["cpu"],
        },
        peak_mb=report["peak_mb"],
        startup_s=1.0,
    )
    assert timing.best("ingest + validate") == min(both)
    console.file = io.StringIO()
    console.print(bench.result_table([timing], "validate"))
    text = console.file.getvalue()
    assert "300" in text and f"{report['rows']:,}" in text and "ingest + validate" in text


def test_run_of_a_later_month_over_closed_history(tmp_path, monkeypatch, policy):
    """--months 3: the third month is timed over the first two, run and closed once and reused."""
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path / "bench")
    console = Console(file=io.StringIO(), width=200)
    inbox = bench.ensure_inbox(300, policy, console, months=3)
    assert {"2021-01", "2021-02", "2021-03"} <= {p.name for p in inbox.iterdir()}
    history = bench.ensure_history(inbox, 300, "2021-03", policy, console)
    status = {m: json.loads((history / m / "status.json").read_text())["status"] for m in ("2021-01", "2021-02")}
    assert status == {"2021-01": "closed", "2021-02": "closed"}
    assert not (history / "2021-03").exists()
    console.file = io.StringIO()
    assert bench.ensure_history(inbox, 300, "2021-03", policy, console) == history
    assert "running and closing" not in console.file.getvalue()

    timing = bench.time_run(inbox, policy.path, 300, repeats=2, month="2021-03", history=history)
    assert len(timing.steps["payout run"]) == 2
    assert set(bench.RUN_STEPS) <= set(timing.steps)
    assert timing.rows >= 300
    assert json.loads((history / "2021-03" / "status.json").read_text())["status"] == "draft"

    console.file = io.StringIO()
    console.print(bench.result_table([timing], "run", "2021-03"))
    assert "month 2021-03 after 2021-01..2021-02 closed" in console.file.getvalue()


def test_verdict_names_the_target_only_at_its_size():
    timing = bench.Timing(
        people=124_000, rows=124_000, rejected=0, steps={"payout run": [4.2, 4.6], "CPU": [5.0]}, peak_mb=1, startup_s=0
    )
    assert "< 5 s on" in bench.verdict(timing, "run", "2021-01") and "met" in bench.verdict(timing, "run", "2021-01")
    slow = bench.Timing(**{**timing.__dict__, "steps": {"payout run": [5.1], "CPU": [6.0]}})
    assert "missed" in bench.verdict(slow, "run", "2021-12")
    assert bench.verdict(bench.Timing(**{**timing.__dict__, "people": 300}), "run", "2021-01") == ""
