"""Personal accounts (个人账户, SPEC §5a): the opening balances carried over from the previous
system, and the account ledger the pipeline keeps from then on."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from pipeline.core.codes import ACCOUNT_COMPONENTS, AWARD_BASES
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


class AccountCredit(pa.DataFrameModel):
    """One row per credit the month books before the money step (opening, contribution, subsidy,
    interest): the account entries that count in a balance at award, without their township."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    period: Series[str] = pa.Field(str_matches=MONTH_RE)
    component: Series[str] = pa.Field(isin=["opening", "contribution", "subsidy", "interest"])
    amount_fen: Series[int]
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(nullable=True)
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)

    class Config:
        strict = True
        ordered = True
        coerce = True


class AccountFunds(pa.DataFrameModel):
    """One row per person (current ID: an ID correction's two accounts summed) with any account
    entry: the balance before the month's run plus the run's credits (the balance at an award now)."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18, unique=True)
    balance_fen: Series[int]

    class Config:
        strict = True
        ordered = True
        coerce = True


class AccountBalance(pa.DataFrameModel):
    """One row per person (ID as the entries carry it) per component per year with any account
    entry up to and including the run month (state/account_balances.parquet): a cache of the
    account ledger, carried so that no run sums every earlier month's entries again."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    component: Series[str] = pa.Field(isin=list(ACCOUNT_COMPONENTS))
    # contribution, subsidy: the contribution's year (a correction keys on it); interest: its year
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    net_fen: Series[int]  # sum of amount_fen of every entry so far
    # sum of the entries held on 1 January of the run month's year (periods before it, and the
    # opening balance): what the December close credits interest on
    held_on_1_january_fen: Series[int]

    class Config:
        strict = True
        ordered = True
        coerce = True


class Award(pa.DataFrameModel):
    """One row per person ever awarded an account pension (state/awards.parquet, every award so
    far, carried month to month): fixed in the run month of their first base payment entry."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18, unique=True)  # as at the award
    award_month: Series[str] = pa.Field(str_matches=MONTH_RE)
    basis: Series[str] = pa.Field(isin=list(AWARD_BASES))
    # computed: the balance at award (every entry before that run, and that run's credits) and the
    # divisor in force in the award month; previous_system: the balance then, no divisor
    balance_at_award_fen: Series[int]
    divisor: Series[pd.Int64Dtype] = pa.Field(nullable=True, gt=0)
    account_pension_fen: Series[int] = pa.Field(ge=0)  # the monthly account pension, fen

    class Config:
        strict = True
        ordered = True
        coerce = True
