"""The month partitioned by county on a Dask cluster, through Prefect (issue 15, docs/scale.md).

The steps are pipeline/partition/month.py's: the single-process run's global steps (check,
ingest, history, validate) and the partition as tasks in the flow's process, then one task per
county on the DaskTaskRunner (prefect-dask), then the merge, the write and the self-audit. A
county's task is tried COUNTY_ATTEMPTS times: a worker lost mid-task (the process killed, the
machine gone) or any other failure gets it submitted again, to any worker; a county that fails
every time stops the month before anything is written, naming the county. A stop of the inputs
(RunStopped) is never retried: waiting does not change a file.

`python -m flows.local_dask --month M` (`make run-dask`) runs it on a LocalCluster sized to the
machine (one single-threaded worker process per core), or on the scheduler at
DASK_SCHEDULER_ADDRESS.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Annotated, Any

import dask
from prefect import flow, task
from prefect.context import FlowRunContext
from prefect_dask import DaskTaskRunner
from pydantic import Field

from flows.monthly import STEP, LoggedReporter, close_month, run_context, run_logger, step_task
from flows.parameters import MONTH_PATTERN, InboxParameter, OutParameter, PolicyParameter, described
from pipeline import guard
from pipeline import run as steps
from pipeline.core.errors import RunStopped, masked
from pipeline.partition.county import CountyResult, compute_county
from pipeline.partition.month import COUNTIES, PARTITIONED_STEPS, county_failed
from pipeline.partition.split import CountyPart
from pipeline.run import RunContext

COUNTY_ATTEMPTS = 2
# A worker lost during a task is the flow's to retry (COUNTY_ATTEMPTS, logged as a county's
# failure), not the scheduler's to rerun silently: the task fails at once (a cluster started
# with `make dask-cluster` is given the same setting).
SCHEDULER_CONFIG = {"distributed.scheduler.allowed-failures": 0}


@task(name="county", task_run_name="county {part.county} {ctx.run_month}", **STEP)
def county(ctx: RunContext, part: CountyPart) -> CountyResult:
    return compute_county(ctx, part, LoggedReporter())


def each_county_on_the_cluster(
    ctx: RunContext, parts: Sequence[CountyPart], attempts: dict[str, int]
) -> list[CountyResult]:
    """Every county submitted at once; a failed one submitted again until COUNTY_ATTEMPTS
    (attempts: county -> how many it took, filled in)."""
    logger = run_logger()
    futures = {part.county: county.submit(ctx, part) for part in parts}
    results = []
    for part in parts:
        for attempt in range(1, COUNTY_ATTEMPTS + 1):
            attempts[part.county] = attempt
            try:
                results.append(futures[part.county].result())
                break
            except RunStopped:
                raise
            except Exception as err:  # a lost worker (KilledWorker), a failed read, a defect
                if attempt == COUNTY_ATTEMPTS:
                    for other in futures.values():  # the month stops: no county keeps the cluster busy
                        other.wrapped_future.cancel()
                    raise county_failed(part.county, ctx.run_month, attempt, err) from err
                logger.warning(
                    "county %s failed (%s: %s); submitting it again", part.county, type(err).__name__, masked(str(err))
                )
                futures[part.county] = county.submit(ctx, part)
    return results


STEP_TASKS = {step.name: step_task(step) for step in PARTITIONED_STEPS if step.name != COUNTIES}


def draft_month(ctx: RunContext) -> dict:
    """The month's draft; returns whether its self-audit passed and each county's attempts."""
    attempts: dict[str, int] = {}

    def run_step(step: steps.Step, ctx: RunContext, values: dict[str, Any]) -> Any:
        if step.name == COUNTIES:
            return each_county_on_the_cluster(ctx, values["partition"], attempts)
        return STEP_TASKS[step.name](ctx, values)

    values = steps.run_steps(ctx, run_step, PARTITIONED_STEPS)
    return {"month": ctx.run_month, "audit_passed": values["audit"]["passed"], "county_attempts": attempts}


def dashboard_link() -> str | None:
    runner = FlowRunContext.get().task_runner
    return runner.client.dashboard_link if isinstance(runner, DaskTaskRunner) else None


@flow(name="partitioned-payout", flow_run_name="payout-{month}-by-county", persist_result=False, log_prints=False)
@described
def partitioned_payout(
    month: Annotated[str, Field(description="The month to draft, YYYY-MM (e.g. 2021-03)", pattern=MONTH_PATTERN)],
    inbox: InboxParameter = None,
    out: OutParameter = None,
    policy: PolicyParameter = None,
    catch_up: Annotated[
        bool, Field(description="First run and close every earlier month never run, as `payout run --catch-up`")
    ] = False,
) -> dict:
    """Draft the month partitioned by county on the flow's Dask task runner (the draft stays open:
    close it with `payout close`, as after `payout run`). Returns the month, whether its
    self-audit passed and how many attempts each county took."""
    ctx = run_context(month, inbox, out, policy)
    logger = run_logger()
    logger.info("Dask dashboard: %s", dashboard_link() or "none (a cluster without one)")
    with guard.writing(ctx.out, f"prefect partitioned-payout {month}", logger.warning):
        if catch_up:
            steps.catch_up_earlier_months(
                ctx, draft_month, close_month, lambda earlier: logger.info("%s (catch-up: run and close)", earlier)
            )
        return draft_month(ctx)


def task_runner(address: str | None = None, workers: int | None = None) -> DaskTaskRunner:
    """The scheduler at address, else a LocalCluster of `workers` single-threaded processes
    (default: one per core)."""
    if address:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": workers or os.cpu_count() or 1,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":8787",
        }
    )


def run_partitioned(
    month: str,
    *,
    address: str | None = None,
    workers: int | None = None,
    **parameters: Any,
):
    """The flow on the cluster at address (or a LocalCluster); returns its final state."""
    with dask.config.set(SCHEDULER_CONFIG), server_for_workers():
        return partitioned_payout.with_options(task_runner=task_runner(address, workers))(
            month=month, return_state=True, **parameters
        )


@contextmanager
def server_for_workers() -> Iterator[None]:
    """The workers run the tasks' engine and report to the flow's Prefect server. With none
    configured (PREFECT_API_URL), one temporary server for the run, whose address the
    LocalCluster's worker processes inherit; else each would start a server of its own (45 s
    each here). Workers on other machines need PREFECT_API_URL set where they start."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, temporary_settings

    server = SubprocessASGIServer()
    server.start(timeout=PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
    os.environ["PREFECT_API_URL"] = server.api_url
    try:
        with temporary_settings(updates={PREFECT_API_URL: server.api_url}):
            yield
    finally:
        del os.environ["PREFECT_API_URL"]
        server.stop()
