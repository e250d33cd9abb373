"""Measure the indicators and the budget of a year over an output folder's ledgers (DuckDB)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from pipeline.audit.check import connect_views
from pipeline.indicators.definitions import INDICATORS, Indicator
from pipeline.paths import OutDir
from pipeline.policy import Policy
from pipeline.sql.runner import sql_path, sql_text
from pipeline.state import file_variables_sql


@dataclass(frozen=True)
class YearData:
    year: int
    contributions: pd.DataFrame  # Contribution: accepted rows of the year
    contribution_rejects: pd.DataFrame  # Rejects of the year's contribution file
    contributions_previous: pd.DataFrame  # Contribution of the year before (may be empty)


def session_setup(year: int, policy: Policy) -> str:
    """The statements an auditor runs first (inside the output folder) to reproduce the numbers."""
    return "\n".join(
        [
            file_variables_sql(),
            f".read {sql_path('macros')}",
            f".read {sql_path('audit/views')}",
            f"set variable year = {year};",
            f"set variable pension_age_male = {policy.pension_age_male};",
            f"set variable pension_age_female = {policy.pension_age_female};",
            f"set variable topup_age = {policy.topup_age};",
            f"set variable tiers = {policy.contribution_tiers};",
            *(
                f"create or replace table {name} as select * from read_parquet('indicators/{year}/{name}.parquet');"
                for name in ("contributions", "contribution_rejects", "contributions_previous")
            ),
            f".read {sql_path('indicators/year')}",
        ]
    )


def connect_year(out: OutDir, data: YearData, policy: Policy) -> duckdb.DuckDBPyConnection:
    con = connect_views(out)
    con.execute(f"set variable year = {data.year}")
    con.execute(f"set variable pension_age_male = {policy.pension_age_male}")
    con.execute(f"set variable pension_age_female = {policy.pension_age_female}")
    con.execute(f"set variable topup_age = {policy.topup_age}")
    con.execute(f"set variable tiers = {policy.contribution_tiers}")
    for name in ("contributions", "contribution_rejects", "contributions_previous"):
        con.register(f"{name}_frame", getattr(data, name))
        con.execute(f"create or replace table {name} as select * from {name}_frame")
        con.unregister(f"{name}_frame")
    con.execute(sql_text("indicators/year"))
    if con.sql("select count(*) from year_months").fetchall()[0][0] == 0:
        from pipeline.core.errors import RunStopped

        raise RunStopped(
            f"no month of {data.year} has been run in {out.root}.",
            action=f"run the year's months first, e.g. `make run MONTH={data.year}-12`.",
        )
    return con


def measure_indicators(con: duckdb.DuckDBPyConnection, policy: Policy) -> list[dict]:
    return [_measure(con, indicator, policy) for indicator in INDICATORS]


def _measure(con, indicator: Indicator, policy: Policy) -> dict:
    row = {
        "key": indicator.key,
        "level": indicator.level,
        "indicator_zh": indicator.name_zh,
        "indicator_en": indicator.name_en,
        "target": indicator.target,
        "definition_zh": indicator.definition_zh,
        "definition_en": indicator.definition_en,
        "numerator": None,
        "denominator": None,
        "value": None,
        "passed": None,
        "measurable": indicator.query is not None,
        "note": indicator.not_measurable_because,
        "query": f"pipeline/sql/indicators/{indicator.query}.sql" if indicator.query else "",
    }
    if indicator.query is None:
        return row
    numerator, denominator = con.sql(sql_text(f"indicators/{indicator.query}")).fetchall()[0]
    row.update(numerator=int(numerator), denominator=int(denominator))
    if denominator == 0:
        row.update(note="nothing to measure this year (denominator 0)")
        return row
    value = numerator / denominator
    threshold = {"all": 1.0, "share": policy.timely_share, "above": indicator.target_share}[indicator.pass_rule]
    passed = value > threshold if indicator.pass_rule == "above" else value >= threshold
    row.update(value=round(value, 6), passed=bool(passed))
    if indicator.pass_rule == "share":
        row["note"] = f"qualitative target judged met at >= {policy.timely_share:.0%} (policy indicators.timely_share)"
    return row


def budget_actuals(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per township per budget line with the actual fen of the year."""
    return con.sql(sql_text("indicators/budget")).df()


def explain(year: int, policy: Policy) -> str:
    parts = [
        "-- Run inside the output folder (e.g. cd out && ../.venv/bin/duckdb), then paste:",
        session_setup(year, policy),
    ]
    for indicator in INDICATORS:
        if indicator.query:
            parts += [
                f"\n-- {indicator.name_zh} / {indicator.name_en}",
                sql_text(f"indicators/{indicator.query}").strip() + ";",
            ]
    parts += ["\n-- budget actuals per township and line", sql_text("indicators/budget").strip() + ";"]
    parts += ["\n-- the personal accounts' figures of the year", sql_text("indicators/account_year").strip() + ";"]
    parts += ["\n-- contributions by tier", sql_text("indicators/contributions_by_tier").strip() + ";"]
    return "\n".join(parts) + "\n"


def declaration_counts(con: duckdb.DuckDBPyConnection) -> dict:
    frame = con.sql(sql_text("indicators/declaration")).df()
    return {k: (int(v) if pd.notna(v) else 0) for k, v in frame.iloc[0].items()}


def report_series(con: duckdb.DuckDBPyConnection) -> dict[str, pd.DataFrame]:
    """The report's charts: money per run month and component, per township, deaths per month."""
    return {name: con.sql(sql_text(f"indicators/report_{name}")).df() for name in ("monthly", "townships", "deaths")}
