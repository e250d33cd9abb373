"""ledger/entries.sql on literal rows: payments become bank entries, recoveries are set off
against a grant issued in the same run first, then left owed; money owed from earlier runs is
settled from what is left of the grant (SPEC §5). 392 yuan = 39200 fen; a grant 235200."""

from __future__ import annotations

from tests.sql.steps import run_step

POSITIONS = (
    "id_number varchar, township_code varchar, period varchar, component varchar, reason varchar, "
    "gap_fen bigint, action varchar, bank_code varchar, account_number varchar, payee_bank_code varchar, "
    "payee_account_number varchar, death_file varchar, death_row bigint, roster_file varchar, roster_row bigint, "
    "death_month varchar"
)
EARLIER = "id_number varchar, period varchar, component varchar, net_fen bigint, owed_fen bigint"
REVERSALS = (
    "id_number varchar, township_code varchar, period varchar, component varchar, kind varchar, reason varchar, "
    "amount_fen bigint, bank_code varchar, account_number varchar, source_file varchar, source_row bigint, "
    "reverses_entry_id varchar"
)
OUT = "id_number, period, component, kind, reason, settlement, amount_fen, line_type, account_number"
ACCOUNT, PAYEE = "6228480000000000011", "6228480000000000099"


def position(pid, period, component, reason, gap_fen, action, died: str | None = None) -> tuple:
    return (pid, "320281001", period, component, reason, gap_fen, action, "JRCB", ACCOUNT, "JRCB", PAYEE,
            "deaths.csv", 3, "roster.csv", 2, died)  # fmt: skip


def grant(pid: str = "D") -> tuple:
    return position(pid, "2021-01", "funeral_grant", "arrears", 235200, "payment", died="2021-01")


def entries(positions, owed_before=(), reversals=()) -> list[tuple]:
    """owed_before: (person, period, component, settlement 'owed', amount) entries of earlier runs,
    as the earlier balances carry them (their net and their owed sum)."""
    earlier = [(pid, period, component, fen, fen if settlement == "owed" else 0)
               for pid, period, component, settlement, fen in owed_before]  # fmt: skip
    return run_step(
        "ledger/entries",
        {
            "positions": (POSITIONS, list(positions)),
            "earlier_balances": (EARLIER, earlier),
            "reversals": (REVERSALS, list(reversals)),
        },
        OUT,
    )


def test_a_payment_is_a_bank_entry_on_the_pension_file():
    assert entries([position("A", "2021-03", "base", "current", 39200, "payment")]) == [
        ("A", "2021-03", "base", "payment", "current", "bank", 39200, "pension", ACCOUNT)
    ]


def test_a_recovery_after_death_is_set_off_against_the_grant_of_the_same_run():
    rows = entries([grant(), position("D", "2021-02", "base", "after_death", -39200, "recovery")])
    assert rows == [
        ("D", "2021-01", "funeral_grant", "payment", "arrears", "bank", 235200, "funeral", PAYEE),
        ("D", "2021-02", "base", "recovery", "after_death", "set_off", -39200, "funeral", PAYEE),
    ]


def test_recoveries_beyond_the_grant_are_left_owed():
    overpaid = [position("D", f"2021-{m:02d}", "base", "after_death", -39200, "recovery") for m in range(2, 9)]
    rows = entries([grant(), *overpaid])  # 7 x 39200 = 274400 against a grant of 235200
    set_off = [r for r in rows if r[5] == "set_off"]
    owed = [r for r in rows if r[5] == "owed"]
    assert sum(r[6] for r in set_off) == -235200 and len(set_off) == 6
    assert owed == [("D", "2021-08", "base", "recovery", "after_death", "owed", -39200, None, None)]


def test_a_recovery_without_a_grant_is_owed_in_full():
    rows = entries([position("E", "2021-02", "base", "after_employee_pension", -39200, "recovery")])
    assert rows == [("E", "2021-02", "base", "recovery", "after_employee_pension", "owed", -39200, None, None)]


def test_money_owed_from_earlier_runs_is_settled_from_what_is_left_of_the_grant():
    prior = [("D", "2020-12", "base", "owed", -39200), ("P", "2020-12", "base", "owed", -39200)]
    rows = entries([grant()], owed_before=prior)
    assert rows == [
        ("D", "2020-12", "base", "recovery", "owed_set_off", "owed", 39200, None, None),
        ("D", "2020-12", "base", "recovery", "owed_set_off", "set_off", -39200, "funeral", PAYEE),
        ("D", "2021-01", "funeral_grant", "payment", "arrears", "bank", 235200, "funeral", PAYEE),
    ]  # P has no grant in this run: their owed money waits


def test_a_holds_gap_makes_no_entry():
    assert entries([position("H", "2021-03", "base", "current", 39200, "hold")]) == []


def test_a_bank_return_is_a_reversal_entry_with_no_line():
    reversal = ("R", "320281001", "2021-02", "base", "reversal", "bank_failed", -39200, "JRCB", ACCOUNT,
                "JRCB_回盘_2021-02.csv", 5, "e-123")  # fmt: skip
    assert entries([], reversals=[reversal]) == [
        ("R", "2021-02", "base", "reversal", "bank_failed", "returned", -39200, None, ACCOUNT)
    ]


def test_a_dead_persons_account_refund_rides_the_funeral_line_and_takes_the_set_off_after_the_grant():
    refund = position("D", "2021-01", "account_refund", "arrears", 30000, "payment", died="2021-01")
    over = [position("D", p, "base", "after_death", -39200, "recovery") for p in ("2021-02", "2021-03", "2021-04")]
    over += [position("D", p, "base", "after_death", -39200, "recovery") for p in ("2021-05", "2021-06", "2021-07")]
    over.append(position("D", "2021-08", "base", "after_death", -39200, "recovery"))
    rows = entries([grant(), refund, *over])
    # 7 x 39200 = 274400 recovered: the line carries 235200 + 30000 = 265200 (the grant first, then the
    # refund), 9200 is left owed
    assert ("D", "2021-01", "account_refund", "payment", "arrears", "bank", 30000, "funeral", PAYEE) in rows
    set_off = sum(r[6] for r in rows if r[5] == "set_off")
    owed = sum(r[6] for r in rows if r[5] == "owed")
    assert (set_off, owed) == (-265200, -9200)


def test_a_terminated_persons_refund_goes_to_their_own_account():
    assert entries([position("T", "2021-03", "account_refund", "current", 50750, "payment")]) == [
        ("T", "2021-03", "account_refund", "payment", "current", "bank", 50750, "pension", ACCOUNT)
    ]
