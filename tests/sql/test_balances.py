"""ledger/balances.sql on literal rows: a month carries, in full, only the periods its entries
touch; every other period stays as the month that last rewrote it (SPEC §6). And the macro
carried_as_of, which reads each period from the latest file holding it. 392 yuan = 39200 fen."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.emit.files import write_parquet
from pipeline.entitlement import CarriedBalances, carried_rows
from pipeline.sql.runner import load_macros
from tests.sql.steps import run_step

BALANCES = "id_number varchar, period varchar, component varchar, net_fen bigint, owed_fen bigint"
LEDGER = "id_number varchar, period varchar, component varchar, amount_fen bigint, settlement varchar"
COLUMNS = "id_number, period, component, net_fen, owed_fen"
# as the month before (March) carried them: January, February and March of A and B
BEFORE = [
    ("A", "2021-01", "base", 39200, 0),
    ("A", "2021-02", "base", 39200, 0),
    ("A", "2021-03", "base", 39200, 0),
    ("B", "2021-01", "base", 39200, 0),
    ("B", "2021-02", "base", 0, 0),  # paid, then the bank returned it
    ("B", "2021-03", "base", 39200, 0),
]


def balances(ledger: list[tuple], *, in_full: bool = False, before=BEFORE) -> list[tuple]:
    return run_step(
        "ledger/balances",
        {
            "balances_before": (BALANCES, before),
            "ledger": (LEDGER, ledger),
            "params": ("balances_in_full boolean", [(in_full,)]),
        },
        COLUMNS,
    )


def test_a_month_rewrites_only_the_periods_its_entries_touch_each_in_full():
    # April: A and B paid April; B's February re-issued. January and March are not written: the
    # next month reads them from the month that last rewrote them
    april = [
        ("A", "2021-04", "base", 39200, "bank"),
        ("B", "2021-04", "base", 39200, "bank"),
        ("B", "2021-02", "base", 39200, "bank"),
    ]
    assert balances(april) == [
        ("A", "2021-02", "base", 39200, 0),  # untouched, but of a rewritten period: carried in it
        ("A", "2021-04", "base", 39200, 0),
        ("B", "2021-02", "base", 39200, 0),  # 0 + the re-issue
        ("B", "2021-04", "base", 39200, 0),
    ]


def test_owed_money_sums_the_owed_entries_of_the_key():
    # a recovery of 1,000 fen left owed on A's March, then 400 of it set off on a funeral line
    ledger = [
        ("A", "2021-03", "base", -1000, "owed"),
        ("A", "2021-03", "base", 400, "owed"),
        ("A", "2021-03", "base", -400, "set_off"),
    ]
    assert balances(ledger) == [
        ("A", "2021-03", "base", 38200, -600),
        ("B", "2021-03", "base", 39200, 0),
    ]


def test_a_month_whose_month_before_carried_none_writes_every_period():
    # balances_before was summed from the whole ledger: no file before holds any period
    april = [("A", "2021-04", "base", 39200, "bank")]
    assert balances(april, in_full=True) == sorted([*BEFORE, ("A", "2021-04", "base", 39200, 0)])


def test_a_month_without_entries_rewrites_nothing():
    assert balances([]) == []


def test_carried_as_of_reads_each_period_from_the_latest_file_holding_it(tmp_path):
    # March rewrote January and March (a late recovery); April rewrote March and April
    files = {
        "2021-02": [("A", "2021-01", "base", 39200, 0), ("A", "2021-02", "base", 39200, 0)],
        "2021-03": [("A", "2021-01", "base", 38200, 0), ("A", "2021-03", "base", 39200, 0)],
        "2021-04": [("A", "2021-03", "base", 0, 0), ("A", "2021-04", "base", 39200, 0)],
        "2021-05": [],  # no entries: an empty file rewrites no period
    }
    types = {"id_number": "str", "period": "str", "component": "str", "net_fen": "int64", "owed_fen": "int64"}
    paths = [str(tmp_path / month / "balances.parquet") for month in files]
    for (month, rows), path in zip(files.items(), paths, strict=True):
        write_parquet(pd.DataFrame(rows, columns=list(types)).astype(types).assign(run_month=month), Path(path))

    def as_of(month: str) -> list[tuple]:
        """The auditors' macro, and the run's query file by file: the same rows."""
        with duckdb.connect() as con:
            load_macros(con)
            by_macro = con.sql(
                "select period, net_fen, run_month from carried_as_of(?, ?) order by period", params=[paths, month]
            ).fetchall()
        carried = CarriedBalances(tuple((m, p) for m, p in zip(files, paths, strict=True) if m <= month), month)
        rows = carried_rows(carried).select(["period", "net_fen", "run_month"]).to_pylist()
        assert sorted(tuple(r.values()) for r in rows) == by_macro
        return by_macro

    assert as_of("2021-02") == [("2021-01", 39200, "2021-02"), ("2021-02", 39200, "2021-02")]
    assert as_of("2021-03") == [
        ("2021-01", 38200, "2021-03"),
        ("2021-02", 39200, "2021-02"),
        ("2021-03", 39200, "2021-03"),
    ]
    assert as_of("2021-05") == [
        ("2021-01", 38200, "2021-03"),
        ("2021-02", 39200, "2021-02"),
        ("2021-03", 0, "2021-04"),
        ("2021-04", 39200, "2021-04"),
    ]
