"""Rejected input rows: one row per input row that was not accepted, whatever its kind."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core.codes import INPUT_KINDS, REJECT_REASONS


class Rejects(pa.DataFrameModel):
    input_kind: Series[str] = pa.Field(isin=list(INPUT_KINDS))
    source_file: Series[str]
    source_row: Series[int] = pa.Field(ge=2)  # row number as Excel shows it; header is 1
    township_code: Series[str]  # the clerk who must fix it ('' when no township is known)
    id_number: Series[str]  # as written in the file
    name: Series[str]
    reason_code: Series[str] = pa.Field(isin=list(REJECT_REASONS))  # the first thing to fix
    reason_codes: Series[str]  # every failed rule, ';'-separated, in fixing order
    message: Series[str]  # Chinese / English, for the clerk
    row_values: Series[str]  # the row as read: '身份证号=…; 姓名=…'

    class Config:
        strict = True
        ordered = True
