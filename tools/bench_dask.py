"""`payout-dev bench-dask`: the month partitioned by county on a Dask LocalCluster of 1, 2, ...
single-threaded worker processes, on a synthetic province (docs/scale.md). Steps as
pipeline/partition/month.py runs them, the counties submitted straight to Dask (no Prefect:
its overhead is measured apart). Reports per worker count the global steps', the counties'
and the write's wall time, the workers' CPU seconds and their peak memory. The machine is
shared: compare ratios within one run, never one wall time."""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from pipeline.paths import Inbox, OutDir
from pipeline.policy import load_policy
from pipeline.progress import Progress, timed
from pipeline.run import RunContext

MONTH = "2021-01"


@dataclass
class Quiet:
    """A reporter that can travel to a worker (the console's Progress holds a terminal)."""

    def step(self, name: str):
        return timed(lambda *_: None, name)

    def say(self, text: str) -> None: ...

    def show_summary(self, summary: dict) -> None: ...

    def show_audit(self, report: dict) -> None: ...


def worker_usage() -> tuple[float, int]:
    """(CPU seconds, peak RSS in MB) of this worker process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def timed_steps(client, wall: dict[str, float]):
    """run_step for run_steps over PARTITIONED_STEPS: the counties on the client's cluster, every step timed."""
    from pipeline.partition.county import compute_county
    from pipeline.partition.month import COUNTIES

    def run_step(step, ctx, values):
        began = time.perf_counter()
        if step.name == COUNTIES:
            futures = [client.submit(compute_county, ctx, part, Quiet(), pure=False) for part in values["partition"]]
            result = client.gather(futures)
        else:
            result = step.run(ctx, values, Progress(quiet=True))
        wall[step.name] = time.perf_counter() - began
        return result

    return run_step


def bench_dask(*, people: int, counties: int, workers: list[int], keep: Path | None = None) -> int:
    from distributed import Client, LocalCluster

    from pipeline.partition.month import COUNTIES, PARTITIONED_STEPS
    from pipeline.run import run_steps
    from tools.synth.generator import synthesize_inbox
    from tools.synth.province import province_policy_text

    root = keep or Path(tempfile.mkdtemp(prefix="bench-dask-"))
    (root / "policy").mkdir(parents=True, exist_ok=True)
    shutil.copytree(
        Path(__file__).resolve().parent.parent / "config" / "banks", root / "policy" / "banks", dirs_exist_ok=True
    )
    (root / "policy" / "policy.toml").write_text(province_policy_text(counties), encoding="utf-8")
    policy = load_policy(root / "policy" / "policy.toml")
    started = time.perf_counter()
    synthesize_inbox(root / "inbox", policy=policy, seed=2021, people=people, months=[MONTH], formats="csv")
    print(
        f"province of {counties} counties, {people:,} people, {MONTH}: inbox in {time.perf_counter() - started:.1f} s"
    )
    rows = []
    for n in workers:
        shutil.rmtree(root / f"out-{n}", ignore_errors=True)
        ctx = RunContext(MONTH, Inbox(root / "inbox"), OutDir(root / f"out-{n}"), policy)
        wall: dict[str, float] = {}
        with (
            LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
            Client(cluster) as client,
        ):
            run_steps(ctx, timed_steps(client, wall), PARTITIONED_STEPS)
            usage = client.run(worker_usage)
        cpu = sum(u[0] for u in usage.values())
        peak = max(u[1] for u in usage.values())
        global_s = sum(wall[s] for s in ("check-can-run", "ingest", "history", "validate", "partition"))
        rows.append((n, global_s, wall[COUNTIES], wall["merge"] + wall["write-draft"] + wall["audit"], cpu, peak))
    print("workers  global s  counties s  merge+write+audit s  workers' CPU s  peak MB/worker  counties speed-up")
    for n, global_s, county_s, after_s, cpu, peak in rows:
        print(
            f"{n:>7}  {global_s:8.1f}  {county_s:10.1f}  {after_s:19.1f}  {cpu:14.1f}  {peak:14d}  "
            f"{rows[0][2] / county_s:17.2f}"
        )
    if keep is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0
