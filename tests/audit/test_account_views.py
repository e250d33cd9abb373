"""The auditors' views of the personal accounts (SPEC §5a) on a hand-built output folder: the
three people of test_views (township 320281001) and 丁 (on no roster, whose first entries were
written under a wrongly registered ID), over two run months. The February run stands in for the
year's December: it credits the year's interest on the 1 January balances.

Hand-computed accounts (fen):
- 安 ANN, a pensioner: opening 1,000,000; account pension 1,000,000 / 139 = 7194.24 -> 7194 a
  month (Jan, Feb); interest 1,000,000 x 1.5% = 15,000.
- 博 BO: opening 50,000; 12,000 a month debited (Jan, Feb); interest 50,000 x 1.5% = 750; dies:
  the 26,750 left (50,000 - 24,000 + 750) refunded, balance 0 (exhausted).
- 蔡 CAI, a contributor: opening 200,000; 600.00 yuan paid and 120.00 subsidy in January, the
  payment corrected to 500.00 in February (-10,000); interest on the 1 January balance only
  (the opening balance): 3,000.
- 丁 DING: opening 300,000 under the old ID, interest 4,500 under the new one.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pipeline.audit.check import connect_views
from tests.audit.test_views import ANN, BO, CAI, LEDGER, build

DING = "320281195404040041"
DING_OLD = "320281195504040048"  # the same person registered with a wrong birth year
OPENING = "accounts/opening.csv"


def account(run_month, id_number, component, amount, period=None, year=None, township="320281001", row=None) -> dict:
    return {
        "entry_id": f"{run_month}-{id_number[-4:]}-{component}-{period or run_month}",
        "id_number": id_number,
        "township_code": township,
        "period": period or run_month,
        "component": component,
        "amount_fen": amount,
        "year": year,
        "source_file": OPENING if component == "opening" else ("contributions/2021.csv" if row else None),
        "source_row": row,
    }


ACCOUNTS = {
    "2021-01": [
        account("2021-01", ANN, "opening", 1_000_000, row=2),
        account("2021-01", ANN, "pension_debit", -7194),
        account("2021-01", BO, "opening", 50_000, row=3),
        account("2021-01", BO, "pension_debit", -12_000),
        account("2021-01", CAI, "opening", 200_000, row=4),
        account("2021-01", CAI, "contribution", 60_000, year=2021, row=7),
        account("2021-01", CAI, "subsidy", 12_000, year=2021, row=7),
        account("2021-01", DING_OLD, "opening", 300_000, township=None, row=5),
    ],
    "2021-02": [
        account("2021-02", ANN, "interest", 15_000, year=2021),
        account("2021-02", ANN, "pension_debit", -7194),
        account("2021-02", BO, "interest", 750, year=2021),
        account("2021-02", BO, "pension_debit", -12_000),
        account("2021-02", BO, "refund", -26_750),
        account("2021-02", CAI, "contribution", -10_000, year=2021, row=7),
        account("2021-02", CAI, "interest", 3_000, year=2021),
        account("2021-02", DING, "interest", 4_500, year=2021, township=None),
    ],
}


@pytest.fixture
def out(tmp_path):
    out = build(tmp_path, accounts=ACCOUNTS)
    link = pd.DataFrame(
        {
            "old_id_number": [DING_OLD],
            "new_id_number": [DING],
            "reason": ["出生日期登记错误"],
            "registered_on": [pd.Timestamp("2021-02-03")],
            "source_file": ["2021-02/id_corrections/c.csv"],
            "source_row": [2],
            "run_month": ["2021-02"],
        }
    )
    link.to_parquet(out.state("2021-02") / "id_corrections.parquet", index=False)
    return out


def rows(out, query: str) -> list[tuple]:
    with connect_views(out) as con:
        return con.sql(query).fetchall()


def test_account_statement_runs_the_balance_in_booking_order(out):
    assert rows(
        out, f"select run_month, period, component, amount_fen, balance_fen from account_statement('{BO}')"
    ) == [
        ("2021-01", "2021-01", "opening", 50_000, 50_000),
        ("2021-01", "2021-01", "pension_debit", -12_000, 38_000),
        # interest on the 1 January balance comes before the month's debit and the refund
        ("2021-02", "2021-02", "interest", 750, 38_750),
        ("2021-02", "2021-02", "pension_debit", -12_000, 26_750),
        ("2021-02", "2021-02", "refund", -26_750, 0),
    ]
    assert rows(out, f"select component, amount_fen, balance_fen, balance_yuan from account_statement('{CAI}')") == [
        ("opening", 200_000, 200_000, Decimal("2000.00")),
        ("contribution", 60_000, 260_000, Decimal("2600.00")),
        ("subsidy", 12_000, 272_000, Decimal("2720.00")),
        ("contribution", -10_000, 262_000, Decimal("2620.00")),  # the correction, in its run month
        ("interest", 3_000, 265_000, Decimal("2650.00")),
    ]


def test_account_statement_follows_an_id_correction_both_ways(out):
    expected = [(DING_OLD, "opening", 300_000, 300_000), (DING, "interest", 4_500, 304_500)]
    assert (
        rows(out, f"select id_number, component, amount_fen, balance_fen from account_statement('{DING}')") == expected
    )
    assert (
        rows(out, f"select id_number, component, amount_fen, balance_fen from account_statement('{DING_OLD}')")
        == expected
    )


def test_account_statement_of_a_person_without_an_account_is_empty(out):
    assert rows(out, f"select count(*) from account_statement('{ANN[:-1]}X')") == [(0,)]


def test_account_balances_by_township(out):
    assert rows(
        out,
        "select township_code, township, accounts, accounts_exhausted, balance_fen, credits_fen, interest_fen, "
        "debits_fen, refunds_fen from account_balances_by_township",
    ) == [
        # 1,000,612 + 0 + 265,000; credits 1,000,000 + 50,000 + 200,000 + 60,000 + 12,000 - 10,000
        ("320281001", "澄江街道", 3, 1, 1_265_612, 1_312_000, 18_750, -38_388, -26_750),
        (None, None, 1, 0, 304_500, 300_000, 4_500, 0, 0),  # 丁: on no roster
    ]
    # balance = credits + interest + debits + refunds, township by township
    assert rows(
        out,
        "select count(*) from account_balances_by_township "
        "where balance_fen <> credits_fen + interest_fen + debits_fen + refunds_fen",
    ) == [(0,)]


def test_account_interest_by_year(out):
    assert rows(
        out,
        "select year, run_month, accounts, balance_on_1_january_fen, interest_fen, interest_yuan, implied_rate "
        "from account_interest_by_year",
    ) == [(2021, "2021-02", 4, 1_550_000, 23_250, Decimal("232.50"), Decimal("0.015000"))]


def test_a_folder_without_account_entries_has_empty_account_views(tmp_path):
    out = build(tmp_path, ledger=LEDGER, accounts={})
    assert rows(out, "select count(*) from account_ledger") == [(0,)]
    assert rows(out, "select count(*) from account_balances_by_township") == [(0,)]
