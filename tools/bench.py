"""`payout-dev bench`: how long a month takes on synthetic inboxes of a given size.

stage="validate" times reading the month's files (ingest) and validating them, separately, in a
fresh Python process per size (so that the peak memory reported belongs to that size), several
times, and reports the best and the median. stage="run" times a month's whole run in a fresh
worker process that does what `payout run --quiet` does (the same interpreter tuning and exit),
imports included, into a fresh output folder each time, and the worker reports each step's time;
with months=N it times the run of the N-th month over an output folder holding the N-1 earlier
months, run and closed (the steady state of the year: the ledger and due grow by a month each
month).

Inboxes are generated once per size and seed under `bench/` at the repository root (git-ignored)
and reused while the generator's code is unchanged.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.table import Table

from pipeline.core.months import add_months, month_range
from pipeline.paths import REPO, Inbox, OutDir
from pipeline.policy import Policy

BENCH_DIR = REPO / "bench"
MONTH = "2021-01"
SEED = 7
TARGET = (124_000, 3.0)  # input side: 124k roster rows ingested and validated in < 3 s
RUN_TARGET = (124_000, 5.0)  # money side: the whole `payout run` of a month of 124k rows in < 5 s


@dataclass(frozen=True)
class Timing:
    people: int
    rows: int  # input rows of the month (rosters, deaths, returns)
    rejected: int
    steps: dict[str, list[float]]  # step -> seconds of each repetition
    peak_mb: float
    startup_s: float  # the worker's time outside the timed steps (start-up, imports); 0 for runs

    def best(self, step: str) -> float:
        return min(self.steps[step])

    def median(self, step: str) -> float:
        return statistics.median(self.steps[step])


def bench(
    rows: list[int],
    stage: str,
    policy: Policy,
    *,
    months: int = 1,
    repeats: int | None = None,
    console: Console | None = None,
) -> int:
    if console is None:
        console = Console()
        if not console.is_terminal:  # piped or logged: room for the whole table
            console = Console(width=max(console.width, 132))
    if stage not in ("validate", "run"):
        raise ValueError(f"stage must be 'validate' or 'run', not {stage!r}")
    if months > 1 and stage != "run":
        raise ValueError("months > 1 times a run over earlier months: use stage 'run'")
    timed_month = add_months(MONTH, months - 1)
    results = []
    for people in rows:
        inbox = ensure_inbox(people, policy, console, months=months)
        history = ensure_history(inbox, people, timed_month, policy, console) if months > 1 else None
        times = repeats or (5 if people <= 200_000 else 3)
        console.print(f"[bold]{people:,}[/] people: timing {stage} of {timed_month} × {times} …")
        if stage == "validate":
            results.append(time_validation(inbox, policy.path, people, times))
        else:
            results.append(time_run(inbox, policy.path, people, times, month=timed_month, history=history))
    console.print(result_table(results, stage, timed_month))
    for result in results:
        console.print(verdict(result, stage, timed_month))
    return 0


def verdict(result: Timing, stage: str, month: str) -> str:
    """The issue's target for the stage, met or missed, at the target's size ('' at other sizes)."""
    people, limit = TARGET if stage == "validate" else RUN_TARGET
    if result.people != people:
        return ""
    step = "ingest + validate" if stage == "validate" else "payout run"
    best, median = result.best(step), result.median(step)
    met = "[green]met[/]" if best < limit else "[red]missed[/]"
    return (
        f"target {people:,} rows, {step} of {month} in < {limit:.0f} s on {os.cpu_count()} cores: {met} "
        f"({best:.2f} s best, {median:.2f} s median wall time, {result.best('CPU'):.2f} s CPU; "
        f"load average {os.getloadavg()[0]:.1f})"
    )


# -- inputs ----------------------------------------------------------------------------------


def generator_version() -> str:
    """Hash of the synthetic generator's code: a cached inbox from other code is regenerated."""
    digest = hashlib.sha256()
    for path in sorted((REPO / "tools" / "synth").glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_inbox(people: int, policy: Policy, console: Console, *, months: int = 1) -> Path:
    """bench/inbox-<people>-seed<SEED>[-<months>m]/, generated if missing or made by other
    generator code."""
    from tools.synth import synthesize_inbox

    root = BENCH_DIR / (f"inbox-{people}-seed{SEED}" + (f"-{months}m" if months > 1 else ""))
    marker = root / ".complete.json"
    expected = {
        "people": people,
        "seed": SEED,
        "months": month_range(MONTH, add_months(MONTH, months - 1)),
        "generator": generator_version(),
        "policy_sha256": policy.sha256,
    }
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == expected:
        return root
    if root.exists():
        shutil.rmtree(root)
    console.print(f"generating a synthetic inbox of {people:,} people, {months} month(s), in {root} …")
    started = time.perf_counter()
    synthesize_inbox(
        root,
        policy=policy,
        seed=SEED,
        people=people,
        months=expected["months"],
        edge_cases=False,
        formats="csv",
    )
    console.print(f"  generated in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return root


def ensure_history(inbox: Path, people: int, month: str, policy: Policy, console: Console) -> Path:
    """bench/history-<people>-<month>/: the months before `month` run and closed from `inbox`,
    rebuilt when the inbox or the code that wrote it changes."""
    from pipeline.lifecycle import close_month
    from pipeline.progress import Progress
    from pipeline.run import RunContext, code_version, run

    root = BENCH_DIR / f"history-{people}-{month}"
    marker = root / ".complete.json"
    expected = {
        "inbox": json.loads((inbox / ".complete.json").read_text(encoding="utf-8")),
        "code": code_version(),
        "month": month,
    }
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")) == expected:
        return root
    if root.exists():
        shutil.rmtree(root)
    before = add_months(month, -1)
    console.print(f"running and closing {MONTH} to {before} into {root} (once per inbox and code version) …")
    started = time.perf_counter()
    context = RunContext(before, Inbox(inbox), OutDir(root), policy)
    run(context, Progress(quiet=True), catch_up=True)
    close_month(OutDir(root), policy.opening_month, before)
    console.print(f"  done in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return root


# -- stage "validate": a worker process per size ---------------------------------------------


def time_validation(inbox: Path, policy_path: Path, people: int, repeats: int) -> Timing:
    command = [
        *WORKER,
        "--inbox",
        str(inbox),
        "--policy",
        str(policy_path),
        "--repeats",
        str(repeats),
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"bench worker failed:\n{done.stderr}")
    wall = time.perf_counter() - started
    report = json.loads(done.stdout.strip().splitlines()[-1])
    both = [a + b for a, b in zip(report["ingest"], report["validate"], strict=True)]
    steps = {
        "ingest": report["ingest"],
        "validate": report["validate"],
        "ingest + validate": both,
        "CPU": report["cpu"],
    }
    return Timing(
        people=people,
        rows=report["rows"],
        rejected=report["rejected"],
        steps=steps,
        peak_mb=report["peak_mb"],
        startup_s=wall - sum(both),
    )


def worker(inbox: Path, policy_path: Path, repeats: int) -> dict:
    """In the worker process: read and validate the month `repeats` times."""
    from pipeline.ingest.inputs import read_month
    from pipeline.paths import Inbox
    from pipeline.policy import load_policy
    from pipeline.validate.month import PastMonths, validate_month

    policy = load_policy(policy_path)
    ingest, validate, cpu = [], [], []
    for _ in range(repeats):
        c0, t0 = time.process_time(), time.perf_counter()
        raw = read_month(Inbox(inbox), MONTH, headers=policy.header_rules)
        t1 = time.perf_counter()
        month = validate_month(raw, history=PastMonths.empty(), policy=policy, run_month=MONTH)
        t2, c2 = time.perf_counter(), time.process_time()
        ingest.append(t1 - t0)
        validate.append(t2 - t1)
        cpu.append(c2 - c0)  # CPU seconds of all threads: what a busy machine cannot inflate much
    rows = int(raw.rows_read["rows"].sum())
    return {
        "ingest": ingest,
        "validate": validate,
        "cpu": cpu,
        "rows": rows,
        "rejected": len(month.rejects),
        "peak_mb": peak_mb(resource.getrusage(resource.RUSAGE_SELF)),
    }


def peak_mb(usage: resource.struct_rusage) -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return usage.ru_maxrss * scale / 2**20


# -- stage "run": the whole run in a worker process --------------------------------------------

RUN_STEPS = ("ingest", "history", "validate", "entitlement", "write", "audit")


def run_worker(inbox: Path, out: Path, policy_path: Path, month: str) -> NoReturn:
    """In the worker process: `month` run as `payout run --quiet` runs it, then its steps' times
    on stdout as JSON."""
    from pipeline.cli import exit_without_teardown, tune_interpreter
    from pipeline.policy import load_policy
    from pipeline.progress import Progress
    from pipeline.run import RunContext, run

    tune_interpreter()
    progress = Progress(quiet=True)
    run(RunContext(month, Inbox(inbox), OutDir(out), load_policy(policy_path)), progress)
    print(json.dumps(progress.timings))
    exit_without_teardown(0)


def time_run(
    inbox: Path, policy_path: Path, people: int, repeats: int, *, month: str = MONTH, history: Path | None = None
) -> Timing:
    """Each repetition runs `month` into a fresh folder, or over `history` (its open draft of
    `month`, if any, is replaced: that is what a rerun of an open month does)."""
    seconds, peaks, cpu = [], [], []
    per_step: dict[str, list[float]] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="payout-bench-") as scratch:
            out = history or Path(scratch)
            command = [
                *WORKER,
                "--run",
                month,
                "--inbox",
                str(inbox),
                "--out",
                str(out),
                "--policy",
                str(policy_path),
            ]
            timings = Path(scratch) / "step-timings.json"
            with timings.open("wb") as report:
                started = time.perf_counter()
                process = subprocess.Popen(command, stdout=report, stderr=subprocess.PIPE)
                errors = process.stderr.read()
                _, status, usage = os.wait4(process.pid, 0)
                elapsed = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            process.stderr.close()
            if process.returncode != 0:
                raise RuntimeError(f"the run of {month} failed ({process.returncode}):\n{errors.decode()}")
            seconds.append(elapsed)
            for step, spent in json.loads(timings.read_text(encoding="utf-8")).items():
                per_step.setdefault(step, []).append(spent)
            peaks.append(peak_mb(usage))
            cpu.append(usage.ru_utime + usage.ru_stime)
            rows, rejected = _rows_of_run(out, month)
    return Timing(
        people=people,
        rows=rows,
        rejected=rejected,
        steps={**per_step, "payout run": seconds, "CPU": cpu},
        peak_mb=max(peaks),
        startup_s=0.0,
    )


def _rows_of_run(out: Path, month: str) -> tuple[int, int]:
    summary = json.loads((out / month / "summary.json").read_text(encoding="utf-8"))
    per_kind = summary["rows"]["per_kind"]
    return (
        sum(v["rows_read"] for v in per_kind.values()),
        sum(v["rejected"] for v in per_kind.values()),
    )


# -- report ------------------------------------------------------------------------------------


def result_table(results: list[Timing], stage: str, month: str = MONTH) -> Table:
    run_steps = [s for s in RUN_STEPS if any(s in r.steps for r in results)] + ["payout run"]
    steps = ["ingest", "validate", "ingest + validate"] if stage == "validate" else run_steps
    history = f" after {MONTH}..{add_months(month, -1)} closed" if month != MONTH else ""
    table = Table(
        title=f"payout-dev bench --stage {stage} (month {month}{history}, seed {SEED}, {os.cpu_count()} cores)"
    )
    table.add_column("people", justify="right")
    table.add_column("rows read", justify="right")
    table.add_column("rejected", justify="right")
    for step in steps:
        table.add_column(f"{step} s\nbest / median", justify="right")
    table.add_column("CPU s\n(best)", justify="right")
    table.add_column("rows/s\n(best)", justify="right")
    table.add_column("peak RSS\nMB", justify="right")
    for r in results:
        last = steps[-1]
        table.add_row(
            f"{r.people:,}",
            f"{r.rows:,}",
            f"{r.rejected:,}",
            *[f"{r.best(s):.2f} / {r.median(s):.2f}" for s in steps],
            f"{r.best('CPU'):.2f}",
            f"{r.rows / r.best(last):,.0f}",
            f"{r.peak_mb:,.0f}",
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table.caption = f"load average {load} (wall times grow on a busy machine; CPU s much less)"
    if stage == "validate":
        table.caption += (
            "; one fresh process per size; its start-up, imports and policy (not timed "
            "above): " + ", ".join(f"{r.startup_s:.1f} s" for r in results)
        )
    return table


WORKER = (sys.executable, "-m", "tools.bench")


def _main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description="bench workers (internal)")
    args.add_argument("--inbox", type=Path, required=True)
    args.add_argument("--policy", type=Path, required=True)
    args.add_argument("--repeats", type=int, default=5)
    args.add_argument("--run", metavar="MONTH", help="run MONTH into --out instead, once")
    args.add_argument("--out", type=Path)
    options = args.parse_args(argv)
    if options.run:
        run_worker(options.inbox, options.out, options.policy, options.run)
    print(json.dumps(worker(options.inbox, options.policy, options.repeats)))


if __name__ == "__main__":
    _main()
