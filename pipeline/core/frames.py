"""Column operations that pandas 3 makes slow on large text columns, done the fast way: in Arrow,
without a Python object per cell."""

from __future__ import annotations

import functools
import weakref

import numpy as np
import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc

TEXT = pa_arrow.large_string()  # the Arrow type of pandas' str columns


def arrow_text(s: pd.Series) -> pa_arrow.ChunkedArray:
    """A column as Arrow large_string (zero-copy for pandas' Arrow-backed str columns)."""
    data = s.array.__arrow_array__() if isinstance(s.dtype, pd.StringDtype) else None
    if data is None:
        data = pa_arrow.array(s.astype("str").to_numpy(dtype=object), type=TEXT, from_pandas=True)
    data = data if isinstance(data, pa_arrow.ChunkedArray) else pa_arrow.chunked_array([data])
    return data.cast(TEXT)


def text_series(values: pa_arrow.Array | pa_arrow.ChunkedArray, index: pd.Index) -> pd.Series:
    """Arrow text back to a pandas str column on `index`, sharing the Arrow buffers."""
    return pd.Series(values.to_pandas().array, index=index, dtype="str")


def map_values(s: pd.Series, mapping) -> pd.Series:
    """s.map(mapping) (a dict or a Series), looked up once per distinct value: fast for the
    few-valued columns of an input (sex, status, source file); unmapped values become NaN."""
    lookup = mapping.get if isinstance(mapping, dict) else mapping.to_dict().get
    codes, uniques = pd.factorize(s)
    mapped = np.array([lookup(u) for u in uniques] + [None], dtype=object)  # code -1: NaN
    return pd.Series(mapped[codes], index=s.index, dtype="str")


def lookup(s: pd.Series, keys: pd.Series, values: pd.Series) -> pd.Series:
    """s.map(pd.Series(values, index=keys)) for text keys and text values, keys unique: one hash
    join in Arrow for large mappings (ID -> name); keys not found give NaN."""
    positions = pc.index_in(arrow_text(s), value_set=arrow_text(keys).combine_chunks())
    found = arrow_text(values).take(positions)
    return text_series(found, s.index)


def isin(s: pd.Series, values) -> pd.Series:
    """s.isin(values) for large value sets (pandas' own builds a pyarrow scalar per value)."""
    value_set = arrow_text(values if isinstance(values, pd.Series) else pd.Series(values, dtype="str"))
    found = pc.is_in(arrow_text(s), value_set=value_set.combine_chunks().drop_null()).fill_null(False)
    return pd.Series(found.to_numpy(), index=s.index, dtype="bool")


def memoised(fn):
    """Remember fn(ids) while the column's (immutable) Arrow data and its index are the same.

    The row rules ask for the same facts of one column many times (an ID's checksum 9 times and
    its birth date 10 times per roster validation); each answer is computed once. Columns without
    Arrow data are simply not cached.
    """
    cache: dict[int, tuple[weakref.ref, pd.Index, pd.Series]] = {}

    @functools.wraps(fn)
    def wrapper(ids: pd.Series) -> pd.Series:
        data = getattr(ids.array, "_pa_array", None)
        if data is None:
            return fn(ids)
        key = id(data)
        hit = cache.get(key)
        if hit is not None and hit[0]() is data and (hit[1] is ids.index or hit[1].equals(ids.index)):
            return hit[2].copy()
        result = fn(ids)
        try:
            ref = weakref.ref(data, lambda _, key=key: cache.pop(key, None))
        except TypeError:  # not weak-referenceable: do not cache
            return result
        cache[key] = (ref, ids.index, result)
        return result.copy()

    return wrapper
