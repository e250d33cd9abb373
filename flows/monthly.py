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
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from prefect import Task, flow, task
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
from flows.parameters import MONTH_PATTERN, InboxParameter, OutParameter, PolicyParameter, described
from pipeline import guard, lifecycle
from pipeline import run as steps
from pipeline.core.errors import AuditFailed, RunStopped, masked
from pipeline.core.months import parse_month
from pipeline.emit.files import sha256_of
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY, Inbox, OutDir
from pipeline.policy import PolicyError, load_policy
from pipeline.progress import timed
from pipeline.run import RunContext

SHANGHAI = ZoneInfo("Asia/Shanghai")
APPROVAL = "approval.json"  # beside status.json, outside the manifest: the operator's decision
DAY = 24 * 3600
APPROVAL_POLL_SECONDS = 10  # how often a paused run asks the server whether it was resumed
PAUSE_GRACE_SECONDS = 600  # the server keeps the pause open this long after the approval window
NO_DECISION = "no decision within the approval window"
AWAITING = "Awaiting approval"  # the state name of a run that leaves its draft open
STEP = {"cache_policy": NO_CACHE, "persist_result": False}


class WithoutStopTracebacks(logging.Filter):
    """Prefect logs every exception that ends a run with its traceback. A stop of the pipeline (a
    policy, an input or a folder an operator must fix, a self-audit that failed) is the operator's
    message, which says what to do: it is logged without the traceback, on the terminal and in the
    UI alike. Any other exception keeps it (it is a defect)."""

    STOPS = (RunStopped, PolicyError, AuditFailed)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], self.STOPS):
            record.exc_info, record.exc_text = None, None
        return True


for engine in ("prefect.flow_runs", "prefect.task_runs"):  # the loggers of Prefect's run engines
    if not any(isinstance(f, WithoutStopTracebacks) for f in logging.getLogger(engine).filters):
        logging.getLogger(engine).addFilter(WithoutStopTracebacks())


def run_logger() -> logging.Logger | logging.LoggerAdapter:
    try:
        return get_run_logger()
    except MissingContextError:  # a task's .fn() called outside a run (tests)
        return logging.getLogger("flows.monthly")


class LoggedReporter:
    """The CLI's step timings and counts (pipeline.progress.Reporter), sent to Prefect's logger."""

    def step(self, name: str):
        return timed(self.report_step, name)

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


def month_to_run(month: str | None, scheduled_start: datetime) -> str:
    """The month asked for, else the month the schedule fires in, in Asia/Shanghai."""
    if month:
        parse_month(month)
        return month
    return scheduled_start.astimezone(SHANGHAI).strftime("%Y-%m")


@task(name="choose-month", **STEP)
def choose_month(month: str | None, scheduled_start: datetime) -> str:
    return month_to_run(month, scheduled_start)


def run_name() -> str:
    """payout-YYYY-MM, the month the run drafts (computed as choose-month does)."""
    month = current_flow_run.parameters.get("month")
    return f"payout-{month_to_run(month, current_flow_run.scheduled_start_time)}"


# Prefect's options of a step, by step name: retry only what a retry can fix
STEP_OPTIONS = {
    "ingest": {
        "retries": 3,
        "retry_delay_seconds": exponential_backoff(backoff_factor=10),
        "retry_jitter_factor": 0.2,
        "retry_condition_fn": retry_share_errors,
    },
}


def step_task(step: steps.Step) -> Task:
    """One task for one step of pipeline.run.STEPS, named after it."""

    def run_step(ctx: RunContext, values: dict[str, Any]) -> Any:
        return step.run(ctx, values, LoggedReporter())

    run_step.__name__ = run_step.__qualname__ = step.name.replace("-", "_")  # Prefect's task key
    return task(
        run_step,
        name=step.name,
        task_run_name=f"{step.name} {{ctx.run_month}}",
        **STEP,
        **STEP_OPTIONS.get(step.name, {}),
    )


STEP_TASKS = {step.name: step_task(step) for step in steps.STEPS}


@task(name="close-month", task_run_name="close-month {ctx.run_month}", **STEP)
def close_month(ctx: RunContext) -> dict:
    """A month this flow run drafted itself (catch-up); the caller holds the lock."""
    return steps.close_caught_up(ctx)


def township_names(ctx: RunContext) -> dict[str, str]:
    return dict(zip(ctx.policy.townships["code"], ctx.policy.townships["name"], strict=True))


@task(name="publish-artifacts", task_run_name="publish-artifacts {ctx.run_month}", **STEP)
def publish_artifacts(ctx: RunContext, audit: dict | None, manifest_sha256: str) -> None:
    """The month's summary, money, rejects, holds, recoveries and audit, in the UI (counts and
    money per township and reason from summary.json: never an ID or an account)."""
    month = ctx.run_month
    folder = ctx.out.month(month)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    names = township_names(ctx)
    key = f"payout-{month}"
    tables = (
        ("money", report.money_table, "money per township and component (yuan)"),
        ("rejects", report.rejects_table, "rejected rows per township and reason (rows in rejects.csv)"),
        ("holds", report.holds_table, "held rows and pending recoveries per township and reason (yuan; holds.csv)"),
        ("recoveries", report.recoveries_table, "recoveries per township and reason (yuan; recoveries.csv)"),
    )
    for name, table, description in tables:
        create_table_artifact(table(summary, names), key=f"{key}-{name}", description=f"{month}: {description}")
    create_markdown_artifact(
        report.audit_markdown(month, audit),
        key=f"{key}-audit",
        description=f"{month}: the self-audit's invariants (audit.json)",
    )
    create_markdown_artifact(
        report.report_markdown(
            month,
            folder,
            summary,
            audit,
            status=lifecycle.status_of(ctx.out, month).get("status", "?"),
            manifest_sha256=manifest_sha256,
            ledger_partition=ctx.out.ledger_partition(month),
        ),
        key=f"{key}-summary",
        description=f"{month}: reconciliations, money, holds, audit and files",
    )


def run_context(month: str, inbox: str | None, out: str | None, policy: str | None) -> RunContext:
    """The run of a month from a flow's parameters (empty: the defaults)."""
    return RunContext(
        month,
        Inbox(Path(inbox or DEFAULT_INBOX)),
        OutDir(Path(out or DEFAULT_OUT)),
        load_policy(Path(policy or DEFAULT_POLICY)),
    )


def draft_month(ctx: RunContext) -> dict:
    """`payout run` for one month: one task per step of pipeline.run.STEPS; returns the audit
    (AuditFailed when it failed, after the draft was written)."""
    return steps.run_steps(ctx, lambda step, ctx, values: STEP_TASKS[step.name](ctx, values))["audit"]


def ask_for_approval(ctx: RunContext, audit: dict, manifest_sha256: str, timeout: int) -> Approval | None:
    """Pause until an operator approves or rejects in the UI; None when nobody did in time.

    Prefect fails a run whose pause expires (the server refuses any later state but Failed), so
    the pause is given a grace period and a watchdog ends the wait itself at `timeout`: it resumes
    the run with a rejection marked as no decision, and the run completes with the draft open."""
    summary = json.loads((ctx.out.month(ctx.run_month) / "summary.json").read_text(encoding="utf-8"))
    form = Approval.with_initial_data(
        description=report.approval_description(ctx.run_month, summary, audit, manifest_sha256)
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


@task(name="apply-decision", task_run_name="apply-decision {ctx.run_month}", **STEP)
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
    with guard.writing(ctx.out, f"prefect monthly-payout {ctx.run_month} (decision)", run_logger().warning):
        record = lifecycle.record_decision(
            ctx.out,
            ctx.policy.opening_month,
            ctx.run_month,
            decision,
            reviewed_manifest,
            actor=approver or None,
            via="prefect",
            reason=reason,
            flow_run_id=flow_run_id,
        )
    create_markdown_artifact(
        f"# {ctx.run_month}: {decision}\n\nstatus **{record['status']}** (by {masked(record['decided_by'])})"
        + (f"\n\nreason: {masked(reason)}" if reason else ""),
        key=f"payout-{ctx.run_month}-approval",
        description=f"{ctx.run_month}: the operator's decision",
    )
    return record


# the state a run ends in, by the decision recorded: a draft left open awaits an approval
STATE_NAMES = {"approved": "Approved", "rejected": "Rejected", "no decision": AWAITING, None: AWAITING}


def tag_run(*tags: str) -> None:
    """Add tags to this flow run (the month is known only once the run started)."""
    run_id = current_flow_run.id
    if run_id is None:
        return
    with get_client(sync_client=True) as client:
        current = client.read_flow_run(run_id).tags
        client.update_flow_run(run_id, tags=[*current, *(t for t in tags if t not in current)])


@flow(name="monthly-payout", flow_run_name=run_name, persist_result=False, log_prints=False)
@described
def monthly_payout(
    month: Annotated[
        str | None,
        Field(
            description="The month to draft, YYYY-MM (e.g. 2021-03); empty: the month the schedule fires in, "
            "Asia/Shanghai",
            pattern=MONTH_PATTERN,
        ),
    ] = None,
    inbox: InboxParameter = None,
    out: OutParameter = None,
    policy: PolicyParameter = None,
    approval: Annotated[
        bool,
        Field(description="Wait for an operator's approval, then close the month; off: leave the draft open"),
    ] = True,
    approval_timeout_seconds: Annotated[
        int,
        Field(
            description="How long to wait for the approval, in seconds (up to 7 days); then the draft stays open",
            ge=1,
            le=7 * DAY,
        ),
    ] = DAY,
    catch_up: Annotated[
        bool,
        Field(description="First run and close every earlier month never run, as `payout run --catch-up`"),
    ] = False,
):
    """Draft the month (None: the month the schedule fires in, Asia/Shanghai), show it in the UI,
    then, with approval, wait for the operator: approve closes it and releases the bank files,
    reject keeps the draft open with the reason in approval.json. catch_up first runs and closes
    every earlier open month, as `payout run --catch-up` does."""
    month = choose_month(month, current_flow_run.scheduled_start_time)
    tag_run("payout", f"month:{month}")
    ctx = run_context(month, inbox, out, policy)
    logger = run_logger()

    def catching_up(earlier: str) -> None:
        tag_run("catch-up")
        logger.info("%s (catch-up: run and close)", earlier)

    with guard.writing(ctx.out, f"prefect monthly-payout {month}", logger.warning):
        if catch_up:
            steps.catch_up_earlier_months(ctx, draft_month, close_month, catching_up)
        try:
            audit, failed = draft_month(ctx), None
        except AuditFailed as err:  # the draft is written: show it, then fail the run
            audit, failed = err.report, err
        manifest_sha256 = sha256_of(ctx.out.month(month) / "manifest.json")
        publish_artifacts(ctx, audit, manifest_sha256)
    if failed:
        raise failed
    folder = str(ctx.out.month(month))
    if not approval:
        return Completed(
            name=AWAITING,
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
        name=STATE_NAMES[record["decision"]],
        message=message,
        data={
            "month": month,
            "folder": folder,
            "status": record["status"],
            "decision": record["decision"],
        },
    )
