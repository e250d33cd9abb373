"""entitlement/recomputed_people.sql, repriced_periods.sql and due.sql on literal rows: due is
computed again only where it can change, and carried from the month before everywhere else (SPEC
§5). One person or month per rule; 392 yuan = 39200 fen a month, the 65+ top-up 500 fen."""

from __future__ import annotations

from tests.sql.steps import run_step

INPUTS = (
    "id_number varchar, hukou_local boolean, status varchar, pension_age_month varchar, topup_month varchar, "
    "benefit_start varchar, end_month varchar, employee_pension_from varchar, last_rostered_month varchar, "
    "death_month varchar, registered_month varchar, account_pension_fen bigint"
)
RATES = "period varchar, base_fen bigint, topup65_fen bigint, rules_sha256 varchar"
RULES = "a" * 64


def inputs(pid: str, **fields) -> tuple:
    row = {
        "status": "receiving",
        "pension_age_month": "2015-01",
        "topup_month": "2030-01",
        "benefit_start": "2015-01",
        "death_month": None,
        "registered_month": None,
    } | fields
    return (pid, True, row["status"], row["pension_age_month"], row["topup_month"], row["benefit_start"], None,
            None, None, row["death_month"], row["registered_month"], None)  # fmt: skip


def month_rates(*periods: str, base_fen: int = 39200, rules: str = RULES) -> list[tuple]:
    return [(period, base_fen, 500, rules) for period in periods]


def before(rows: list[tuple]) -> list[tuple]:
    return [(*row, "2021-02") for row in rows]


def recomputed(now, then, holds=(), returned=(), links=()) -> list[str]:
    rows = run_step(
        "entitlement/recomputed_people",
        {
            "due_inputs": (INPUTS, list(now)),
            "due_inputs_before": (f"{INPUTS}, run_month varchar", before(list(then))),
            "holds_before": ("id_number varchar", [(pid,) for pid in holds]),
            "reversals": ("id_number varchar", [(pid,) for pid in returned]),
            "id_links": ("old_id_number varchar, new_id_number varchar", list(links)),
        },
        "id_number",
    )
    return [pid for (pid,) in rows]


def test_a_person_whose_inputs_are_as_the_month_before_is_not_recomputed():
    assert recomputed([inputs("A")], [inputs("A")]) == []


def test_a_changed_value_of_due_recomputes_the_person():
    # B's benefit start moved back a month: every earlier month of B may now be owed
    assert recomputed([inputs("A"), inputs("B", benefit_start="2014-12")], [inputs("A"), inputs("B")]) == ["B"]


def test_a_death_registered_recomputes_the_person():
    now = inputs("D", death_month="2021-01", registered_month="2021-03")
    assert recomputed([now], [inputs("D")]) == ["D"]


def test_a_person_new_to_the_rolls_or_gone_from_them_is_recomputed():
    assert recomputed([inputs("A"), inputs("N")], [inputs("A"), inputs("G")]) == ["G", "N"]


def test_a_person_held_or_whose_money_came_back_or_whose_id_was_corrected_is_recomputed():
    people = [inputs(pid) for pid in ("A", "H", "R", "OLD", "NEW")]
    assert recomputed(people, people, holds=["H"], returned=["R"], links=[("OLD", "NEW")]) == ["H", "NEW", "OLD", "R"]


def test_without_the_month_before_everyone_is_recomputed():
    assert recomputed([inputs("A"), inputs("B")], []) == ["A", "B"]


def repriced(now: list[tuple], then: list[tuple]) -> list[str]:
    rows = run_step(
        "entitlement/repriced_periods",
        {"due_rates": (RATES, now), "due_rates_before": (f"{RATES}, run_month varchar", before(then))},
        "period",
    )
    return [period for (period,) in rows]


def test_the_run_month_and_a_month_whose_rate_was_raised_afterwards_are_repriced():
    then = month_rates("2021-01", "2021-02")
    now = month_rates("2021-01") + month_rates("2021-02", base_fen=40000) + month_rates("2021-03")
    assert repriced(now, then) == ["2021-02", "2021-03"]


def test_new_rules_reprice_every_month():
    then = month_rates("2021-01", "2021-02")
    assert repriced(month_rates("2021-01", "2021-02", "2021-03", rules="b" * 64), then) == [
        "2021-01",
        "2021-02",
        "2021-03",
    ]


def due(people, rates, recomputed_ids, repriced_periods, due_before) -> list[tuple]:
    return run_step(
        "entitlement/due",
        {
            "params": ("opening_month varchar, funeral_grant_months integer", [("2021-01", 6)]),
            "rates": ("from_month varchar, base_fen bigint, topup65_fen bigint", [("2014-01", 39200, 500)]),
            "due_inputs": (INPUTS, list(people)),
            "due_rates": (RATES, rates),
            "recomputed_people": ("id_number varchar", [(pid,) for pid in recomputed_ids]),
            "repriced_periods": ("period varchar", [(period,) for period in repriced_periods]),
            "due_before": (
                "id_number varchar, period varchar, component varchar, due_fen bigint, run_month varchar",
                before(list(due_before)),
            ),
        },
        "id_number, period, component, due_fen",
    )


def test_due_of_a_person_not_recomputed_is_carried_and_the_run_month_computed():
    # the month before's due of A is carried as stored (a sentinel 11111 shows it is not recomputed)
    rows = due(
        [inputs("A")],
        month_rates("2021-01", "2021-02", "2021-03"),
        recomputed_ids=[],
        repriced_periods=["2021-03"],
        due_before=[("A", "2021-01", "base", 11111), ("A", "2021-02", "base", 39200)],
    )
    assert rows == [("A", "2021-01", "base", 11111), ("A", "2021-02", "base", 39200), ("A", "2021-03", "base", 39200)]


def test_due_of_a_recomputed_person_is_computed_in_every_month():
    rows = due(
        [inputs("B", benefit_start="2021-02")],
        month_rates("2021-01", "2021-02", "2021-03"),
        recomputed_ids=["B"],
        repriced_periods=["2021-03"],
        due_before=[("B", "2021-01", "base", 39200), ("B", "2021-02", "base", 39200)],
    )
    assert rows == [("B", "2021-02", "base", 39200), ("B", "2021-03", "base", 39200)]


def test_a_repriced_month_is_computed_for_everyone_and_the_other_months_carried():
    rows = due(
        [inputs("A", topup_month="2021-02")],
        month_rates("2021-01") + month_rates("2021-02", base_fen=40000) + month_rates("2021-03", base_fen=40000),
        recomputed_ids=[],
        repriced_periods=["2021-02", "2021-03"],
        due_before=[("A", "2021-01", "base", 39200), ("A", "2021-02", "base", 39200), ("A", "2021-02", "topup65", 500)],
    )
    assert rows == [
        ("A", "2021-01", "base", 39200),
        ("A", "2021-02", "base", 40000),
        ("A", "2021-02", "topup65", 500),
        ("A", "2021-03", "base", 40000),
        ("A", "2021-03", "topup65", 500),
    ]


def test_a_funeral_grant_is_always_computed_and_never_carried():
    died = inputs("D", death_month="2021-02", registered_month="2021-02")
    rows = due(
        [died],
        month_rates("2021-01", "2021-02", "2021-03"),
        recomputed_ids=[],
        repriced_periods=["2021-03"],
        due_before=[
            ("D", "2021-01", "base", 39200),
            ("D", "2021-02", "base", 39200),
            ("D", "2021-02", "funeral_grant", 1),
        ],
    )
    assert rows == [
        ("D", "2021-01", "base", 39200),
        ("D", "2021-02", "base", 39200),
        ("D", "2021-02", "funeral_grant", 235200),
    ]
