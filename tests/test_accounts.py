"""compute_accounts, the month's account step (SPEC §5a): validated frames in, the month's account
entries out, to their contract; a December without the year's interest rate stops before writing."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.accounts import AccountInputs, compute_accounts
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
        prior_accounts=prior if prior is not None else empty_frame(AccountEntry, run_month="str"),
        people=pd.DataFrame({"id_number": [HOLDER], "township_code": ["320281001"]}),
    )


def test_the_opening_month_books_the_opening_balance_with_its_source(policy):
    got = compute_accounts(inputs("2021-01"), policy).entries
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
    got = compute_accounts(inputs("2021-12", prior), policy).entries
    # 494840 × 0.015 (the sample's made-up 2021 rate) = 7422.6 -> 7423; the October credits earn from 2022
    assert got[["period", "component", "amount_fen", "year"]].values.tolist() == [["2021-12", "interest", 7423, 2021]]
    AccountEntry.validate(got)


def test_a_december_without_its_rate_stops(policy):
    with pytest.raises(PolicyError, match=r"interest rate of 2022"):
        compute_accounts(inputs("2022-12"), policy)
