"""Yearly contributions (缴费): one row per contribution paid in the year's collection."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from schemas import checks as c
from schemas.checks import rule, with_checks


class ContributionInput(pa.DataFrameModel):
    """One row per row of a contributions file, every cell text as read (ID upgraded)."""

    id_number: Series[str]
    year: Series[str]
    tier: Series[str]
    personal_yuan: Series[str]
    subsidy_yuan: Series[str]
    paid_on: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class Contribution(pa.DataFrameModel):
    """One row per accepted contribution: who paid, which tier, and the subsidy credited."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    year: Series[int]
    tier: Series[int] = pa.Field(ge=1)  # 1..policy contributions.tiers
    personal_fen: Series[int] = pa.Field(ge=0)
    subsidy_fen: Series[int] = pa.Field(ge=0)
    paid_on: Series[pa.DateTime]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


def contribution_rules(year: int | pd.Series, tiers: int) -> pa.DataFrameSchema:
    """year: the year of the file each row was read from (one year, or a year per row aligned on
    the rows' index when several years' files are validated together)."""
    expected = year.astype("str") if isinstance(year, pd.Series) else str(year)
    return with_checks(
        ContributionInput,
        [
            *c.id_number_rules(),
            rule(
                "YEAR_INVALID",
                lambda d: d["year"].eq(expected.reindex(d.index) if isinstance(expected, pd.Series) else expected),
            ),
            rule("TIER_INVALID", lambda d: d["tier"].isin([str(t) for t in range(1, tiers + 1)])),
            rule(
                "AMOUNT_INVALID",
                lambda d: ~c.blank(d["personal_yuan"]) & c.yuan_ok(d["personal_yuan"]) & c.yuan_ok(d["subsidy_yuan"]),
            ),
            rule("PAID_ON_INVALID", lambda d: ~c.blank(d["paid_on"]) & c.date_ok(d["paid_on"])),
        ],
    )
