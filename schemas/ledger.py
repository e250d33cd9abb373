"""The Parquet ledger: append-only, one partition per run month; the auditors' source of truth."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core.codes import COMPONENTS, ENTRY_KINDS, LEDGER_REASONS, SETTLEMENTS
from pipeline.core.idcard import ID18
from pipeline.core.months import MONTH_RE


class LedgerEntry(pa.DataFrameModel):
    """One row per ledger entry: signed integer fen for one person, period and component."""

    run_month: Series[str] = pa.Field(str_matches=MONTH_RE)
    entry_id: Series[str] = pa.Field(unique=True)
    id_number: Series[str] = pa.Field(str_matches=ID18)
    township_code: Series[str] = pa.Field(nullable=True)
    period: Series[str] = pa.Field(str_matches=MONTH_RE)  # the month the money belongs to
    component: Series[str] = pa.Field(isin=list(COMPONENTS))
    kind: Series[str] = pa.Field(isin=list(ENTRY_KINDS))
    reason: Series[str] = pa.Field(isin=list(LEDGER_REASONS))
    settlement: Series[str] = pa.Field(isin=list(SETTLEMENTS))
    amount_fen: Series[int]  # signed: payments > 0, recoveries and reversals < 0
    bank_code: Series[str] = pa.Field(nullable=True)
    account_number: Series[str] = pa.Field(nullable=True)
    batch_id: Series[str] = pa.Field(nullable=True)  # bank file line carrying the money
    line_no: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    source_file: Series[str] = pa.Field(nullable=True)  # input row the entry comes from
    source_row: Series[pd.Int64Dtype] = pa.Field(nullable=True)
    reverses_entry_id: Series[str] = pa.Field(nullable=True)  # for reversals

    class Config:
        strict = True
        ordered = True
        coerce = True


def empty_ledger() -> pd.DataFrame:
    dtypes = {"amount_fen": "int64", "line_no": "Int64", "source_row": "Int64"}
    return pd.DataFrame(
        {name: pd.Series([], dtype=dtypes.get(name, "str")) for name in LedgerEntry.to_schema().columns}
    )


class BankLine(pa.DataFrameModel):
    """One row per payee per bank batch of the run month."""

    batch_id: Series[str]
    line_no: Series[int] = pa.Field(ge=1)
    line_type: Series[str] = pa.Field(isin=["pension", "funeral"])
    bank_code: Series[str]
    account_number: Series[str]
    id_number: Series[str]  # the pensioner, or the deceased for a funeral grant
    township_code: Series[str] = pa.Field(nullable=True)
    amount_fen: Series[int] = pa.Field(gt=0)

    class Config:
        strict = True
        coerce = True
