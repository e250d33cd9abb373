"""Personal accounts (个人账户, SPEC §5a): the opening balances carried over from the previous
system, and the account ledger the pipeline keeps from then on."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from pipeline.core.codes import ACCOUNT_COMPONENTS
from pipeline.core.months import MONTH_RE
from schemas import checks as c
from schemas.checks import rule, with_checks


class OpeningBalanceInput(pa.DataFrameModel):
    """One row per row of inbox/accounts/opening.*, every cell text as read (ID upgraded)."""

    id_number: Series[str]
    balance_yuan: Series[str]
    as_of_month: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class OpeningBalance(pa.DataFrameModel):
    """One row per accepted opening balance: the account as the previous system left it."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18, unique=True)
    balance_fen: Series[int] = pa.Field(ge=0)
    as_of_month: Series[str] = pa.Field(str_matches=MONTH_RE)
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


def opening_balance_rules(opening_month: str) -> pa.DataFrameSchema:
    return with_checks(
        OpeningBalanceInput,
        [
            *c.id_number_rules(),
            rule("BALANCE_INVALID", lambda d: ~c.blank(d["balance_yuan"]) & c.yuan_ok(d["balance_yuan"])),
            rule("AS_OF_MONTH_INVALID", lambda d: d["as_of_month"].str.strip().eq(opening_month)),
            # every copy: which of two balances the previous system meant is the office's to say
            rule("DUPLICATE_IN_FILE", lambda d: ~d["id_number"].duplicated(keep=False) | c.blank(d["id_number"])),
        ],
    )


class AccountEntry(pa.DataFrameModel):
    """One row per entry of the account ledger (state/account_entries.parquet of each run month,
    which adds run_month): signed integer fen for one person's account."""

    entry_id: Series[str] = pa.Field(unique=True)
    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    township_code: Series[str] = pa.Field(nullable=True)
    period: Series[str] = pa.Field(str_matches=MONTH_RE)  # the month the entry belongs to
    component: Series[str] = pa.Field(isin=list(ACCOUNT_COMPONENTS))
    # credits > 0 (opening, contribution, subsidy, interest); debits < 0 (pension_debit, refund);
    # a correcting entry of a contribution or subsidy has either sign
    amount_fen: Series[int]
    # contribution, subsidy: the contribution's year (a correction keys on it); interest: the year
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(nullable=True)  # input row the entry comes from
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True
        coerce = True
