"""accounts/account_entries.sql on literal rows (SPEC §5a): the opening balance, contributions
credited in the month of paid_on as two components, corrections as the difference in a later run,
the yearly interest at the December close on the balance held on 1 January, half up to the fen."""

from __future__ import annotations

import datetime as dt

from tests.sql.steps import run_step

PARAMS = "run_month varchar, opening_month varchar, interest_rate varchar"
OPENING = "id_number varchar, balance_fen bigint, as_of_month varchar, source_file varchar, source_row bigint"
CONTRIBUTIONS = (
    "id_number varchar, year bigint, tier bigint, personal_fen bigint, subsidy_fen bigint, paid_on date, "
    "source_file varchar, source_row bigint"
)
PRIOR = "id_number varchar, period varchar, component varchar, amount_fen bigint, year bigint"
OUT = "id_number, period, component, amount_fen, year"
FILE = "contributions/2021.csv"


def paid(pid: str, personal: int, subsidy: int, on: str = "2021-10-08", row: int = 2, year: int = 2021) -> tuple:
    return (pid, year, 3, personal, subsidy, dt.date.fromisoformat(on), FILE, row)


def entries(month, *, opening=(), contributions=(), prior=(), rate=None, years=(2021,)) -> list[tuple]:
    return run_step(
        "accounts/account_entries",
        {
            "params": (PARAMS, [(month, "2021-01", rate)]),
            "opening_balances": (OPENING, list(opening)),
            "contributions": (CONTRIBUTIONS, list(contributions)),
            "contribution_years": ("year bigint", [(y,) for y in years]),
            "prior_accounts": (PRIOR, list(prior)),
            "people": ("id_number varchar, township_code varchar", [("A", "320281001")]),
        },
        OUT,
    )


def test_the_opening_balance_is_an_entry_of_the_opening_month():
    assert entries(
        "2021-01", opening=[("A", 494840, "2021-01", "accounts/opening.csv", 2), ("Z", 0, "2021-01", "f", 3)]
    ) == [("A", "2021-01", "opening", 494840, None)]  # a zero balance books nothing


def test_a_contribution_is_credited_in_the_month_of_paid_on_as_two_components():
    rows = [paid("A", 30000, 12000)]
    assert entries("2021-09", contributions=rows) == []
    assert entries("2021-10", contributions=rows) == [
        ("A", "2021-10", "contribution", 30000, 2021),
        ("A", "2021-10", "subsidy", 12000, 2021),
    ]
    credited = [("A", "2021-10", "contribution", 30000, 2021), ("A", "2021-10", "subsidy", 12000, 2021)]
    assert entries("2021-11", contributions=rows, prior=credited) == []  # never twice


def test_a_contribution_paid_before_the_opening_month_is_in_the_opening_balance():
    assert (
        entries("2021-03", contributions=[paid("A", 30000, 12000, on="2020-11-02", year=2020)], years=(2020, 2021))
        == []
    )


def test_a_corrected_row_books_the_difference_in_the_run_that_reads_it():
    credited = [("A", "2021-10", "contribution", 30000, 2021), ("A", "2021-10", "subsidy", 12000, 2021)]
    assert entries("2021-12", contributions=[paid("A", 60000, 12000)], prior=credited, rate=None) == [
        ("A", "2021-12", "contribution", 30000, 2021)
    ]


def test_a_withdrawn_row_is_taken_back_but_only_for_a_year_whose_file_was_read():
    credited = [("A", "2021-10", "contribution", 30000, 2021), ("A", "2021-10", "subsidy", 12000, 2021)]
    assert entries("2021-11", prior=credited) == [
        ("A", "2021-11", "contribution", -30000, 2021),
        ("A", "2021-11", "subsidy", -12000, 2021),
    ]
    assert entries("2021-11", prior=credited, years=()) == []  # no file read: nothing is withdrawn


def test_interest_at_the_december_close_on_the_balance_held_on_1_january():
    prior = [
        ("A", "2021-01", "opening", 494840, None),  # held on 1 January 2021
        ("A", "2021-10", "contribution", 30000, 2021),  # this year's: earns from 2022 on
        ("A", "2021-10", "subsidy", 12000, 2021),
    ]
    # 494840 × 0.015 = 7422.6 -> 7423 fen
    assert entries("2021-12", prior=prior, contributions=[paid("A", 30000, 12000)], rate="0.015") == [
        ("A", "2021-12", "interest", 7423, 2021)
    ]
    # no rate outside December (params.interest_rate is null): no interest
    assert entries("2021-11", prior=prior, contributions=[paid("A", 30000, 12000)]) == []


def test_interest_is_rounded_half_up_and_an_exhausted_account_earns_none():
    prior = [
        ("H", "2021-01", "opening", 100, None),  # 100 × 0.015 = 1.5 -> 2
        ("L", "2021-01", "opening", 10, None),  # 0.15 -> 0: no entry
        ("X", "2021-01", "opening", 1000, None),
        ("X", "2021-06", "pension_debit", -1500, None),  # exhausted: -500 earns nothing
    ]
    assert entries("2022-12", prior=prior, rate="0.015", years=()) == [("H", "2022-12", "interest", 2, 2022)]


def test_the_next_years_interest_counts_this_years_credits_and_interest():
    prior = [
        ("A", "2021-01", "opening", 100000, None),
        ("A", "2021-10", "contribution", 30000, 2021),
        ("A", "2021-10", "subsidy", 12000, 2021),
        ("A", "2021-12", "interest", 1500, 2021),
    ]
    # 143500 × 0.02 = 2870
    assert entries("2022-12", prior=prior, rate="0.02", years=()) == [("A", "2022-12", "interest", 2870, 2022)]
