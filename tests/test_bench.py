"""payout bench, in process and small: inbox cache, worker timings, report table."""

from __future__ import annotations

import io

from rich.console import Console

from pipeline import bench


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
