"""Months as 'YYYY-MM' text: one format for the command line, the inputs and the ledger."""

from __future__ import annotations

import pytest

from pipeline.core.months import add_months, month_range, parse_month


def test_a_month_is_parsed_and_counted():
    assert parse_month("2021-03") == (2021, 3)
    assert add_months("2021-12", 1) == "2022-01"
    assert add_months("2021-01", -1) == "2020-12"
    assert month_range("2021-11", "2022-02") == ["2021-11", "2021-12", "2022-01", "2022-02"]
    assert month_range("2021-03", "2021-02") == []


NOT_MONTHS = ["2021-13", "2021-00", "2021-3", "2021/03", "２０２１-03", "2021-0３", "", "2021-03\n"]


@pytest.mark.parametrize("text", NOT_MONTHS)
def test_what_is_not_a_month_is_refused(text):
    with pytest.raises(ValueError, match="is not a month"):
        parse_month(text)
