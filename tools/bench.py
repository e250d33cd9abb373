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

Each step's CPU seconds and peak memory are measured in the worker: before a step the kernel's
high-water mark of the process's resident memory (VmHWM) is reset to its current size (writing
"5" to /proc/self/clear_refs), after it VmHWM is read; elsewhere than Linux only the whole
process's peak is known.

targets() measures the issue's four cases (issue 14) and prints each ratio: the run of a first
month against a bare DuckDB script doing the least of the month (tools/baseline.py, in a fresh
process like the run), a later month against the first over the same inbox, and the province's
first month's peak memory. A worker whose resident memory passes a cap is killed, so that a run
too big for the machine fails alone instead of starving the machine.
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
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from rich.console import Console
from rich.table import Table

from pipeline.core.months import add_months, month_range
from pipeline.paths import REPO, Inbox, OutDir
from pipeline.policy import Policy, load_policy
from pipeline.progress import Progress

BENCH_DIR = REPO / "bench"
MONTH = "2021-01"
SEED = 7
TARGET = (124_000, 3.0)  # input side: 124k roster rows ingested and validated in < 3 s
RUN_TARGET = (124_000, 5.0)  # money side: the whole `payout run` of a month of 124k rows in < 5 s
RSS_CAP_MB = 12 * 1024  # a worker above this is killed: other work shares the machine


@dataclass(frozen=True)
class Timing:
    people: int
    rows: int  # input rows of the month (rosters, deaths, returns)
    rejected: int
    steps: dict[str, list[float]]  # step -> seconds of each repetition
    peak_mb: float
    startup_s: float  # the worker's time outside the timed steps (start-up, imports); 0 for runs
    step_cpu: dict[str, list[float]] = field(default_factory=dict)  # step -> CPU seconds of each repetition
    step_peak_mb: dict[str, float] = field(default_factory=dict)  # step -> its highest peak RSS over repetitions

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
    rss_cap_mb: float = RSS_CAP_MB,
    console: Console | None = None,
) -> int:
    console = console or _wide_console()
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
            results.append(
                time_run(inbox, policy.path, people, times, month=timed_month, history=history, rss_cap_mb=rss_cap_mb)
            )
    console.print(result_table(results, stage, timed_month))
    if stage == "run":
        for result in results:
            console.print(step_table(result, f"{result.people:,} people, {timed_month}: steps"))
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


def ensure_inbox(people: int, policy: Policy, console: Console, *, months: int = 1, accounts: bool = False) -> Path:
    """bench/inbox-<people>-seed<SEED>[-<months>m][-accounts]/, generated if missing or made by
    other generator code; with `accounts`, the same people with their personal accounts' inputs
    (opening balances) as well."""
    from tools.synth import synthesize_inbox

    suffix = (f"-{months}m" if months > 1 else "") + ("-accounts" if accounts else "")
    root = BENCH_DIR / f"inbox-{people}-seed{SEED}{suffix}"
    marker = root / ".complete.json"
    expected = {
        "people": people,
        "seed": SEED,
        "months": month_range(MONTH, add_months(MONTH, months - 1)),
        "generator": generator_version(),
        "policy_sha256": policy.sha256,
    }
    if accounts:
        expected["accounts"] = True
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
        accounts=accounts,
    )
    console.print(f"  generated in {time.perf_counter() - started:.1f} s")
    marker.write_text(json.dumps(expected), encoding="utf-8")
    return root


def runtime_version() -> str:
    """Hash of the runtime's code and SQL (pipeline/, schemas/): a cached history written by other
    code is rebuilt, one written by the same code is kept across commits to tools/ or docs/."""
    digest = hashlib.sha256()
    for folder in ("pipeline", "schemas"):
        for path in sorted((REPO / folder).rglob("*")):
            if path.suffix in (".py", ".sql") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def ensure_history(inbox: Path, people: int, month: str, policy: Policy, console: Console) -> Path:
    """bench/history-<people>-<month>/: the months before `month` run and closed from `inbox`,
    rebuilt when the inbox, the policy or the runtime code that wrote it changes."""
    from pipeline.lifecycle import close_month
    from pipeline.run import RunContext, run

    made = json.loads((inbox / ".complete.json").read_text(encoding="utf-8"))  # how the inbox was generated
    root = BENCH_DIR / (f"history-{people}-{month}" + ("-accounts" if made.get("accounts") else ""))
    marker = root / ".complete.json"
    expected = {
        "inbox": made,
        "code": runtime_version(),
        "policy_sha256": policy.sha256,
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


def policy_for(months: list[str], policy: Policy) -> Policy:
    """The policy, or for months running past its last year of account interest (a December close
    credits the year's interest and stops without its rate) a copy under bench/ that carries the
    last configured rate into those years, labelled as the bench's, beside a copy of its banks."""
    years = sorted({int(m[:4]) for m in months if m.endswith("-12")})
    configured = set(policy.account_interest["year"])
    missing = [y for y in years if y not in configured]
    if not missing:
        return policy
    last = policy.account_interest.iloc[-1]
    rows = "".join(
        f"\n[[account_interest]]\nyear = {year}\nrate = {last['rate']}\n"
        f'source = "BENCH ONLY: the {last["year"]} rate carried into {year} so that the bench\'s decade closes"\n'
        for year in missing
    )
    text = policy.path.read_text(encoding="utf-8") + rows
    folder = BENCH_DIR / f"policy-{hashlib.sha256(text.encode()).hexdigest()[:12]}"
    if not (folder / policy.path.name).is_file():
        shutil.copytree(policy.path.parent / "banks", folder / "banks", dirs_exist_ok=True)
        (folder / policy.path.name).write_text(text, encoding="utf-8")
    return load_policy(folder / policy.path.name)


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

RUN_STEPS = ("ingest", "history", "validate", "entitlement", "accounts", "write", "audit")
POLL_S = 0.1


def vm_hwm_mb() -> float | None:
    """The process's peak resident memory since start or since reset_peak() (Linux), else None."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return None


def reset_peak() -> bool:
    """Reset the peak (VmHWM) to the current resident size; False where the kernel does not allow it."""
    try:
        Path("/proc/self/clear_refs").write_text("5", encoding="ascii")
    except OSError:
        return False
    return True


@dataclass
class MeasuredProgress(Progress):
    """Progress that also keeps each step's CPU seconds (all threads) and peak resident memory."""

    cpu: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)

    def step(self, name: str):
        return self._measured(name)

    @contextmanager
    def _measured(self, name: str) -> Iterator[dict[str, int]]:
        resettable = reset_peak()
        cpu_started = time.process_time()
        with Progress.step(self, name) as counts:
            yield counts
        self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu_started
        peak = vm_hwm_mb() if resettable else None
        if peak is not None:
            self.peak_mb[name] = max(self.peak_mb.get(name, 0.0), peak)


@dataclass(frozen=True)
class Measured:
    """One worker process: its wall time, CPU seconds (user + system, all threads), peak RSS, stdout."""

    wall_s: float
    cpu_s: float
    peak_mb: float
    stdout: str


def run_measured(command: list[str], *, rss_cap_mb: float = RSS_CAP_MB, timeout_s: float | None = None) -> Measured:
    """Run a worker, killing it if its resident memory passes rss_cap_mb or it outlives timeout_s."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        killed, high_water = "", 0.0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            memory = _memory_mb(process.pid)
            rss = memory.get("VmRSS")
            high_water = max([high_water, *memory.values()])
            if rss is not None and rss > rss_cap_mb:
                killed = f"killed: resident memory {rss:,.0f} MB passed the bench's cap of {rss_cap_mb:,.0f} MB"
            elif timeout_s is not None and time.perf_counter() - started > timeout_s:
                killed = f"killed: still running after {timeout_s:.0f} s"
            if killed:
                process.kill()
            time.sleep(POLL_S)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode(errors="replace")
    if killed or process.returncode != 0:
        raise RuntimeError(f"{' '.join(command[2:5])} failed ({killed or process.returncode}):\n{stderr[-4000:]}")
    # the child's own high-water mark as polled: its ru_maxrss also counts the bench's memory at
    # the fork (Linux carries the pre-exec peak over), gigabytes once a history was built here
    peak = high_water or peak_mb(usage)  # a child gone before the first poll: nothing better
    return Measured(wall_s=elapsed, cpu_s=usage.ru_utime + usage.ru_stime, peak_mb=peak, stdout=stdout)


def _memory_mb(pid: int) -> dict[str, float]:
    """The process's resident size (VmRSS) and its high-water mark (VmHWM), those it reports."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return {}
    fields = (line.split() for line in status.splitlines() if line.startswith(("VmRSS:", "VmHWM:")))
    return {name.rstrip(":"): int(kib) / 1024 for name, kib, *_ in fields}


def run_worker(inbox: Path, out: Path, policy_path: Path, month: str) -> NoReturn:
    """In the worker process: `month` run as `payout run --quiet` runs it, then each step's time,
    CPU seconds and peak memory on stdout as JSON."""
    from pipeline.cli import exit_without_teardown, tune_interpreter
    from pipeline.run import RunContext, run

    tune_interpreter()
    progress = MeasuredProgress(quiet=True)
    run(RunContext(month, Inbox(inbox), OutDir(out), load_policy(policy_path)), progress)
    print(json.dumps({"seconds": progress.timings, "cpu": progress.cpu, "peak_mb": progress.peak_mb}))
    exit_without_teardown(0)


def time_run(
    inbox: Path,
    policy_path: Path,
    people: int,
    repeats: int,
    *,
    month: str = MONTH,
    history: Path | None = None,
    rss_cap_mb: float = RSS_CAP_MB,
) -> Timing:
    """Each repetition runs `month` into a fresh folder, or over `history` (its open draft of
    `month`, if any, is replaced: that is what a rerun of an open month does)."""
    seconds, peaks, cpu = [], [], []
    per_step: dict[str, list[float]] = {}
    step_cpu: dict[str, list[float]] = {}
    step_peak: dict[str, float] = {}
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="payout-bench-") as scratch:
            out = history or Path(scratch)
            command = [*WORKER, "--run", month, "--inbox", str(inbox), "--out", str(out), "--policy", str(policy_path)]
            measured = run_measured(command, rss_cap_mb=rss_cap_mb)
            report = json.loads(measured.stdout.strip().splitlines()[-1])
            seconds.append(measured.wall_s)
            # resetting VmHWM resets the peak the kernel reports at exit too: the process's peak is
            # the highest of its steps' (and of what the exit reports, for the time after the last)
            peaks.append(max([measured.peak_mb, *report["peak_mb"].values()]))
            cpu.append(measured.cpu_s)
            for step, spent in report["seconds"].items():
                per_step.setdefault(step, []).append(spent)
                step_cpu.setdefault(step, []).append(report["cpu"][step])
            for step, peak in report["peak_mb"].items():
                step_peak[step] = max(step_peak.get(step, 0.0), peak)
            rows, rejected = _rows_of_run(out, month)
    return Timing(
        people=people,
        rows=rows,
        rejected=rejected,
        steps={**per_step, "payout run": seconds, "CPU": cpu},
        peak_mb=max(peaks),
        startup_s=0.0,
        step_cpu=step_cpu,
        step_peak_mb=step_peak,
    )


BASELINE = (sys.executable, "-m", "tools.baseline")


def time_baseline(
    inbox: Path, policy_path: Path, people: int, repeats: int, *, month: str = MONTH, rss_cap_mb: float = RSS_CAP_MB
) -> Timing:
    """The bare DuckDB script of tools/baseline.py on the same inbox, in a fresh process each time."""
    seconds, cpu, peaks = [], [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="payout-baseline-") as scratch:
            command = [
                *BASELINE,
                "--inbox",
                str(inbox),
                "--month",
                month,
                "--out",
                scratch,
                "--policy",
                str(policy_path),
            ]
            measured = run_measured(command, rss_cap_mb=rss_cap_mb)
            paid = json.loads(measured.stdout.strip().splitlines()[-1])
            if paid["people"] == 0:
                raise RuntimeError(f"the baseline paid nobody in {inbox}: it measures nothing")
            seconds.append(measured.wall_s)
            cpu.append(measured.cpu_s)
            peaks.append(measured.peak_mb)
    return Timing(
        people=people,
        rows=paid["people"],
        rejected=0,
        steps={"baseline": seconds, "CPU": cpu},
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


def step_table(result: Timing, title: str) -> Table:
    """One run's steps: median time and CPU seconds, and the highest peak resident memory."""
    table = Table(title=title)
    table.add_column("step")
    table.add_column("time s\n(median)", justify="right")
    table.add_column("CPU s\n(median)", justify="right")
    table.add_column("peak RSS MB\n(highest)", justify="right")
    for step in [s for s in result.steps if s not in ("payout run", "CPU")]:
        cpu = result.step_cpu.get(step)
        peak = result.step_peak_mb.get(step)
        table.add_row(
            step,
            f"{result.median(step):.2f}",
            f"{statistics.median(cpu):.2f}" if cpu else "",
            f"{peak:,.0f}" if peak is not None else "",
        )
    table.add_row(
        "whole process", f"{result.median('payout run'):.2f}", f"{result.median('CPU'):.2f}", f"{result.peak_mb:,.0f}"
    )
    return table


# -- the targets -----------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """A target of issue 14: the run of the `months`-th month of an inbox of `people`, its wall
    time (median) at most `limit` times the reference's: the bare baseline of the same month, or
    (against="first") the first month's run of the same inbox, or (against="no-accounts") the
    same month of the same people without the personal accounts' inputs (so the ratio is what the
    accounts cost the month, SPEC §5a); peak_gb: its peak RSS at most that. accounts: the inbox
    carries the accounts' inputs."""

    name: str
    people: int
    months: int
    against: str  # "baseline", "first" or "no-accounts"
    limit: float
    peak_gb: float | None = None
    accounts: bool = False


CASES = {
    "first-month": Case("first-month", 124_000, 1, "baseline", 2.0),
    "accounts": Case("accounts", 124_000, 1, "no-accounts", 1.10, accounts=True),
    "accounts-december": Case("accounts-december", 124_000, 12, "no-accounts", 1.10, accounts=True),
    "december": Case("december", 124_000, 12, "first", 1.15),
    "decade": Case("decade", 20_000, 120, "first", 1.3),
    "province": Case("province", 10_000_000, 1, "baseline", 2.5, peak_gb=8.0),
}


@dataclass(frozen=True)
class Outcome:
    case: Case
    measured: Timing
    reference: Timing
    baseline: Timing | None

    @property
    def ratio(self) -> float:
        return self.measured.median("payout run") / self.reference.median(_timed(self.reference))

    @property
    def cpu_ratio(self) -> float:
        return self.measured.median("CPU") / self.reference.median("CPU")

    @property
    def met(self) -> bool:
        within = self.ratio <= self.case.limit
        if self.case.peak_gb is not None:
            within = within and self.measured.peak_mb <= self.case.peak_gb * 1024
        return within


def _timed(timing: Timing) -> str:
    return "baseline" if "baseline" in timing.steps else "payout run"


def targets(
    names: list[str],
    policy: Policy,
    *,
    repeats: int | None = None,
    rss_cap_mb: float = RSS_CAP_MB,
    console: Console | None = None,
) -> int:
    """Measure the named cases (CASES) and print each ratio to its target; 0 if every one is met."""
    console = console or _wide_console()
    outcomes = []
    for name in names:
        case = CASES[name]
        outcome = measure_case(case, policy, repeats=repeats, rss_cap_mb=rss_cap_mb, console=console)
        if _timed(outcome.reference) == "payout run":  # the month it is measured against, step by step
            console.print(step_table(outcome.reference, f"{case.name}: steps of the month it is measured against"))
        console.print(step_table(outcome.measured, f"{case.name}: steps of the timed month"))
        console.print(targets_table([outcome]))  # at once: the next case may take long
        outcomes.append(outcome)
    if len(outcomes) > 1:
        console.print(targets_table(outcomes))
    return 0 if all(o.met for o in outcomes) else 1


def measure_case(case: Case, policy: Policy, *, repeats: int | None, rss_cap_mb: float, console: Console) -> Outcome:
    months = month_range(MONTH, add_months(MONTH, case.months - 1))
    inbox = ensure_inbox(case.people, policy, console, months=case.months, accounts=case.accounts)
    policy = policy_for(months, policy)
    times = repeats or (5 if case.people <= 200_000 else 3)
    timed = months[-1]
    console.print(f"[bold]{case.name}[/]: {case.people:,} people, {timed}, × {times} …")
    if case.against == "no-accounts":
        plain = ensure_inbox(case.people, policy, console, months=case.months)
        histories = {
            i: ensure_history(i, case.people, timed, policy, console) if case.months > 1 else None
            for i in (plain, inbox)
        }
        # alternated run by run: the machine's speed drifts by more than the difference measured
        pairs = [
            tuple(
                time_run(i, policy.path, case.people, 1, month=timed, history=histories[i], rss_cap_mb=rss_cap_mb)
                for i in (plain, inbox)
            )
            for _ in range(times)
        ]
        without, with_accounts = (pooled([pair[k] for pair in pairs]) for k in (0, 1))
        return Outcome(case, measured=with_accounts, reference=without, baseline=None)
    baseline = time_baseline(inbox, policy.path, case.people, times, month=MONTH, rss_cap_mb=rss_cap_mb)
    first = time_run(inbox, policy.path, case.people, times, month=MONTH, rss_cap_mb=rss_cap_mb)
    if case.months == 1:
        return Outcome(case, measured=first, reference=baseline, baseline=baseline)
    history = ensure_history(inbox, case.people, timed, policy, console)
    later = time_run(inbox, policy.path, case.people, times, month=timed, history=history, rss_cap_mb=rss_cap_mb)
    return Outcome(case, measured=later, reference=first, baseline=baseline)


def pooled(timings: list[Timing]) -> Timing:
    """Repetitions timed one at a time, as one Timing."""
    first = timings[0]
    return Timing(
        people=first.people,
        rows=first.rows,
        rejected=first.rejected,
        steps={k: [x for t in timings for x in t.steps[k]] for k in first.steps},
        peak_mb=max(t.peak_mb for t in timings),
        startup_s=first.startup_s,
        step_cpu={k: [x for t in timings for x in t.step_cpu[k]] for k in first.step_cpu},
        step_peak_mb={k: max(t.step_peak_mb[k] for t in timings) for k in first.step_peak_mb},
    )


def targets_table(outcomes: list[Outcome]) -> Table:
    table = Table(title=f"issue 14 targets ({os.cpu_count()} cores; medians of wall time)")
    for column in ("case", "timed", "s", "against", "s", "ratio", "CPU ratio", "target", "peak RSS MB", "met"):
        table.add_column(column, justify="left" if column in ("case", "timed", "against", "target") else "right")
    for o in outcomes:
        timed = add_months(MONTH, o.case.months - 1)
        against = {"baseline": "baseline", "first": f"{MONTH} run", "no-accounts": "no accounts"}[o.case.against]
        target = f"≤ {o.case.limit:g}×" + (f", ≤ {o.case.peak_gb:g} GB" if o.case.peak_gb else "")
        table.add_row(
            o.case.name,
            f"{o.case.people:,} people, {timed}",
            f"{o.measured.median('payout run'):.2f}",
            against,
            f"{o.reference.median(_timed(o.reference)):.2f}",
            f"{o.ratio:.2f}×",
            f"{o.cpu_ratio:.2f}×",
            target,
            f"{o.measured.peak_mb:,.0f}",
            "[green]met[/]" if o.met else "[red]missed[/]",
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table.caption = f"load average {load}; baseline = tools/baseline.py on the same inbox, fresh process"
    return table


def _wide_console() -> Console:
    console = Console()
    if not console.is_terminal:  # piped or logged: room for the whole table
        console = Console(width=max(console.width, 132))
    return console


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
