"""The money step's tables leave DuckDB's memory once no later step reads them (a result is
read out first)."""

from __future__ import annotations

from pipeline.entitlement import READ_OUT, RELEASED_AFTER, STEPS, step_table


def test_a_table_of_every_period_goes_once_its_last_reader_has_run():
    assert RELEASED_AFTER["entitlement/due_in_force"] == ("due", "account_refunds")
    assert set(RELEASED_AFTER["ledger/entries"]) == {"reversals", "earlier_balances", "positions"}
    assert "due_in_force" in RELEASED_AFTER["ledger/positions"]  # read out to Arrow, then dropped
    assert RELEASED_AFTER["ledger/balances"] == ("balances",)  # read by no later step: at once


def test_every_table_is_released_once():
    released = [table for tables in RELEASED_AFTER.values() for table in tables]
    assert sorted(released) == sorted(step_table(step) for step in STEPS)
    assert set(READ_OUT) <= set(released)


def test_a_name_in_a_comment_keeps_no_table():
    # awards.sql speaks of due in a comment only: due goes with its last reader, due_in_force
    assert "due" not in RELEASED_AFTER["entitlement/awards"]
