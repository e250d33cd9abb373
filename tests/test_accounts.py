"""The month's account steps (SPEC §5a): compute_account_credits (validated frames in, the month's
credits and each account's funds out) and compute_accounts (the month's ledger in, the debits and
refunds booked, the account balances carried), to their contracts; a December without the year's
interest rate stops before writing."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.accounts import AccountInputs, compute_account_credits, compute_accounts
from pipeline.policy import PolicyError
from schemas.account import AccountEntry, OpeningBalance
from schemas.contribution import Contribution
from schemas.empty import empty_frame
from tests.support.builders import make_id

HOLDER = make_id("1950-03-15", "M", seq=7)


def inputs(month: str, prior: pd.DataFrame | None = None) -> AccountInputs:
    opening = OpeningBalance.validate(
        pd.DataFrame(
            {"id_number": [HOLDER], "balance_fen": [494840], "as_of_month": ["2021-01"],
             "source_file": ["accounts/opening.csv"], "source_row": [2]}
        )
    )  # fmt: skip
    contributions = Contribution.validate(
        pd.DataFrame(
            {"id_number": [HOLDER], "year": [2021], "tier": [3], "personal_fen": [30000], "subsidy_fen": [12000],
             "paid_on": [pd.Timestamp("2021-10-08")], "source_file": ["contributions/2021.csv"], "source_row": [5]}
        )
    )  # fmt: skip
    return AccountInputs(
        run_month=month,
        opening_balances=opening if month == "2021-01" else empty_frame(OpeningBalance),
        contributions=contributions,
        contribution_years=[2021],
        balances=None,
        prior_accounts=prior if prior is not None else empty_frame(AccountEntry, run_month="str"),
        id_links=pd.DataFrame(
            {"old_id_number": pd.Series([], dtype="str"), "new_id_number": pd.Series([], dtype="str")}
        ),
    )


PEOPLE = pd.DataFrame({"id_number": [HOLDER], "township_code": ["320281001"]})


def ledger(*rows: tuple[str, int]) -> pd.DataFrame:
    return pd.DataFrame({"id_number": [HOLDER] * len(rows), "component": [c for c, _ in rows],
                         "amount_fen": pd.Series([a for _, a in rows], dtype="int64")})  # fmt: skip


def month_entries(month: str, policy, prior=None, paid: pd.DataFrame | None = None):
    credits = compute_account_credits(inputs(month, prior), policy)
    return credits, compute_accounts(credits, paid if paid is not None else ledger(), PEOPLE)


def test_the_opening_month_books_the_opening_balance_with_its_source(policy):
    credits, booked = month_entries("2021-01", policy)
    assert credits.funds.values.tolist() == [[HOLDER, 494840]]  # the balance an award now divides
    got = booked.entries
    columns = ["id_number", "township_code", "period", "component", "amount_fen", "source_file", "source_row"]
    assert got[columns].values.tolist() == [
        [HOLDER, "320281001", "2021-01", "opening", 494840, "accounts/opening.csv", 2]
    ]


def test_december_credits_the_years_interest_at_the_policy_rate(policy):
    prior = pd.DataFrame(
        {"entry_id": ["a", "b", "c"], "id_number": [HOLDER] * 3, "township_code": ["320281001"] * 3,
         "period": ["2021-01", "2021-10", "2021-10"], "component": ["opening", "contribution", "subsidy"],
         "amount_fen": [494840, 30000, 12000], "year": pd.array([None, 2021, 2021], dtype="Int64"),
         "source_file": ["x"] * 3, "source_row": pd.array([2, 5, 5], dtype="Int64"),
         "run_month": ["2021-01", "2021-10", "2021-10"]}
    )  # fmt: skip
    got = month_entries("2021-12", policy, prior)[1].entries
    # 494840 × 0.015 (the sample's made-up 2021 rate) = 7422.6 -> 7423; the October credits earn from 2022
    assert got[["period", "component", "amount_fen", "year"]].values.tolist() == [["2021-12", "interest", 7423, 2021]]
    AccountEntry.validate(got)


def test_a_december_without_its_rate_stops(policy):
    with pytest.raises(PolicyError, match=r"interest rate of 2022"):
        compute_account_credits(inputs("2022-12"), policy)


def test_the_account_pension_paid_is_debited_net_of_recoveries_and_the_refund_paid_out(policy):
    # January pays 3560 of account pension and recovers 1000 of an earlier month: debit 2560
    _, booked = month_entries("2021-01", policy, paid=ledger(("account", 3560), ("account", -1000), ("base", 39200)))
    assert booked.entries[["period", "component", "amount_fen"]].values.tolist() == [
        ["2021-01", "opening", 494840],
        ["2021-01", "pension_debit", -2560],
    ]
    # the carried balances: per component; the opening balance is held on 1 January, January's debit is not
    assert booked.balances[["component", "net_fen", "held_on_1_january_fen"]].values.tolist() == [
        ["opening", 494840, 494840],
        ["pension_debit", -2560, 0],
    ]
    AccountEntry.validate(booked.entries)


def test_a_refund_paid_is_debited_and_one_the_bank_returned_is_credited_back(policy):
    _, paid_out = month_entries("2021-02", policy, paid=ledger(("account_refund", 492280)))
    assert paid_out.entries[["component", "amount_fen"]].values.tolist() == [["refund", -492280]]
    _, returned = month_entries("2021-03", policy, paid=ledger(("account_refund", -492280)))
    assert returned.entries[["component", "amount_fen"]].values.tolist() == [["refund", 492280]]
