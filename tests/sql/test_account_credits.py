"""accounts/account_credits.sql on literal rows (SPEC §5a): the opening balance, contributions
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
BALANCES = (
    "id_number varchar, component varchar, year bigint, net_fen bigint, held_on_1_january_fen bigint, run_month varchar"
)
LINKS = "old_id_number varchar, new_id_number varchar"
OUT = "id_number, period, component, amount_fen, year"
FILE = "contributions/2021.csv"


def paid(pid: str, personal: int, subsidy: int, on: str = "2021-10-08", row: int = 2, year: int = 2021) -> tuple:
    return (pid, year, 3, personal, subsidy, dt.date.fromisoformat(on), FILE, row)


def carried(month: str, prior) -> list[tuple]:
    """The account balances the month before `month` carries for the earlier entries `prior`
    (accounts/account_balances' grain: person x component x year), the month before in the same year."""
    before = f"{int(month[:4]) - 1}-12" if month.endswith("-01") else f"{month[:5]}{int(month[5:]) - 1:02d}"
    sums: dict[tuple, list[int]] = {}
    for pid, period, component, amount, year in prior:
        held = component == "opening" or period < before[:4] + "-01"
        net_held = sums.setdefault((pid, component, year), [0, 0])
        net_held[0] += amount
        net_held[1] += amount if held else 0
    return [(pid, c, y, n, h, before) for (pid, c, y), (n, h) in sums.items()]


def entries(
    month, *, opening=(), contributions=(), prior=(), rate=None, years=(2021,), summed=False, links=()
) -> list[tuple]:
    """The month's credits, from the balances the month before carried (summed: from every
    earlier entry, accounts/account_sums, as a month with no carried balances does); links: the
    ID corrections so far, (old, new)."""
    tables = {
        "params": (PARAMS, [(month, "2021-01", rate)]),
        "opening_balances": (OPENING, list(opening)),
        "contributions": (CONTRIBUTIONS, list(contributions)),
        "contribution_years": ("year bigint", [(y,) for y in years]),
        "id_links": (LINKS, list(links)),
    }
    if summed:
        sums = run_step("accounts/account_sums", {"params": tables["params"], "prior_accounts": (PRIOR, list(prior))},
                        "id_number, component, year, net_fen, held_on_1_january_fen, run_month")  # fmt: skip
        tables["account_balances_before"] = (BALANCES, sums)
    else:
        tables["account_balances_before"] = (BALANCES, carried(month, prior))
    return run_step("accounts/account_credits", tables, OUT)


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
    # the same from every earlier entry summed (no carried balances)
    assert entries("2022-12", prior=prior, rate="0.02", years=(), summed=True) == [
        ("A", "2022-12", "interest", 2870, 2022)
    ]


def test_balances_carried_from_the_year_before_are_all_held_on_1_january():
    # carried by 2021-12 (its held_on_1_january_fen is of 2021: the opening balance only); read
    # in January 2022 every entry of 2021 is held on 1 January 2022
    before = [
        ("A", "opening", None, 100000, 100000, "2021-12"),
        ("A", "contribution", 2021, 30000, 0, "2021-12"),
        ("A", "interest", 2021, 1500, 0, "2021-12"),
    ]
    rows = run_step(
        "accounts/account_credits",
        {
            "params": (PARAMS, [("2022-01", "2021-01", "0.02")]),  # a rate given outside December for the test
            "opening_balances": (OPENING, []),
            "contributions": (CONTRIBUTIONS, []),
            "contribution_years": ("year bigint", []),
            "account_balances_before": (BALANCES, before),
            "id_links": (LINKS, []),
        },
        OUT,
    )
    assert rows == [("A", "2022-01", "interest", 2630, 2022)]  # 131500 × 0.02 = 2630


def test_a_corrected_id_is_one_account_with_the_new_id():
    prior = [
        ("OLD", "2021-01", "opening", 100030, None),  # the previous system's account under the wrong ID
        ("NEW", "2021-01", "opening", 50030, None),  # and the one under the right ID
        ("OLD", "2021-10", "contribution", 30000, 2021),
        ("OLD", "2021-10", "subsidy", 12000, 2021),
    ]
    links = [("OLD", "NEW")]
    # one interest for the person: 150060 × 0.015 = 2250.9 -> 2251 (apart: 1500 + 750)
    assert entries("2021-12", prior=prior, rate="0.015", years=(), links=links) == [
        ("NEW", "2021-12", "interest", 2251, 2021)
    ]
    # the contribution refiled under the new ID is the one credited under the old: nothing booked;
    # a row still under the old ID is the new ID's too; a corrected amount is booked to the new ID
    for filed in ("NEW", "OLD"):
        assert entries("2021-11", prior=prior, contributions=[paid(filed, 30000, 12000)], links=links) == []
    assert entries("2021-11", prior=prior, contributions=[paid("OLD", 20000, 12000)], links=links) == [
        ("NEW", "2021-11", "contribution", -10000, 2021)
    ]


def test_an_account_refunded_under_its_new_id_earns_nothing_on_the_old_ids_entries():
    prior = [("OLD", "2021-01", "opening", 100000, None), ("NEW", "2021-08", "refund", -100000, None)]
    assert entries("2021-12", prior=prior, rate="0.015", years=(), links=[("OLD", "NEW")]) == []
    assert entries("2021-12", prior=prior, rate="0.015", years=()) == [("OLD", "2021-12", "interest", 1500, 2021)]
