"""A month run partitioned by county: the single-process run's global steps (check, ingest,
history, validate), the partition (the person index and the split), one step per county, the
merge, then the single-process run's own write (staged, published in one rename) and self-audit.

The counties' step is the one place the runs differ: here a loop (`payout`-style, for tests and
machines without a cluster), in flows/partitioned.py one Prefect task per county on Dask."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline import guard, run
from pipeline.core.errors import RunStopped
from pipeline.entitlement import month_balances
from pipeline.partition.county import CountyResult, compute_county
from pipeline.partition.index import person_index
from pipeline.partition.merge import merge_counties
from pipeline.partition.split import CountyPart, split_month
from pipeline.progress import Progress, Reporter
from pipeline.run import RunContext, Step

COUNTIES = "counties"
GLOBAL_STEPS = ("check-can-run", "ingest", "history", "validate")


def partition(ctx: RunContext, values: dict[str, Any], progress: Reporter) -> list[CountyPart]:
    """The global step: every person placed in one county, the month split by it."""
    with progress.step("partition") as counts:
        validated, past = values["validate"], values["history"]
        index = person_index(validated, past, ctx.policy)
        parts = split_month(values["ingest"], validated, past, index, ctx.policy)
        counts.update(counties=len(parts), people=len(index))
    return parts


def merge(ctx: RunContext, values: dict[str, Any], progress: Reporter) -> tuple:
    """(entitlement inputs, entitlement, accounts) of the whole month, as run.write_draft takes them."""
    with progress.step("merge") as counts:
        results: Sequence[CountyResult] = values[COUNTIES]
        expected = [part.county for part in values["partition"]]
        if sorted(r.county for r in results) != sorted(expected):  # a defect of the caller, never published
            raise RuntimeError(f"county results {[r.county for r in results]} differ from the counties {expected}")
        result, account, funds = merge_counties(results)
        inputs = run.entitlement_inputs(ctx.run_month, values["validate"], values["history"], funds)
        # the month rewrites every period any county's entries touched, for every county's people
        result = replace(result, balances=month_balances(result.ledger, inputs))
        counts.update(counties=len(results), entries=len(result.ledger), bank_lines=len(result.bank_lines))
    return inputs, result, account


def each_county(ctx: RunContext, values: dict[str, Any], progress: Reporter) -> list[CountyResult]:
    return [compute_county(ctx, part, progress) for part in values["partition"]]


SINGLE = {step.name: step for step in run.STEPS}
PARTITIONED_STEPS = (
    *(SINGLE[name] for name in GLOBAL_STEPS),
    Step("partition", partition),
    Step(COUNTIES, each_county),
    Step("merge", merge),
    Step(
        "write-draft",
        lambda ctx, values, progress: run.write_draft(
            ctx, values["ingest"], values["validate"], *values["merge"], progress
        ),
    ),
    SINGLE["audit"],
)


def draft_month(ctx: RunContext, progress: Reporter) -> Path:
    return run.run_steps(ctx, lambda step, ctx, values: step.run(ctx, values, progress), PARTITIONED_STEPS)[
        "write-draft"
    ]


def run_month_partitioned(ctx: RunContext, progress: Progress, *, catch_up: bool = False) -> Path:
    """`payout run` partitioned by county, the counties one after the other."""
    command = f"partitioned run --month {ctx.run_month}" + (" --catch-up" if catch_up else "")
    with guard.writing(ctx.out, command, progress.notice):
        if catch_up:
            run.catch_up_earlier_months(
                ctx,
                lambda earlier: draft_month(earlier, progress),
                run.close_caught_up,
                lambda earlier: progress.say(f"[bold]{earlier}[/] (catch-up: run and close)"),
            )
        progress.say(f"[bold]{ctx.run_month}[/]")
        return draft_month(ctx, progress)


def county_failed(county: str, month: str, attempts: int, cause: BaseException) -> RunStopped:
    """A county that failed every attempt: the month stops before anything is published."""
    return RunStopped(
        f"county {county} failed {attempts} times while {month} was computed ({type(cause).__name__}: "
        f"{str(cause)[:200]}); nothing of {month} was published.",
        action="see the county's task in the run's logs, fix what it names (or the worker that died), and rerun "
        "the month.",
    )


MapCounties = Callable[[RunContext, Sequence[CountyPart]], list[CountyResult]]
