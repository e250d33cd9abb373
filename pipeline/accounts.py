"""The personal accounts of a month (SPEC §5a), computed set-based in DuckDB from validated tables
(no I/O, no clock), in two steps around the money step:

- before it, the month's credits (the opening balances, the contributions credited, the yearly
  interest) and what each account then holds (`account_funds`: the balance an award of this month
  divides, and a refund starts from);
- after it, the month's account entries (the credits, the account pension debited, the balance
  refunded), and the account balances carried to the next month.

Steps, each a SQL file producing one table: accounts/account_credits -> accounts/account_funds;
then accounts/account_entries -> accounts/account_balances. A month whose month before carried no
account balances sums every earlier entry instead (accounts/account_sums).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pyarrow.dataset as ds

from pipeline.entitlement import register
from pipeline.policy import Policy
from pipeline.sql.runner import connect, frame, load_macros, materialise
from schemas.account import AccountBalance, AccountCredit, AccountEntry, AccountFunds

CREDIT_STEPS = ("accounts/account_credits", "accounts/account_funds")
ENTRY_STEPS = ("accounts/account_entries", "accounts/account_balances")


@dataclass(frozen=True)
class AccountInputs:
    run_month: str
    opening_balances: pd.DataFrame  # OpeningBalance: accepted this month (the opening month only)
    contributions: pd.DataFrame  # Contribution: accepted rows of every year read
    contribution_years: list[int]  # the years whose contributions file was read
    # AccountBalance + run_month: the account balances the month before carried; None: sum
    # prior_accounts instead (the first month, or a month before account balances were carried)
    balances: pd.DataFrame | ds.Dataset | None
    prior_accounts: pd.DataFrame | ds.Dataset  # AccountEntry + run_month: every entry of earlier months
    id_links: pd.DataFrame  # old_id_number, new_id_number: every ID correction so far


@dataclass(frozen=True)
class AccountCredits:
    inputs: AccountInputs
    credits: pd.DataFrame  # AccountCredit: the month's credits
    funds: pd.DataFrame  # AccountFunds: each account's balance once they are booked


@dataclass(frozen=True)
class Accounts:
    entries: pd.DataFrame  # AccountEntry: the month's new entries
    balances: pd.DataFrame  # AccountBalance: the account ledger's sums up to this month, carried


def compute_account_credits(inputs: AccountInputs, policy: Policy) -> AccountCredits:
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
            ("id_links", inputs.id_links[["old_id_number", "new_id_number"]]),
        ):
            register(con, name, table)
        _balances_before(con, inputs)
        load_macros(con)
        for step in CREDIT_STEPS:
            materialise(con, step, step.split("/")[1])
        return AccountCredits(
            inputs=inputs,
            credits=AccountCredit.validate(frame(con, "account_credits")),
            funds=AccountFunds.validate(frame(con, "account_funds")),
        )


def compute_accounts(credits: AccountCredits, ledger: pd.DataFrame, people: pd.DataFrame) -> Accounts:
    """The month's account entries once its money is known: ledger (the month's payment ledger
    entries) debits the account pension paid and the refunds; people gives each holder's township."""
    inputs = credits.inputs
    with connect() as con:
        for name, table in (
            ("params", pd.DataFrame({"run_month": [inputs.run_month]})),
            ("account_credits", credits.credits),
            ("ledger", ledger[["id_number", "component", "amount_fen"]]),
            ("people", people[["id_number", "township_code"]]),
        ):
            register(con, name, table)
        _balances_before(con, inputs)
        load_macros(con)
        for step in ENTRY_STEPS:
            materialise(con, step, step.split("/")[1])
        return Accounts(
            entries=AccountEntry.validate(frame(con, "account_entries")),
            balances=AccountBalance.validate(frame(con, "account_balances")),
        )


def _balances_before(con, inputs: AccountInputs) -> None:
    """account_balances_before: the month before's carried balances, or every earlier entry summed."""
    if inputs.balances is None:
        register(con, "prior_accounts", inputs.prior_accounts)
        materialise(con, "accounts/account_sums", "account_balances_before")
    else:
        register(con, "account_balances_before", inputs.balances)
