"""Bank return lines: only a line matching an issued line exactly is accepted; nothing else
becomes money."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate.bank_returns import validate_bank_returns
from pipeline.validate.month import PastMonths
from tests.support.builders import account_for, bank_return_row, raw_table

FILE = "2021-02/bank_returns/JRCB_returns.csv"
BATCH = "JRCB-2021-01-pension"
ISSUED = pd.DataFrame(
    {
        "batch_id": [BATCH, BATCH, BATCH, "ICBC-2021-01-pension"],
        "line_no": pd.Series([1, 2, 3, 1], dtype="int64"),
        "account_number": [account_for(1), account_for(2), account_for(3), account_for(4, "6222")],
        "amount_fen": pd.Series([40450, 39200, 118_850, 39700], dtype="int64"),
        "township_code": ["320281001", "320281004", "320281001", "320281100"],
    }
)
NOTHING_RETURNED = PastMonths.empty().returned_lines


def validate(rows, already_returned=NOTHING_RETURNED, issued=ISSUED):
    return validate_bank_returns(
        raw_table(rows, "bank_returns", FILE), issued=issued, already_returned=already_returned
    )


def test_matching_lines_are_accepted():
    rows = [
        bank_return_row(BATCH, 1, account_for(1), "404.50"),
        bank_return_row(BATCH, 3, account_for(3), "1188.5", result="成功", reason=""),
        bank_return_row("ICBC-2021-01-pension", 1, account_for(4, "6222"), "397.00", result="failed"),
    ]
    result = validate(rows)
    assert result.rejects.empty
    got = result.accepted
    assert got[["batch_id", "line_no", "account_number", "amount_fen", "result"]].values.tolist() == [
        [BATCH, 1, account_for(1), 40450, "failed"],
        [BATCH, 3, account_for(3), 118_850, "success"],
        ["ICBC-2021-01-pension", 1, account_for(4, "6222"), 39700, "failed"],
    ]
    assert got["reason"].tolist() == ["账户已销户", "", "账户已销户"]
    assert got["source_row"].tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "404.49"},  # one fen less
        {"amount": "404.51"},  # one fen more
        {"account_number": account_for(2)},  # another issued line's account
        {"line_no": "3"},  # another issued line of the batch
        {"batch_id": "JRCB-2020-12-pension"},
        {"line_no": "9"},
    ],
)
def test_line_not_matching_an_issued_line_is_rejected(changes):
    rows = [
        bank_return_row(BATCH, 2, account_for(2), "392"),
        {**bank_return_row(BATCH, 1, account_for(1), "404.50"), **changes},
    ]
    result = validate(rows)
    assert result.rejects[["source_row", "reason_codes"]].values.tolist() == [[3, "RETURN_UNMATCHED"]]
    assert result.accepted["line_no"].tolist() == [2]


def test_unmatched_reject_names_no_township_matched_one_names_it():
    rows = [
        bank_return_row(BATCH, 1, account_for(1), "404.49"),
        bank_return_row(BATCH, 2, account_for(2), "392.00", result="成"),
    ]
    result = validate(rows)
    assert result.rejects.sort_values("source_row")[["reason_code", "township_code"]].values.tolist() == [
        ["RETURN_UNMATCHED", ""],
        ["RESULT_INVALID", "320281004"],
    ]


def test_line_returned_twice_in_the_month_rejects_both():
    rows = [
        bank_return_row(BATCH, 1, account_for(1), "404.50"),
        bank_return_row(BATCH, 2, account_for(2), "392.00"),
        bank_return_row(BATCH, 1, account_for(1), "404.50"),
    ]
    result = validate(rows)
    assert sorted(result.rejects["source_row"]) == [2, 4]
    assert set(result.rejects["reason_codes"]) == {"RETURN_DUPLICATE"}
    assert result.accepted["line_no"].tolist() == [2]


def test_line_returned_in_an_earlier_month_is_a_duplicate():
    earlier = pd.DataFrame({"batch_id": [BATCH], "line_no": pd.Series([1], dtype="int64")})
    rows = [
        bank_return_row(BATCH, 1, account_for(1), "404.50"),
        bank_return_row(BATCH, 2, account_for(2), "392.00"),
    ]
    result = validate(rows, already_returned=earlier)
    assert result.rejects[["source_row", "reason_codes"]].values.tolist() == [[2, "RETURN_DUPLICATE"]]
    assert result.accepted["line_no"].tolist() == [2]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"result": "未知"}, "RESULT_INVALID"),
        ({"result": ""}, "RESULT_INVALID"),
        ({"batch_id": ""}, "BATCH_MISSING"),
        ({"line_no": "0"}, "LINE_NO_INVALID"),
        ({"line_no": "1.0"}, "LINE_NO_INVALID"),
        ({"line_no": "-1"}, "LINE_NO_INVALID"),
        ({"amount": "404.5.0"}, "AMOUNT_INVALID"),
        ({"amount": "-404.50"}, "AMOUNT_INVALID"),
        ({"amount": "0.00"}, "AMOUNT_INVALID"),
        ({"amount": ""}, "AMOUNT_INVALID"),
        ({"account_number": "6.22848E+18"}, "ACCOUNT_EXCEL_NUMBER"),
        ({"account_number": "622848"}, "ACCOUNT_INVALID"),
        ({"account_number": ""}, "ACCOUNT_INVALID"),
    ],
)
def test_malformed_lines_are_rejected_with_their_reason(changes, code):
    rows = [
        {**bank_return_row(BATCH, 1, account_for(1), "404.50"), **changes},
        bank_return_row(BATCH, 2, account_for(2), "392.00"),
    ]
    result = validate(rows)
    assert result.rejects[["source_row", "reason_code"]].values.tolist() == [[2, code]]
    # a malformed line is not also reported as unmatched: one mistake, one reason
    assert result.rejects["reason_codes"].tolist() == [code]
    assert result.accepted["line_no"].tolist() == [2]


def test_nothing_issued_yet_everything_unmatched():
    rows = [bank_return_row(BATCH, 1, account_for(1), "404.50")]
    result = validate(rows, issued=PastMonths.empty().issued_lines)
    assert result.rejects["reason_code"].tolist() == ["RETURN_UNMATCHED"]
    assert result.accepted.empty


def test_no_returns():
    result = validate([])
    assert result.accepted.empty and result.rejects.empty
