"""ledger/positions.sql on literal rows: every gap between due and paid gets one action, and a
held gap says why. One person per rule; 392 yuan = 39200 fen a month, a grant 6 x 39200."""

from __future__ import annotations

import datetime as dt

from tests.sql.steps import run_step

PEOPLE = (
    "id_number varchar, township_code varchar, presence varchar, status varchar, suspended_from varchar, "
    "employee_pension_from varchar, bank_code varchar, account_number varchar, source_file varchar, source_row bigint"
)
DEATHS = (
    "id_number varchar, death_date date, registered_on date, payee_status varchar, payee_bank_code varchar, "
    "payee_account_number varchar, source_file varchar, source_row bigint"
)
MONEY = "id_number varchar, period varchar, component varchar"
OUT = "id_number, period, component, due_fen, paid_fen, gap_fen, hold_reason, action, reason"


def person(pid: str, presence: str = "rostered", status: str = "receiving", **fields) -> tuple:
    row = {
        "suspended_from": None,
        "employee_pension_from": None,
        "bank_code": "JRCB",
        "account_number": "6228480000000000011",
    } | fields
    return (pid, "320281001", presence, status, row["suspended_from"], row["employee_pension_from"],
            row["bank_code"], row["account_number"], "roster.csv", 2)  # fmt: skip


def positions(people, due, paid=(), deaths=(), conflicts=(), failed=(), recomputed=None, repriced=()) -> list[tuple]:
    """recomputed: the people whose every gap is judged (default: everyone in the rows)."""
    if recomputed is None:
        recomputed = {row[0] for row in (*people, *due, *paid)}
    return run_step(
        "ledger/positions",
        {
            "params": ("run_month varchar", [("2021-03",)]),
            "people": (PEOPLE, list(people)),
            "due_in_force": (f"{MONEY}, due_fen bigint", list(due)),
            "paid": (f"{MONEY}, paid_fen bigint", list(paid)),
            "deaths_in_force": (DEATHS, list(deaths)),
            "death_conflicts": ("id_number varchar, registered_on date", list(conflicts)),
            "failed_accounts": ("line_type varchar, id_number varchar, account_number varchar", list(failed)),
            "recomputed_people": ("id_number varchar", [(pid,) for pid in sorted(recomputed)]),
            "repriced_periods": ("period varchar", [(period,) for period in sorted(repriced)]),
        },
        OUT,
    )


def test_this_months_pension_is_paid_and_an_earlier_unpaid_month_is_arrears():
    rows = positions(
        [person("A")],
        due=[("A", "2021-02", "base", 39200), ("A", "2021-03", "base", 39200)],
        paid=[],
    )
    assert rows == [
        ("A", "2021-02", "base", 39200, 0, 39200, None, "payment", "arrears"),
        ("A", "2021-03", "base", 39200, 0, 39200, None, "payment", "current"),
    ]


def test_a_month_paid_as_due_has_no_position():
    assert positions([person("A")], due=[("A", "2021-03", "base", 39200)], paid=[("A", "2021-03", "base", 39200)]) == []


def test_money_paid_after_the_month_of_death_is_recovered_and_the_grant_paid():
    death = ("D", dt.date(2021, 1, 20), dt.date(2021, 2, 3), "complete", "JRCB", "6228480000000000099", "d.csv", 4)
    rows = positions(
        [person("D")],
        due=[("D", "2021-01", "base", 39200), ("D", "2021-01", "funeral_grant", 235200)],
        paid=[("D", "2021-01", "base", 39200), ("D", "2021-02", "base", 39200)],
        deaths=[death],
    )
    assert rows == [
        ("D", "2021-01", "funeral_grant", 235200, 0, 235200, None, "payment", "arrears"),
        ("D", "2021-02", "base", 0, 39200, -39200, None, "recovery", "after_death"),
    ]


def test_a_grant_whose_payee_is_incomplete_waits_for_the_payee():
    death = ("D", dt.date(2021, 2, 10), dt.date(2021, 3, 1), "missing_account", None, None, "d.csv", 2)
    rows = positions([person("D")], due=[("D", "2021-02", "funeral_grant", 235200)], deaths=[death])
    assert rows == [("D", "2021-02", "funeral_grant", 235200, 0, 235200, "awaiting_payee", "hold", "arrears")]


def test_a_suspended_person_is_held_from_the_suspension_month_on():
    rows = positions(
        [person("S", status="suspended", suspended_from="2021-03")],
        due=[("S", "2021-02", "base", 39200), ("S", "2021-03", "base", 39200)],
    )
    assert [(r[1], r[6], r[7]) for r in rows] == [("2021-02", None, "payment"), ("2021-03", "suspended", "hold")]


def test_an_absent_persons_overpayment_is_a_pending_recovery_not_booked():
    rows = positions([person("N", presence="absent")], due=[], paid=[("N", "2021-02", "base", 39200)])
    assert rows == [("N", "2021-02", "base", 0, 39200, -39200, "not_on_roster", "hold", "correction")]


def test_conflicting_death_registrations_hold_the_money_until_one_stands():
    rows = positions([person("C")], due=[("C", "2021-03", "base", 39200)], conflicts=[("C", dt.date(2021, 3, 2))])
    assert [r[6:8] for r in rows] == [("death_conflict", "hold")]


def test_an_account_the_bank_refused_holds_the_pension_and_no_account_holds_it_too():
    rows = positions(
        [person("R"), person("X", bank_code=None, account_number=None)],
        due=[("R", "2021-03", "base", 39200), ("X", "2021-03", "base", 39200)],
        failed=[("pension", "R", "6228480000000000011")],
    )
    assert [(r[0], r[6]) for r in rows] == [("R", "bank_account_rejected"), ("X", "no_bank_account")]


def test_a_recovery_after_the_employee_pension_began_says_so():
    rows = positions([person("E", employee_pension_from="2021-02")], due=[], paid=[("E", "2021-02", "base", 39200)])
    assert rows == [("E", "2021-02", "base", 0, 39200, -39200, None, "recovery", "after_employee_pension")]


def test_a_gap_outside_the_recomputed_people_and_repriced_months_is_not_judged_again():
    # B's February was settled by the month before and B's inputs did not change: only March (the
    # run month, repriced) is judged; A, recomputed, has every month judged; grants always are.
    due = [
        ("A", "2021-02", "base", 39200),
        ("B", "2021-02", "base", 39200),
        ("B", "2021-03", "base", 39200),
        ("B", "2021-02", "funeral_grant", 235200),
    ]
    rows = positions([person("A"), person("B")], due=due, recomputed={"A"}, repriced={"2021-03"})
    assert rows == [
        ("A", "2021-02", "base", 39200, 0, 39200, None, "payment", "arrears"),
        ("B", "2021-02", "funeral_grant", 235200, 0, 235200, None, "payment", "arrears"),
        ("B", "2021-03", "base", 39200, 0, 39200, None, "payment", "current"),
    ]
