"""Typed empty tables, for the first month (no history yet) and for months without some input."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

_DTYPES = {"str": "str", "int64": "int64", "Int64": "Int64", "bool": "bool"}


def empty_frame(model: type[pa.DataFrameModel], **extra: str) -> pd.DataFrame:
    """No rows, the model's columns and dtypes (plus extra name=dtype columns)."""
    columns = {}
    for name, column in model.to_schema().columns.items():
        dtype = str(column.dtype)
        if "datetime" in dtype.lower():
            dtype = "datetime64[us]"
        columns[name] = pd.Series([], dtype=_DTYPES.get(dtype, dtype))
    columns.update({name: pd.Series([], dtype=dtype) for name, dtype in extra.items()})
    return pd.DataFrame(columns)
