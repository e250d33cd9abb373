"""entitlement/recomputed_people.sql, repriced_periods.sql and due.sql on literal rows: due is
computed only where it can change, its scope (SPEC §5), and every other key is read as of the
months before with macro due_as_of (SPEC §6). One person or month per rule; 392 yuan = 39200 fen a
month, the 65+ top-up 500 fen."""

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


def due(people, rates, recomputed_ids, repriced_periods) -> list[tuple]:
    return run_step(
        "entitlement/due",
        {
            "params": ("opening_month varchar, funeral_grant_months integer", [("2021-01", 6)]),
            "rates": ("from_month varchar, base_fen bigint, topup65_fen bigint", [("2014-01", 39200, 500)]),
            "due_inputs": (INPUTS, list(people)),
            "due_rates": (RATES, rates),
            "recomputed_people": ("id_number varchar", [(pid,) for pid in recomputed_ids]),
            "repriced_periods": ("period varchar", [(period,) for period in repriced_periods]),
        },
        "id_number, period, component, due_fen",
    )


def test_a_person_not_recomputed_is_due_only_in_the_repriced_run_month():
    months = month_rates("2021-01", "2021-02", "2021-03")
    rows = due([inputs("A")], months, recomputed_ids=[], repriced_periods=["2021-03"])
    assert rows == [("A", "2021-03", "base", 39200)]


def test_due_of_a_recomputed_person_is_computed_in_every_month():
    rows = due(
        [inputs("B", benefit_start="2021-02")],
        month_rates("2021-01", "2021-02", "2021-03"),
        recomputed_ids=["B"],
        repriced_periods=["2021-03"],
    )
    assert rows == [("B", "2021-02", "base", 39200), ("B", "2021-03", "base", 39200)]


def test_a_repriced_month_is_computed_for_everyone():
    rows = due(
        [inputs("A", topup_month="2021-02")],
        month_rates("2021-01") + month_rates("2021-02", base_fen=40000) + month_rates("2021-03", base_fen=40000),
        recomputed_ids=[],
        repriced_periods=["2021-02", "2021-03"],
    )
    assert rows == [
        ("A", "2021-02", "base", 40000),
        ("A", "2021-02", "topup65", 500),
        ("A", "2021-03", "base", 40000),
        ("A", "2021-03", "topup65", 500),
    ]


def test_a_funeral_grant_is_always_computed():
    died = inputs("D", death_month="2021-02", registered_month="2021-02")
    rows = due([died], month_rates("2021-01", "2021-02", "2021-03"), recomputed_ids=[], repriced_periods=["2021-03"])
    assert rows == [("D", "2021-02", "funeral_grant", 235200)]


# -- due as of a month (macro due_as_of): each key from the latest month whose scope held it -----------

DUE = "id_number varchar, period varchar, component varchar, due_fen bigint, run_month varchar"


def write_month(folder, month: str, due_rows, recomputed_ids, repriced_periods) -> tuple[str, str, str]:
    """A month's three state files, as a run writes them."""
    import duckdb

    folder.mkdir(exist_ok=True)
    paths = tuple(str(folder / f"{name}-{month}.parquet") for name in ("due", "recomputed", "repriced"))
    with duckdb.connect() as con:
        for path, (columns, rows) in zip(
            paths,
            (
                (DUE, [(*row, month) for row in due_rows]),
                ("id_number varchar, run_month varchar", [(pid, month) for pid in recomputed_ids]),
                ("period varchar, run_month varchar", [(period, month) for period in repriced_periods]),
            ),
            strict=True,
        ):
            con.execute(f"create or replace table t ({columns})")
            if rows:
                con.executemany(f"insert into t values ({', '.join('?' * len(rows[0]))})", rows)
            con.execute(f"copy t to '{path}' (format parquet)")
    return paths


def as_of(months: list[tuple[str, str, str]], up_to: str) -> list[tuple]:
    import duckdb

    from pipeline.sql.runner import load_macros

    files = [[month[i] for month in months] for i in range(3)]
    with duckdb.connect() as con:
        load_macros(con)
        return con.execute(
            "select id_number, period, component, due_fen, run_month from due_as_of(?, ?, ?, ?) order by all",
            [*files, up_to],
        ).fetchall()


def three_months(folder, grant_in_march: bool = True) -> list[tuple[str, str, str]]:
    """January computes everyone; February raises January's rate (repriced) and adds its own
    month; March recomputes B, whose death in January was registered (nothing due after it, a
    grant), and adds its own month for the others."""
    march_grant = [("B", "2021-01", "funeral_grant", 235200)] if grant_in_march else []
    return [
        write_month(folder, "2021-01", [(p, "2021-01", "base", 39200) for p in "ABC"], ["A", "B", "C"], ["2021-01"]),
        write_month(
            folder,
            "2021-02",
            [(p, "2021-01", "base", 40000) for p in "ABC"] + [(p, "2021-02", "base", 39200) for p in "ABC"]
            + [("B", "2021-01", "funeral_grant", 235200)],
            [],
            ["2021-01", "2021-02"],
        ),
        write_month(
            folder,
            "2021-03",
            [("A", "2021-03", "base", 39200), ("B", "2021-01", "base", 40000), ("C", "2021-03", "base", 39200)]
            + march_grant,
            ["B"],
            ["2021-03"],
        ),
    ]  # fmt: skip


def test_a_key_is_read_from_the_latest_month_whose_scope_held_it(tmp_path):
    assert as_of(three_months(tmp_path), "2021-03") == [
        ("A", "2021-01", "base", 40000, "2021-02"),  # February repriced January
        ("A", "2021-02", "base", 39200, "2021-02"),
        ("A", "2021-03", "base", 39200, "2021-03"),
        ("B", "2021-01", "base", 40000, "2021-03"),  # March recomputed B: its February is no longer due
        ("B", "2021-01", "funeral_grant", 235200, "2021-03"),
        ("C", "2021-01", "base", 40000, "2021-02"),
        ("C", "2021-02", "base", 39200, "2021-02"),
        ("C", "2021-03", "base", 39200, "2021-03"),
    ]


def test_due_as_of_an_earlier_month_ignores_the_later_files(tmp_path):
    assert as_of(three_months(tmp_path), "2021-02") == [
        ("A", "2021-01", "base", 40000, "2021-02"),
        ("A", "2021-02", "base", 39200, "2021-02"),
        ("B", "2021-01", "base", 40000, "2021-02"),
        ("B", "2021-01", "funeral_grant", 235200, "2021-02"),
        ("B", "2021-02", "base", 39200, "2021-02"),
        ("C", "2021-01", "base", 40000, "2021-02"),
        ("C", "2021-02", "base", 39200, "2021-02"),
    ]


def test_a_funeral_grant_is_as_the_latest_month_computed_it(tmp_path):
    # every month computes every grant: one the next month no longer finds (its person not
    # recomputed, its month not repriced) is gone, one it finds again is read from it
    january = write_month(tmp_path, "2021-01", [("C", "2021-01", "funeral_grant", 235200)], ["C"], ["2021-01"])
    without = write_month(tmp_path / "without", "2021-02", [], [], ["2021-02"])
    again = write_month(tmp_path / "again", "2021-02", [("C", "2021-01", "funeral_grant", 235200)], [], ["2021-02"])
    assert as_of([january, without], "2021-02") == []
    assert as_of([january, again], "2021-02") == [("C", "2021-01", "funeral_grant", 235200, "2021-02")]
