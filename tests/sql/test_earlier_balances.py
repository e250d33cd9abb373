"""ledger/earlier_balances.sql and ledger/base_paid_before.sql on literal rows: the month reads in
only the earlier balances of its scope (the keys whose gap it judges or settles, SPEC §5), by the
person's current ID; and the people ever paid a base pension. 392 yuan = 39200 fen."""

from __future__ import annotations

from tests.sql.steps import run_step

BALANCES = "id_number varchar, period varchar, component varchar, net_fen bigint, owed_fen bigint"
LINKS = "old_id_number varchar, new_id_number varchar"
COLUMNS = "id_number, period, component, net_fen, owed_fen"
RUN = "2021-05"  # the run month: repriced, as every run month is
NOT_REPRICED = "2021-03"


def earlier(
    balances: list[tuple],
    *,
    recomputed=(),
    repriced=(RUN,),
    died=(),
    terminated=(),
    links=(),
) -> list[tuple]:
    """died: people whose funeral grant is due; terminated: people of status terminated."""
    due = [(pid, "2021-02", "funeral_grant", 235200) for pid in died]
    return run_step(
        "ledger/earlier_balances",
        {
            "balances_before": (BALANCES, balances),
            "id_links": (LINKS, list(links)),
            "recomputed_people": ("id_number varchar", [(pid,) for pid in recomputed]),
            "repriced_periods": ("period varchar", [(period,) for period in repriced]),
            "due": ("id_number varchar, period varchar, component varchar, due_fen bigint", due),
            "people": ("id_number varchar, status varchar", [(pid, "terminated") for pid in terminated]),
        },
        COLUMNS,
    )


def test_a_settled_key_of_a_person_not_recomputed_is_not_read():
    assert earlier([("A", NOT_REPRICED, "base", 39200, 0)]) == []


def test_every_key_of_a_recomputed_person_is_read():
    rows = [("A", NOT_REPRICED, "base", 39200, 0), ("A", "2021-04", "topup65", 500, 0)]
    assert earlier(rows, recomputed=["A"]) == rows


def test_everyone_s_key_of_a_repriced_month_is_read():
    rows = [("A", NOT_REPRICED, "base", 39200, 0), ("B", "2021-04", "base", 39200, 0)]
    assert earlier(rows, repriced=[RUN, "2021-04"]) == [("B", "2021-04", "base", 39200, 0)]


def test_funeral_grants_and_account_refunds_are_always_read():
    rows = [("D", "2021-02", "account_refund", 120000, 0), ("D", "2021-02", "funeral_grant", 235200, 0)]
    assert earlier(rows) == rows


def test_the_account_pensions_paid_to_the_dead_and_the_terminated_are_read_their_refund_debits_them():
    rows = [
        ("D", NOT_REPRICED, "account", 3000, 0),
        ("T", NOT_REPRICED, "account", 2500, 0),
        ("A", NOT_REPRICED, "account", 3000, 0),  # alive and active: settled
    ]
    assert earlier(rows, died=["D"], terminated=["T"]) == rows[:2]


def test_a_key_with_money_still_owed_is_read_a_grant_may_settle_it():
    rows = [("E", NOT_REPRICED, "base", -39200, -39200), ("E", "2021-02", "base", 39200, 0)]
    assert earlier(rows) == [("E", NOT_REPRICED, "base", -39200, -39200)]


def test_an_old_id_s_balances_are_summed_into_the_new_id_s():
    rows = [("OLD", NOT_REPRICED, "base", 39200, 0), ("NEW", NOT_REPRICED, "base", -39200, -39200)]
    # a correction's two IDs are recomputed people (recomputed_people.sql)
    assert earlier(rows, recomputed=["OLD", "NEW"], links=[("OLD", "NEW")]) == [
        ("NEW", NOT_REPRICED, "base", 0, -39200)
    ]


def base_paid(balances: list[tuple], links=()) -> list[tuple]:
    return run_step(
        "ledger/base_paid_before",
        {"balances_before": (BALANCES, balances), "id_links": (LINKS, list(links))},
        "id_number",
    )


def test_the_people_ever_paid_a_base_pension_even_if_the_bank_returned_it():
    rows = [
        ("A", "2021-01", "base", 39200, 0),
        ("A", "2021-02", "base", 39200, 0),
        ("B", "2021-01", "base", 0, 0),  # paid, then returned: paid before all the same
        ("C", "2021-01", "account", 3000, 0),  # never a base pension
    ]
    assert base_paid(rows) == [("A",), ("B",)]


def test_an_old_id_paid_a_base_pension_is_the_new_id_paid_it():
    assert base_paid([("OLD", "2021-01", "base", 39200, 0)], links=[("OLD", "NEW")]) == [("NEW",)]
