"""What a month's due was computed from, kept so that the next month recomputes due only where
these changed (SPEC §5): each person's inputs of the rules, and the rates in force each month; and
the scope the month computed due in (its recomputed people and repriced months), which says which
keys its due file holds (due as of a month, SPEC §6)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core.idcard import ID18
from pipeline.core.months import MONTH_RE
from schemas.roster import STATUSES


class DueInput(pa.DataFrameModel):
    """One row per person the month computed money for: every value due.sql reads of them. A
    person whose row differs from the month before's has due recomputed for every period."""

    id_number: Series[str] = pa.Field(unique=True, str_matches=ID18)
    hukou_local: Series[bool]
    status: Series[str] = pa.Field(isin=list(STATUSES))
    pension_age_month: Series[str] = pa.Field(str_matches=MONTH_RE)  # the 60th (men) / 55th (women) birthday's
    topup_month: Series[str] = pa.Field(str_matches=MONTH_RE)  # the 65th birthday's
    benefit_start: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    end_month: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    employee_pension_from: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    last_rostered_month: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)  # absent people only
    death_month: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    registered_month: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)  # of that death
    account_pension_fen: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0)  # a month (SPEC §5a)

    class Config:
        strict = True
        ordered = True


class DueRate(pa.DataFrameModel):
    """One row per month from the opening month to the run month: the rates in force in it. A
    month whose row differs from the month before's (a retroactive raise, new rules) has due
    recomputed for everyone."""

    period: Series[str] = pa.Field(unique=True, str_matches=MONTH_RE)
    base_fen: Series[int] = pa.Field(ge=0)
    topup65_fen: Series[int] = pa.Field(ge=0)
    # SHA-256 of the SQL that computes due: a month computed under other rules is computed again
    rules_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")

    class Config:
        strict = True
        ordered = True


class RecomputedPerson(pa.DataFrameModel):
    """One row per person whose due the month computed in every month: its due file holds every
    key of theirs still due, and a key of theirs it lacks is no longer due."""

    id_number: Series[str] = pa.Field(unique=True, str_matches=ID18)

    class Config:
        strict = True
        ordered = True


class RepricedPeriod(pa.DataFrameModel):
    """One row per month whose due the month computed for everyone (the run month, a month whose
    rates or rules changed): its due file holds every key of that month still due."""

    period: Series[str] = pa.Field(unique=True, str_matches=MONTH_RE)

    class Config:
        strict = True
        ordered = True
