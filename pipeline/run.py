"""One monthly run: ingest -> validate -> (entitlement -> emit -> ledger), written atomically.

The CLI and the Prefect flow both call these functions; nothing here imports Prefect.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline import lifecycle
from pipeline.emit.files import sha256_of, write_json, write_parquet
from pipeline.emit.rejects import write_rejects
from pipeline.emit.summary import validation_summary, write_summary
from pipeline.history import load_history
from pipeline.ingest.inputs import RawInputs, read_month
from pipeline.paths import Inbox, OutDir
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.validate.month import History, ValidatedMonth, validate_month


@dataclass(frozen=True)
class RunContext:
    month: str
    inbox: Inbox
    out: OutDir
    policy: Policy


def ingest(ctx: RunContext, progress: Progress) -> RawInputs:
    with progress.step("ingest") as counts:
        raw = read_month(ctx.inbox, ctx.month)
        counts.update(files=len(raw.files), rosters=len(raw.rosters), deaths=len(raw.deaths),
                      returns=len(raw.bank_returns))
    return raw


def history(ctx: RunContext, progress: Progress) -> History:
    with progress.step("history") as counts:
        past = load_history(ctx.out, ctx.policy.opening_month, ctx.month)
        counts.update(known_people=len(past.participants))
    return past


def validate(ctx: RunContext, raw: RawInputs, past: History, progress: Progress) -> ValidatedMonth:
    with progress.step("validate") as counts:
        month = validate_month(raw, history=past, policy=ctx.policy, run_month=ctx.month)
        counts.update(accepted=len(month.roster), rejected=len(month.rejects),
                      deaths=len(month.deaths), returns=len(month.bank_returns))
    return month


def write_draft(ctx: RunContext, raw: RawInputs, month: ValidatedMonth, progress: Progress) -> Path:
    """Everything goes to a staging folder first; the month appears in one rename."""
    with progress.step("write") as counts:
        staging = ctx.out.staging(ctx.month)
        if staging.exists():
            shutil.rmtree(staging)
        state = staging / "state"
        for name, frame in (("roster", month.roster), ("deaths", month.deaths),
                            ("bank_returns", month.bank_returns)):
            write_parquet(frame.assign(run_month=ctx.month), state / f"{name}.parquet")
        write_rejects(month.rejects, staging, ctx.policy)
        summary = validation_summary(month, ctx.policy)
        write_summary(summary, staging)
        write_json(manifest(ctx, raw, staging), staging / "manifest.json")
        lifecycle.publish(staging, ctx.out.month(ctx.month))
        counts.update(files=sum(1 for p in ctx.out.month(ctx.month).rglob("*") if p.is_file()))
    return ctx.out.month(ctx.month)


def manifest(ctx: RunContext, raw: RawInputs, staging: Path) -> dict:
    outputs = {str(p.relative_to(staging)): sha256_of(p) for p in sorted(staging.rglob("*")) if p.is_file()}
    return {
        "month": ctx.month,
        "status": "draft",
        "inputs": {str(p.relative_to(ctx.inbox.root)): sha256_of(p) for p in raw.files},
        "outputs": outputs,
        "policy": {"file": ctx.policy.path.name, "sha256": ctx.policy.sha256, "values": ctx.policy.raw},
        "code_version": code_version(),
    }


def code_version() -> str:
    """The git commit of the code (and '+changes' when the tree differs), else the package version."""
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no",
                                "--", "pipeline", "schemas", "config"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        from importlib.metadata import version

        return version("jiangyin-payout")


def run_one_month(ctx: RunContext, progress: Progress) -> Path:
    lifecycle.check_can_run(ctx.out, ctx.policy.opening_month, ctx.month)
    raw = ingest(ctx, progress)
    past = history(ctx, progress)
    month = validate(ctx, raw, past, progress)
    return write_draft(ctx, raw, month, progress)


def run(ctx: RunContext, progress: Progress, *, catch_up: bool = False) -> Path:
    with lifecycle.output_lock(ctx.out):
        if catch_up:
            for earlier in lifecycle.months_to_catch_up(ctx.out, ctx.policy.opening_month, ctx.month):
                progress.say(f"[bold]{earlier}[/] (catch-up: run and close)")
                run_one_month(RunContext(earlier, ctx.inbox, ctx.out, ctx.policy), progress)
                lifecycle.close_month(ctx.out, ctx.policy.opening_month, earlier)
        progress.say(f"[bold]{ctx.month}[/]")
        return run_one_month(ctx, progress)

