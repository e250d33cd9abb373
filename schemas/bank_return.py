"""Bank return files (回盘): one row per line a bank reports back on an issued batch."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks as c
from schemas.checks import rule, with_checks

RESULTS = {"成功": "success", "失败": "failed", "success": "success", "failed": "failed"}


class BankReturnInput(pa.DataFrameModel):
    """One row per row of a return file, every cell text as read."""

    batch_id: Series[str]
    line_no: Series[str]
    account_number: Series[str]
    amount: Series[str]
    result: Series[str]
    reason: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class BankReturn(pa.DataFrameModel):
    """One row per accepted return line; it matches exactly one issued bank-file line."""

    batch_id: Series[str]
    line_no: Series[int] = pa.Field(ge=1)
    account_number: Series[str] = pa.Field(str_matches=c.ACCOUNT_RE)
    amount_fen: Series[int] = pa.Field(gt=0)
    result: Series[str] = pa.Field(isin=["success", "failed"])
    reason: Series[str]  # the bank's words for a failure
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


def bank_return_rules() -> pa.DataFrameSchema:
    return with_checks(
        BankReturnInput,
        [
            rule("BATCH_MISSING", lambda d: ~c.blank(d["batch_id"])),
            rule("LINE_NO_INVALID", lambda d: d["line_no"].str.fullmatch(r"[1-9][0-9]{0,8}")),
            rule("ACCOUNT_EXCEL_NUMBER", lambda d: ~c.excel_number(d["account_number"])),
            rule("ACCOUNT_INVALID", lambda d: ~c.blank(d["account_number"]) & c.account_ok(d["account_number"])),
            rule(
                "AMOUNT_INVALID",
                lambda d: ~c.blank(d["amount"]) & c.yuan_ok(d["amount"]) & ~d["amount"].str.fullmatch(r"0+(\.0{1,2})?"),
            ),  # positive
            rule("RESULT_INVALID", lambda d: d["result"].str.strip().str.lower().isin(list(RESULTS))),
        ],
    )
