"""Run a table's pandera row rules lazily and turn every failure into (row, reason code)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.core.codes import REJECT_PRIORITY


def rule_failures(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Every (row index, reason_code) that breaks a rule; all rules of all rows, not the first."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        structural = cases[cases["index"].isna()]
        if not structural.empty:  # a column missing or mistyped: a programming error upstream
            raise
        return (
            cases.rename(columns={"check": "reason_code"})[["index", "reason_code"]]
            .astype({"index": "int64"})
            .drop_duplicates()
        )
    return pd.DataFrame({"index": pd.Series([], dtype="int64"), "reason_code": pd.Series([], dtype="str")})


def passing_rows(frame: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """The rows of `frame` with no failure (the frame itself when every row passes: an empty
    drop would still copy every column)."""
    failed = failures["index"].unique()
    return frame.drop(index=failed) if len(failed) else frame


def flagged(mask: pd.Series, reason_code: str) -> pd.DataFrame:
    """Rows where a cross-table rule is broken, in the same shape as rule_failures."""
    index = mask.index[mask.fillna(False).astype(bool)]
    return pd.DataFrame({"index": index.astype("int64"), "reason_code": reason_code})


def primary_reasons(failures: pd.DataFrame) -> pd.DataFrame:
    """One row per failing input row: its primary reason (first in fixing order) and all codes."""
    if failures.empty:
        return pd.DataFrame(
            {"reason_code": pd.Series([], dtype="str"), "reason_codes": pd.Series([], dtype="str")},
            index=pd.Index([], dtype="int64"),
        )
    ordered = failures.assign(rank=failures["reason_code"].map(REJECT_PRIORITY)).sort_values(["index", "rank"])
    grouped = ordered.groupby("index", sort=True)["reason_code"]
    return pd.DataFrame({"reason_code": grouped.first(), "reason_codes": grouped.agg(";".join)})
