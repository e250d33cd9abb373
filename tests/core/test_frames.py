"""Fast column operations (pipeline/core/frames.py) agree with what pandas would answer."""

from __future__ import annotations

import pandas as pd

from pipeline.core.frames import isin, lookup, map_values


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
