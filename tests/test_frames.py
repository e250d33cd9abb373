"""Fast column operations (pipeline/frames.py) agree with what pandas would answer."""

from __future__ import annotations

import pandas as pd

from pipeline.frames import isin, map_values


def s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_map_values_and_isin():
    values = s("a", "b", "a", "c")
    assert map_values(values, {"a": "A", "b": "B"}).fillna("?").tolist() == ["A", "B", "A", "?"]
    assert map_values(values, pd.Series({"c": "C"})).fillna("?").tolist() == ["?", "?", "?", "C"]
    assert isin(values, pd.Series(["c", "a"], dtype="str")).tolist() == [True, False, True, True]
    assert isin(values, []).tolist() == [False] * 4
    assert isin(s(), ["a"]).tolist() == []
