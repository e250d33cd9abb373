"""What the rules say is owed, and the gaps the office acts on: the money step's stored tables."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core.codes import COMPONENTS, LEDGER_REASONS


class Due(pa.DataFrameModel):
    """One row per person per period per component with money due (due_in_force)."""

    id_number: Series[str]
    period: Series[str]  # the month the money belongs to
    component: Series[str] = pa.Field(isin=list(COMPONENTS))
    due_fen: Series[int] = pa.Field(ge=0)

    class Config:
        strict = True
        ordered = True


class Hold(pa.DataFrameModel):
    """One row per person per period per component whose gap (due - paid) the run did not settle,
    with the roster and death rows it was judged on and why it is held."""

    id_number: Series[str]
    period: Series[str]
    component: Series[str] = pa.Field(isin=list(COMPONENTS))
    due_fen: Series[int]
    paid_fen: Series[int]
    gap_fen: Series[int]  # > 0 kept unpaid, < 0 kept unrecovered
    township_code: Series[str] = pa.Field(nullable=True)
    presence: Series[str] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(nullable=True)
    suspended_from: Series[str] = pa.Field(nullable=True)
    employee_pension_from: Series[str] = pa.Field(nullable=True)
    bank_code: Series[str] = pa.Field(nullable=True)
    account_number: Series[str] = pa.Field(nullable=True)
    roster_file: Series[str] = pa.Field(nullable=True)
    roster_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    death_month: Series[str] = pa.Field(nullable=True)
    payee_status: Series[str] = pa.Field(nullable=True)
    payee_bank_code: Series[str] = pa.Field(nullable=True)
    payee_account_number: Series[str] = pa.Field(nullable=True)
    death_file: Series[str] = pa.Field(nullable=True)
    death_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    hold_reason: Series[str]
    action: Series[str] = pa.Field(isin=["hold"])
    reason: Series[str] = pa.Field(isin=list(LEDGER_REASONS))

    class Config:
        strict = True
        ordered = True
