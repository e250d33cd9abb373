"""Column operations that pandas 3 makes slow on large text columns, done the fast way."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc


def map_values(s: pd.Series, mapping) -> pd.Series:
    """s.map(mapping) (a dict or a Series), looked up once per distinct value: fast for the
    few-valued columns of an input (sex, status, source file); unmapped values become NaN."""
    lookup = mapping.get if isinstance(mapping, dict) else mapping.to_dict().get
    codes, uniques = pd.factorize(s)
    mapped = np.array([lookup(u) for u in uniques] + [None], dtype=object)  # code -1: NaN
    return pd.Series(mapped[codes], index=s.index, dtype="str")


def isin(s: pd.Series, values) -> pd.Series:
    """s.isin(values) for large value sets (pandas' own builds a pyarrow scalar per value)."""
    value_set = pa_arrow.array(
        pd.Series(values, dtype="str").dropna().to_numpy(dtype=object), type=pa_arrow.large_string()
    )
    column = pa_arrow.array(s.astype("str").to_numpy(dtype=object), type=pa_arrow.large_string(), from_pandas=True)
    found = pc.is_in(column, value_set=value_set).fill_null(False)
    return pd.Series(found.to_numpy(zero_copy_only=False), index=s.index, dtype="bool")
