"""The yearly indicators flow: `payout indicators --year YYYY` as one task, plus its artifacts.

It calls pipeline.indicators.annual.run_indicators, the function the CLI calls.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run as current_flow_run
from pydantic import Field

from flows.monthly import SHANGHAI, STEP
from flows.parameters import InboxParameter, OutParameter, PolicyParameter, described
from flows.report import link
from pipeline.indicators.annual import run_indicators
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY, Inbox, OutDir
from pipeline.policy import load_policy

FILES = ("report.html", "indicators.csv", "budget.csv", "budget.xlsx", "funding_by_township.csv")


@task(name="choose-year", **STEP)
def choose_year(year: int | None, scheduled_start: datetime) -> int:
    """The year asked for, else the year before the one the schedule fires in (Asia/Shanghai)."""
    return year if year is not None else scheduled_start.astimezone(SHANGHAI).year - 1


@task(name="indicators", task_run_name="indicators {year}", **STEP)
def indicators(year: int, inbox: Path, out: Path, policy: Path) -> str:
    folder = run_indicators(year, inbox=Inbox(inbox), out=OutDir(out), policy=load_policy(policy))
    return str(folder)


@task(name="publish-indicators", task_run_name="publish-indicators {year}", **STEP)
def publish_indicators(year: int, folder: str) -> None:
    """The indicators (definitions and values, no personal data) and where the files are."""
    from pipeline.indicators.report import artifact_rows  # only once the indicators exist

    path = Path(folder)
    measured = json.loads((path / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    create_table_artifact(
        artifact_rows(measured),
        key=f"indicators-{year}",
        description=f"{year}: performance indicators against their targets",
    )
    files = [path / name for name in FILES] + sorted(path.glob("declaration_*.md"))
    create_markdown_artifact(
        f"# Indicators {year}\n\n" + "\n".join(f"- {link(path.parent, p)}" for p in files if p.exists()) + "\n",
        key=f"indicators-{year}-files",
        description=f"{year}: indicator, budget and declaration files",
    )


@flow(name="annual-indicators", persist_result=False, log_prints=False)
@described
def annual_indicators(
    year: Annotated[
        int | None,
        Field(description="The year to measure, e.g. 2021; empty: the year before the schedule's", ge=2000, le=2100),
    ] = None,
    inbox: InboxParameter = None,
    out: OutParameter = None,
    policy: PolicyParameter = None,
) -> str:
    """The year's indicators and budget from the ledgers (None: the year before the schedule's)."""
    year = choose_year(year, current_flow_run.scheduled_start_time)
    folder = indicators(
        year,
        Path(inbox or DEFAULT_INBOX),
        Path(out or DEFAULT_OUT),
        Path(policy or DEFAULT_POLICY),
    )
    publish_indicators(year, folder)
    return folder
