"""The monthly payout as a Prefect flow: one task per step of `payout run`, then the operator's
approval before the month is closed and its bank files released.

The tasks call the very functions of pipeline/run.py and pipeline/lifecycle.py that the CLI calls,
so the flow and `payout run` write byte-identical files. Tasks pass big DataFrames to each other:
nothing is cached or persisted (NO_CACHE, persist_result=False), and only counts and file names are
logged (no ID number or account ever reaches Prefect's logs or artifacts).
"""

from __future__ import annotations

import contextvars
import json
import logging
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.context import FlowRunContext
from prefect.exceptions import FlowPauseTimeout, MissingContextError
from prefect.flow_runs import pause_flow_run, resume_flow_run
from prefect.input import RunInput
from prefect.logging import get_run_logger
from prefect.runtime import flow_run as current_flow_run
from prefect.states import Completed
from prefect.tasks import exponential_backoff
from pydantic import Field

from flows import report
from pipeline import guard, lifecycle
from pipeline import run as steps
from pipeline.emit.files import sha256_of
from pipeline.errors import AuditFailed, RunStopped, masked
from pipeline.months import parse_month
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY, Inbox, OutDir
from pipeline.policy import load_policy
from pipeline.progress import Progress
from pipeline.run import RunContext

SHANGHAI = ZoneInfo("Asia/Shanghai")
APPROVAL = "approval.json"  # beside status.json, outside the manifest: the operator's decision
DAY = 24 * 3600
APPROVAL_POLL_SECONDS = 10  # how often a paused run asks the server whether it was resumed
PAUSE_GRACE_SECONDS = 600  # the server keeps the pause open this long after the approval window
NO_DECISION = "no decision within the approval window"
STEP = {"cache_policy": NO_CACHE, "persist_result": False}


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:  # a task's .fn() called outside a run (tests)
        return logging.getLogger("flows.monthly")


class LoggedProgress(Progress):
    """The CLI's step timings and counts, sent to Prefect's logger instead of the terminal."""

    def __init__(self) -> None:
        super().__init__(quiet=True)

    def report_step(self, name: str, elapsed: float, detail: str) -> None:
        run_logger().info("%s %.2f s  %s", name, elapsed, detail)

    def show_summary(self, summary: dict) -> None:
        """The month's totals are in the run's artifacts."""

    def show_audit(self, report: dict) -> None:
        for check in report["invariants"]:
            run_logger().info("audit: %s (%d violations)", check["invariant"], check["violations"])

    def say(self, text: str) -> None:
        run_logger().info(text)


class Approval(RunInput):
    """The operator's decision on a drafted month, given in the Prefect UI."""

    approve: bool = Field(default=False, description="Close the month and release its bank files")
    reason: str = Field(default="", description="Why: say it when rejecting (kept in approval.json)")
    approver: str = Field(default="", description="Your name: recorded as who released or rejected the month")


def retry_share_errors(task, task_run, state) -> bool:
    """Retry a read that failed on the file share (a network or locking error); never a stop:
    a file that cannot be read or a missing roster will not change by waiting."""
    try:
        state.result()
    except RunStopped:
        return False
    except OSError:
        return True
    except Exception:
        return False
    return False


@task(name="choose-month", **STEP)
def choose_month(month: str | None, scheduled_start: datetime) -> str:
    """The month asked for, else the month the schedule fires in, in Asia/Shanghai."""
    if month:
        parse_month(month)
        return month
    return scheduled_start.astimezone(SHANGHAI).strftime("%Y-%m")


@task(name="check-can-run", task_run_name="check-can-run {ctx.month}", **STEP)
def check_can_run(ctx: RunContext) -> None:
    lifecycle.check_can_run(ctx.out, ctx.policy.opening_month, ctx.month)


@task(
    name="ingest",
    task_run_name="ingest {ctx.month}",
    retries=3,
    retry_delay_seconds=exponential_backoff(backoff_factor=10),
    retry_jitter_factor=0.2,
    retry_condition_fn=retry_share_errors,
    **STEP,
)
def ingest(ctx: RunContext):
    return steps.ingest(ctx, LoggedProgress())


@task(name="history", task_run_name="history {ctx.month}", **STEP)
def history(ctx: RunContext):
    return steps.history(ctx, LoggedProgress())


@task(name="validate", task_run_name="validate {ctx.month}", **STEP)
def validate(ctx: RunContext, raw, past):
    return steps.validate(ctx, raw, past, LoggedProgress())


@task(name="entitlement", task_run_name="entitlement {ctx.month}", **STEP)
def entitlement(ctx: RunContext, month):
    return steps.money(ctx, month, LoggedProgress())


@task(name="write-draft", task_run_name="write-draft {ctx.month}", **STEP)
def write_draft(ctx: RunContext, raw, month, inputs, result) -> str:
    return str(steps.write_draft(ctx, raw, month, inputs, result, LoggedProgress()))


@task(name="audit", task_run_name="audit {ctx.month}", **STEP)
def self_audit(ctx: RunContext) -> dict:
    return steps.self_audit(ctx, LoggedProgress())


@task(name="close-month", task_run_name="close-month {ctx.month}", **STEP)
def close_month(ctx: RunContext, via: str = "catch-up") -> dict:
    """A month this flow run drafted itself (catch-up); the caller holds the lock."""
    return lifecycle.close_month(ctx.out, ctx.policy.opening_month, ctx.month, via=via)


def township_names(ctx: RunContext) -> dict[str, str]:
    return dict(zip(ctx.policy.townships["code"], ctx.policy.townships["name"], strict=True))


@task(name="publish-artifacts", task_run_name="publish-artifacts {ctx.month}", **STEP)
def publish_artifacts(ctx: RunContext, audit: dict | None, manifest_sha256: str) -> None:
    """The month's summary, rejects per township and reason, audit and file paths, in the UI."""
    folder = ctx.out.month(ctx.month)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    names = township_names(ctx)
    key = f"payout-{ctx.month}"
    create_table_artifact(
        report.money_table(summary, names),
        key=f"{key}-money",
        description=f"{ctx.month}: money per township and component (yuan)",
    )
    create_table_artifact(
        report.rejects_table(summary, names),
        key=f"{key}-rejects",
        description=f"{ctx.month}: rejected rows per township and reason (rows in rejects.csv)",
    )
    create_markdown_artifact(
        report.report_markdown(
            ctx.month,
            folder,
            summary,
            audit,
            status=lifecycle.status_of(ctx.out, ctx.month).get("status", "?"),
            manifest_sha256=manifest_sha256,
            ledger_partition=ctx.out.ledger_partition(ctx.month),
        ),
        key=f"{key}-summary",
        description=f"{ctx.month}: reconciliations, money, holds, audit and files",
    )


def draft_month(ctx: RunContext) -> tuple[dict, AuditFailed | None]:
    """`payout run` for one month, step by step (pipeline.run.run_one_month)."""
    check_can_run(ctx)
    raw = ingest(ctx)
    past = history(ctx)
    month = validate(ctx, raw, past)
    inputs, result = entitlement(ctx, month)
    write_draft(ctx, raw, month, inputs, result)
    try:
        return self_audit(ctx), None
    except AuditFailed as failed:  # the draft is written: show it, then fail the run
        return failed.report, failed


def ask_for_approval(ctx: RunContext, audit: dict, manifest_sha256: str, timeout: int) -> Approval | None:
    """Pause until an operator approves or rejects in the UI; None when nobody did in time.

    Prefect fails a run whose pause expires (the server refuses any later state but Failed), so
    the pause is given a grace period and a watchdog ends the wait itself at `timeout`: it resumes
    the run with a rejection marked as no decision, and the run completes with the draft open."""
    summary = json.loads((ctx.out.month(ctx.month) / "summary.json").read_text(encoding="utf-8"))
    form = Approval.with_initial_data(
        description=report.approval_description(ctx.month, summary, audit, manifest_sha256)
    )
    run_id = FlowRunContext.get().flow_run.id
    answered, expired = threading.Event(), threading.Event()

    def close_window() -> None:
        with get_client(sync_client=True) as client:
            while not answered.is_set():
                state = client.read_flow_run(run_id).state
                if state is not None and state.is_paused():
                    expired.set()
                    try:
                        resume_flow_run(run_id, run_input={"approve": False, "reason": NO_DECISION})
                    except Exception:  # the operator answered first
                        expired.clear()
                    return
                time.sleep(APPROVAL_POLL_SECONDS)

    watchdog = threading.Timer(timeout, contextvars.copy_context().run, args=(close_window,))
    watchdog.daemon = True
    watchdog.start()
    try:
        decision = pause_flow_run(
            wait_for_input=form,
            timeout=timeout + PAUSE_GRACE_SECONDS,
            poll_interval=APPROVAL_POLL_SECONDS,
        )
    except FlowPauseTimeout:  # the watchdog could not reach the server: the run ends Failed
        return None
    finally:
        answered.set()
        watchdog.cancel()
    return None if expired.is_set() else decision


@task(name="apply-decision", task_run_name="apply-decision {ctx.month}", **STEP)
def apply_decision(
    ctx: RunContext,
    approve: bool | None,
    reason: str,
    reviewed_manifest: str,
    flow_run_id: str | None = None,
    approver: str = "",
) -> dict:
    """Close the month (approve), or record why not (reject, or no decision in time), under the
    output folder's lock: the rules are lifecycle.record_decision's, the same as the CLI's."""
    decision = {True: "approved", False: "rejected", None: "no decision"}[approve]
    with guard.writing(ctx.out, f"prefect monthly-payout {ctx.month} (decision)", run_logger().warning):
        record = lifecycle.record_decision(
            ctx.out,
            ctx.policy.opening_month,
            ctx.month,
            decision,
            reviewed_manifest,
            actor=approver or None,
            via="prefect",
            reason=reason,
            flow_run_id=flow_run_id,
        )
    create_markdown_artifact(
        f"# {ctx.month}: {decision}\n\nstatus **{record['status']}** (by {masked(record['decided_by'])})"
        + (f"\n\nreason: {masked(reason)}" if reason else ""),
        key=f"payout-{ctx.month}-approval",
        description=f"{ctx.month}: the operator's decision",
    )
    return record


@flow(name="monthly-payout", persist_result=False, log_prints=False)
def monthly_payout(
    month: str | None = None,
    inbox: str | None = None,
    out: str | None = None,
    policy: str | None = None,
    approval: bool = True,
    approval_timeout_seconds: int = DAY,
    catch_up: bool = False,
):
    """Draft the month (None: the month the schedule fires in, Asia/Shanghai), show it in the UI,
    then, with approval, wait for the operator: approve closes it and releases the bank files,
    reject keeps the draft open with the reason in approval.json. catch_up first runs and closes
    every earlier open month, as `payout run --catch-up` does."""
    month = choose_month(month, current_flow_run.scheduled_start_time)
    ctx = RunContext(
        month,
        Inbox(Path(inbox or DEFAULT_INBOX)),
        OutDir(Path(out or DEFAULT_OUT)),
        load_policy(Path(policy or DEFAULT_POLICY)),
    )
    logger = run_logger()
    with guard.writing(ctx.out, f"prefect monthly-payout {month}", logger.warning):
        if catch_up:
            for earlier in lifecycle.catch_up_months(ctx.out, ctx.policy.opening_month, month):
                logger.info("%s (catch-up: run and close)", earlier)
                _, failed = draft_month(replace(ctx, month=earlier))
                if failed:
                    raise failed
                close_month(replace(ctx, month=earlier))
        audit, failed = draft_month(ctx)
        manifest_sha256 = sha256_of(ctx.out.month(month) / "manifest.json")
        publish_artifacts(ctx, audit, manifest_sha256)
    if failed:
        raise failed
    folder = str(ctx.out.month(month))
    if not approval:
        return Completed(
            message=f"{month} drafted in {folder}; it stays open until closed.",
            data={"month": month, "folder": folder, "status": "draft", "decision": None},
        )
    # the lock is not held while waiting: a rerun may replace the draft (apply_decision checks)
    logger.info("%s drafted: waiting up to %d s for an operator's approval", month, approval_timeout_seconds)
    decision = ask_for_approval(ctx, audit, manifest_sha256, approval_timeout_seconds)
    approve = None if decision is None else decision.approve
    record = apply_decision(
        ctx,
        approve,
        "" if decision is None else decision.reason,
        manifest_sha256,
        str(current_flow_run.id),
        "" if decision is None else decision.approver,
    )
    message = {
        "approved": f"{month} approved and closed: its bank files are released.",
        "rejected": f"{month} rejected; the draft stays open ({APPROVAL} holds the reason).",
        "no decision": f"no decision on {month} within {approval_timeout_seconds} s; "
        f"the draft stays open (close it with `payout close --month {month}`, "
        "or run the flow again).",
    }[record["decision"]]
    logger.info(message)
    return Completed(
        message=message,
        data={
            "month": month,
            "folder": folder,
            "status": record["status"],
            "decision": record["decision"],
        },
    )
