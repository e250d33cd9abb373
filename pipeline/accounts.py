"""The personal accounts of a month (SPEC §5a), computed set-based in DuckDB from validated tables
(no I/O, no clock): the opening balances, the contributions credited, the yearly interest.

Steps, each a SQL file producing one table: accounts/account_entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow.dataset as ds

from pipeline.entitlement import register
from pipeline.policy import Policy
from pipeline.sql.runner import connect, frame, load_macros, materialise
from schemas.account import AccountEntry

STEPS = ("accounts/account_entries",)


@dataclass(frozen=True)
class AccountInputs:
    run_month: str
    opening_balances: pd.DataFrame  # OpeningBalance: accepted this month (the opening month only)
    contributions: pd.DataFrame  # Contribution: accepted rows of every year read
    contribution_years: list[int]  # the years whose contributions file was read
    prior_accounts: pd.DataFrame | ds.Dataset  # AccountEntry + run_month: every entry of earlier months
    people: pd.DataFrame  # the entitlement's people: who is in which township


@dataclass(frozen=True)
class Accounts:
    entries: pd.DataFrame  # AccountEntry: the month's new entries


def compute_accounts(inputs: AccountInputs, policy: Policy) -> Accounts:
    december = inputs.run_month.endswith("-12")
    params = pd.DataFrame(
        {
            "run_month": [inputs.run_month],
            "opening_month": [policy.opening_month],
            # a December without a rate stops here, before anything is written
            "interest_rate": pd.Series(
                [policy.interest_rate(int(inputs.run_month[:4])) if december else None], dtype="str"
            ),
        }
    )
    with connect() as con:
        for name, table in (
            ("params", params),
            ("opening_balances", inputs.opening_balances),
            ("contributions", inputs.contributions),
            ("contribution_years", pd.DataFrame({"year": pd.Series(inputs.contribution_years, dtype="int64")})),
            ("prior_accounts", inputs.prior_accounts),
            ("people", inputs.people[["id_number", "township_code"]]),
        ):
            register(con, name, table)
        load_macros(con)
        for step in STEPS:
            materialise(con, step, step.split("/")[1])
        return Accounts(entries=AccountEntry.validate(frame(con, "account_entries")))
