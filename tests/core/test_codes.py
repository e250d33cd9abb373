"""Each list of codes is written once and means one thing."""

from __future__ import annotations

from pipeline.core.codes import (
    INPUT_KINDS,
    MONTHLY_INPUT_KINDS,
    OPENING_INPUT_KINDS,
    REJECT_PRIORITY,
    REJECT_REASONS,
    YEARLY_INPUT_KINDS,
    reject_message,
)
from pipeline.paths import Inbox


def test_input_kinds_are_the_monthly_folders_the_yearly_contributions_and_the_opening_balances(tmp_path):
    assert INPUT_KINDS == ("rosters", "deaths", "bank_returns", "id_corrections", "contributions", "opening_balances")
    assert set(MONTHLY_INPUT_KINDS).isdisjoint(YEARLY_INPUT_KINDS)
    assert set(MONTHLY_INPUT_KINDS + YEARLY_INPUT_KINDS).isdisjoint(OPENING_INPUT_KINDS)
    (tmp_path / "contributions").mkdir()
    (tmp_path / "contributions" / "2021.csv").write_text("", encoding="utf-8")
    assert Inbox(tmp_path).contributions(2021) == [tmp_path / "contributions" / "2021.csv"]
    (tmp_path / "accounts").mkdir()
    (tmp_path / "accounts" / "opening.xlsx").write_text("", encoding="utf-8")
    (tmp_path / "accounts" / "opening.txt").write_text("", encoding="utf-8")
    assert Inbox(tmp_path).opening_balances() == [tmp_path / "accounts" / "opening.xlsx"]


def test_a_message_of_several_codes_keeps_the_fixing_order():
    first, second = "NAME_MISSING", "BANK_UNKNOWN"
    assert REJECT_PRIORITY[first] < REJECT_PRIORITY[second]
    (zh1, en1), (zh2, en2) = REJECT_REASONS[first], REJECT_REASONS[second]
    assert reject_message(f"{first};{second}") == f"{zh1}；{zh2} / {en1}; {en2}"
    assert reject_message(first) == f"{zh1} / {en1}"
