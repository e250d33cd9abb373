"""The month's bank total against last month's: exact shares, flagged beyond the policy's limit."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from pipeline.emit.summary import change_sentence, total_change
from tests.support.scenario import Person, Scenario

LIMIT = Decimal("0.20")


@pytest.mark.parametrize(
    ("bank", "previous", "share", "flagged"),
    [
        (120_00, 100_00, "0.2000", False),  # exactly at the limit: not beyond it
        (120_01, 100_00, "0.2001", True),
        (79_99, 100_00, "0.2001", True),  # a fall counts like a rise
        (100_00, 100_00, "0.0000", False),
        (5_00, 0, None, True),  # from nothing to something
    ],
)
def test_change_from_last_month(bank, previous, share, flagged):
    change = total_change(bank, previous, LIMIT)
    assert change["change_fen"] == bank - previous
    assert change["change_share"] == share
    assert change["flagged"] is flagged
    assert ("FLAGGED" in change_sentence(change)) is flagged


def test_the_opening_month_has_nothing_to_compare():
    assert total_change(39700, None, LIMIT) is None
    assert "first month" in change_sentence(None)


def test_a_month_of_arrears_is_flagged_in_the_summary(tmp_path):
    # January: one pensioner (397 yuan); February: a second one approved back to January is
    # paid two months at once: 397 + 2 x 397 = 1,191 yuan, three times January's total
    first = Person("甲先领", "1950-02-02", "M", 30)
    late = Person("乙晚批", "1950-03-03", "M", 31)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [first.row(), late.row(status="缴费", benefit_start="")])
    scenario.run("2021-01")
    scenario.roster("2021-02", [first.row(), late.row(benefit_start="2021-01")])
    folder = scenario.run("2021-02", close=False)
    summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    zone = 39700  # the scenario's zone resident, paid every month
    change = summary["money"]["change_from_last_month"]
    assert change["previous_bank_total_fen"] == 39700 + zone
    assert change["change_fen"] == 2 * 39700
    assert change["flagged"] is True
    assert "FLAGGED" in (folder / "summary.md").read_text(encoding="utf-8")
    january = json.loads((tmp_path / "out" / "2021-01" / "summary.json").read_text(encoding="utf-8"))
    assert january["money"]["change_from_last_month"] is None


def test_summary_md_names_month_and_status_and_lists_holds_in_yuan_by_reason(tmp_path):
    paused = Person("丙暂停", "1950-04-04", "M", 32)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [paused.row()])
    scenario.run("2021-01")
    scenario.roster("2021-02", [paused.row(status="暂停", suspended_from="2021-02")])
    folder = scenario.run("2021-02", close=False)
    text = (folder / "summary.md").read_text(encoding="utf-8")
    assert text.splitlines()[0] == "# Monthly run summary 月度发放汇总 2021-02 · 状态 status: 草稿 draft"
    assert "{" not in text  # no raw Python dict
    assert "| hold_reason | 原因 reason | rows | held (yuan) |" in text
    assert "| suspended | 暂停发放 suspended | 2 | 397.00 |" in text  # base 392 + top-up 5 of February
    assert "| **total 合计** | | 2 | 397.00 |" in text
