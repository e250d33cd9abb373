"""payout-dev bench, in process and small: inbox cache, worker timings, report table."""

from __future__ import annotations

import io
import json
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest
from rich.console import Console

from pipeline.core.months import month_range
from tools import baseline, bench


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


def test_each_step_reports_its_cpu_and_its_own_peak_memory():
    progress = bench.MeasuredProgress(quiet=True)
    with progress.step("big"):
        block = bytearray(200 * 2**20)
        block[::4096] = b"1" * len(block[::4096])  # touch every page: resident, not just reserved
        del block
    with progress.step("small"):
        sum(range(10_000))
    assert set(progress.timings) == set(progress.cpu) == {"big", "small"}
    assert all(seconds >= 0 for seconds in progress.cpu.values())
    if bench.vm_hwm_mb() is not None:  # Linux: the peak was reset between the steps
        assert progress.peak_mb["big"] > progress.peak_mb["small"] + 150


def test_a_worker_above_the_memory_cap_is_killed():
    grow = [
        sys.executable,
        "-c",
        "import time; b = bytearray(400 * 2**20); b[::4096] = b'1' * len(b[::4096]); time.sleep(30)",
    ]
    with pytest.raises(RuntimeError, match="passed the bench's cap of 100 MB"):
        bench.run_measured(grow, rss_cap_mb=100)
    done = bench.run_measured([sys.executable, "-c", "print('{\"ok\": 1}')"], rss_cap_mb=1000)
    assert json.loads(done.stdout) == {"ok": 1} and done.peak_mb > 0 and done.cpu_s >= 0


def test_a_workers_peak_is_its_own_not_the_bench_processs():
    # the bench holds gigabytes once it built a history; a small worker forked from it must not
    # report them (its ru_maxrss does: Linux carries the peak from before the exec over)
    held = bytearray(600 * 2**20)
    held[::4096] = b"1" * len(held[::4096])
    small = bench.run_measured([sys.executable, "-c", "import time; time.sleep(0.5)"], rss_cap_mb=2000)
    assert 0 < small.peak_mb < 300
    del held


def test_baseline_pays_base_and_topup_to_those_receiving(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path / "bench")
    inbox = bench.ensure_inbox(300, policy, Console(file=io.StringIO()))
    paid = baseline.baseline(inbox, "2021-01", tmp_path / "out", policy.path)
    rosters = pd.concat(
        pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted((inbox / "2021-01" / "rosters").glob("*.csv"))
    )
    receiving = rosters[
        (rosters["参保状态"] == "领取")
        & (rosters["待遇起始年月"] <= "2021-01")
        & (rosters["暂停年月"] == "")
        & (rosters["终止年月"] == "")
    ]
    over_65 = (receiving["身份证号"].str[6:10].astype(int) + 65).astype(str) + "-" + receiving["身份证号"].str[10:12]
    expected = 39200 * len(receiving) + 500 * int((over_65 <= "2021-01").sum())  # policy.toml's 2021 rates
    assert paid == {"people": len(receiving), "total_fen": expected, "banks": receiving["开户银行"].nunique()}
    ledger = pq.read_table(tmp_path / "out" / "ledger.parquet").to_pandas()
    assert int(ledger["amount_fen"].sum()) == expected and set(ledger["amount_fen"]) <= {39200, 39700}
    per_bank = {p.stem for p in (tmp_path / "out").glob("*.csv")}
    assert per_bank == set(receiving["开户银行"])


def test_a_decade_gets_the_interest_rows_the_policy_lacks(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path / "bench")
    assert bench.policy_for(["2021-01", "2021-12"], policy) is policy
    decade = bench.policy_for(month_range("2021-01", "2023-12"), policy)
    assert list(decade.account_interest["year"]) == [2021, 2022, 2023]
    assert decade.interest_rate(2023) == policy.interest_rate(2021)
    assert decade.path.parent.parent == tmp_path / "bench" and (decade.path.parent / "banks").is_dir()
    assert decade.rates.equals(policy.rates)


def test_ratio_and_verdict_of_a_case():
    def timing(run: list[float], cpu: list[float], peak: float = 100.0, key: str = "payout run") -> bench.Timing:
        return bench.Timing(people=1, rows=1, rejected=0, steps={key: run, "CPU": cpu}, peak_mb=peak, startup_s=0)

    case = bench.CASES["province"]
    base = timing([2.0, 4.0, 100.0], [3.0, 4.0, 5.0], key="baseline")
    met = bench.Outcome(case, measured=timing([9.0, 10.0, 11.0], [8.0]), reference=base, baseline=base)
    assert met.ratio == 2.5 and met.cpu_ratio == 2.0 and met.met  # medians: 10 / 4
    too_big = bench.Outcome(case, measured=timing([10.0], [8.0], peak=8 * 1024 + 1), reference=base, baseline=base)
    assert not too_big.met
    slow = bench.Outcome(case, measured=timing([10.1], [8.0]), reference=base, baseline=base)
    assert not slow.met


def test_an_accounts_inbox_and_its_history_are_kept_apart_from_the_plain_ones(tmp_path, monkeypatch, policy):
    monkeypatch.setattr(bench, "BENCH_DIR", tmp_path / "bench")
    console = Console(file=io.StringIO(), width=160)
    plain = bench.ensure_inbox(300, policy, console, months=2)
    accounts = bench.ensure_inbox(300, policy, console, months=2, accounts=True)
    assert (plain.name, accounts.name) == ("inbox-300-seed7-2m", "inbox-300-seed7-2m-accounts")
    assert (accounts / "accounts" / "opening.csv").is_file() and not (plain / "accounts").exists()
    histories = {bench.ensure_history(i, 300, "2021-02", policy, console).name for i in (plain, accounts)}
    assert histories == {"history-300-2021-02", "history-300-2021-02-accounts"}


def test_timings_taken_one_at_a_time_pool_into_one():
    def timing(seconds: float, peak: float) -> bench.Timing:
        return bench.Timing(
            people=1, rows=1, rejected=0, steps={"payout run": [seconds], "CPU": [seconds / 2]}, peak_mb=peak,
            startup_s=0, step_cpu={"write": [seconds / 4]}, step_peak_mb={"write": peak},
        )  # fmt: skip

    pooled = bench.pooled([timing(3.0, 100.0), timing(1.0, 300.0), timing(2.0, 200.0)])
    assert pooled.steps == {"payout run": [3.0, 1.0, 2.0], "CPU": [1.5, 0.5, 1.0]}
    assert pooled.median("payout run") == 2.0 and pooled.peak_mb == 300.0
    assert pooled.step_cpu == {"write": [0.75, 0.25, 0.5]} and pooled.step_peak_mb == {"write": 300.0}
