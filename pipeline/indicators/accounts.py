"""The personal accounts' figures of a year (SPEC §5a, §9): the subsidy credited to the accounts
against the declared subsidy line, contributions by tier, accounts exhausted and refunds paid."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd

from pipeline.core.money import FEN_PER_WAN, wan_amount
from pipeline.indicators.budget import LINES
from pipeline.sql.runner import sql_text

SUBSIDY_DECLARED_KEY = next(declared for key, _, declared in LINES if key == "contribution_subsidy")


def account_figures(con: duckdb.DuckDBPyConnection, declared: dict | None) -> dict:
    """The year's account figures (fen, counts) and the subsidy line: declared 万元, credited,
    difference and execution rate (None without a declaration)."""
    row = con.sql(sql_text("indicators/account_year")).df().iloc[0]
    figures = {key: int(value) for key, value in row.items()}
    budget = (declared or {}).get(SUBSIDY_DECLARED_KEY)
    credited = figures["subsidy_credited_fen"]
    figures["subsidy_line"] = {
        "declared_wan": None if budget is None else Decimal(budget),
        "credited_fen": credited,
        "credited_wan": wan_amount(credited),
        "difference_wan": None if budget is None else wan_amount(credited) - Decimal(budget),
        "execution_rate": None if not budget else round(credited / (budget * FEN_PER_WAN), 4),
    }
    return figures


def contributions_by_tier(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per tier of the policy: contributors, personal payments and subsidies (fen)."""
    return con.sql(sql_text("indicators/contributions_by_tier")).df()
