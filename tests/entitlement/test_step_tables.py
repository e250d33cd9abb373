"""The money step's tables leave DuckDB's memory once no later step reads them."""

from __future__ import annotations

from pipeline.entitlement import DROPPED_AFTER, RESULT_TABLES, STEPS, step_table


def test_the_tables_of_every_period_go_once_their_last_reader_has_run():
    assert DROPPED_AFTER["entitlement/due_in_force"] == ("due", "account_refunds")
    assert set(DROPPED_AFTER["ledger/entries"]) == {"earlier_balances", "reversals"}
    assert DROPPED_AFTER["ledger/ledger"] == ("entries",)


def test_a_table_is_dropped_once_or_kept_as_a_result():
    dropped = [table for tables in DROPPED_AFTER.values() for table in tables]
    assert len(dropped) == len(set(dropped))
    assert set(dropped).isdisjoint(RESULT_TABLES)
    assert set(dropped) | RESULT_TABLES == {step_table(step) for step in STEPS}


def test_a_name_in_a_comment_keeps_no_table():
    # awards.sql speaks of due in its comments only: due goes with its last reader, due_in_force
    assert "due" not in DROPPED_AFTER["entitlement/awards"]
