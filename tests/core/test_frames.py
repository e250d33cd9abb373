"""Fast column operations (pipeline/core/frames.py) agree with what pandas would answer."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa_arrow

from pipeline.core.frames import isin, lookup, map_values, memoised
from pipeline.paths import REPO


def s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_map_values_and_isin():
    values = s("a", "b", "a", "c")
    assert map_values(values, {"a": "A", "b": "B"}).fillna("?").tolist() == ["A", "B", "A", "?"]
    assert map_values(values, pd.Series({"c": "C"})).fillna("?").tolist() == ["?", "?", "?", "C"]
    assert isin(values, pd.Series(["c", "a"], dtype="str")).tolist() == [True, False, True, True]
    assert isin(values, []).tolist() == [False] * 4
    assert isin(s(), ["a"]).tolist() == []


def test_lookup_is_map_by_a_keyed_series():
    keys, names = s("320281A", "320281B", "320281C"), pd.Series(["甲", None, "丙"], dtype="str")
    ids = pd.Series(["320281C", "320281Z", None, "320281A", "320281B"], index=[9, 8, 7, 6, 5], dtype="str")
    expected = ids.map(pd.Series(names.to_numpy(), index=keys.to_numpy()))
    got = lookup(ids, keys, names)
    assert got.index.tolist() == [9, 8, 7, 6, 5]
    assert got.fillna("?").tolist() == expected.fillna("?").tolist() == ["丙", "?", "?", "甲", "?"]
    assert lookup(s(), keys, names).tolist() == []


def test_pandas_still_keeps_a_str_column_as_one_arrow_array():
    """memoised caches on pandas' private `ArrowStringArray._pa_array` (the only place that touches
    it). Without it nothing breaks, but every ID check is computed again (9 checksums and 10 birth
    dates per roster row): after a pandas upgrade this fails loudly, so that the cache is redone."""
    ids = pd.Series(["32028119500315123X", "320281195003151231"], dtype="str")
    data = getattr(ids.array, "_pa_array", None)
    assert isinstance(data, pa_arrow.ChunkedArray)
    assert data is ids.array._pa_array  # the same object each time: the cache's key
    assert data.to_pylist() == ids.tolist()


def test_memoised_answers_a_column_once_while_its_data_lives():
    calls = []

    @memoised
    def lengths(ids: pd.Series) -> pd.Series:
        calls.append(len(ids))
        return ids.str.len()

    ids = s("a", "bb", "ccc")
    assert lengths(ids).tolist() == [1, 2, 3]
    answer = lengths(ids)
    answer.iloc[0] = 99  # a caller changing its answer does not change the cache
    assert lengths(ids).tolist() == [1, 2, 3]
    assert calls == [3]
    assert lengths(s("a", "bb", "ccc")).tolist() == [1, 2, 3]  # other data: computed again
    assert calls == [3, 3]


def test_only_frames_touches_the_arrow_internals_of_pandas():
    touching = sorted(
        path.relative_to(REPO).as_posix()
        for folder in ("pipeline", "schemas", "flows")
        for path in (REPO / folder).rglob("*.py")
        if "_pa_array" in path.read_text(encoding="utf-8")
    )
    assert touching == ["pipeline/core/frames.py"]
