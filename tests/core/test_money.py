"""Fen to yuan text and back, exactly: one function per conversion, the column and the single
amount agreeing to the character."""

from __future__ import annotations

import pandas as pd

from pipeline.core.money import rate_yuan_text, wan_text, yuan_column, yuan_text, yuan_to_fen


def test_yuan_column_is_exact():
    assert yuan_column(pd.Series([39200, 5, -123456789, 0])).tolist() == ["392.00", "0.05", "-1234567.89", "0.00"]
    amounts = pd.Series([-5, 99, -100, 100], index=[7, 3, 5, 1])
    assert yuan_column(amounts).to_dict() == {7: "-0.05", 3: "0.99", 5: "-1.00", 1: "1.00"}
    assert yuan_column(pd.Series([], dtype="int64")).tolist() == []


def test_one_amount_and_a_column_give_the_same_text():
    fen = [0, 1, 5, 99, 100, 39200, -5, -100, -123456789, 99_999_999_999]
    assert yuan_column(pd.Series(fen)).tolist() == [yuan_text(f, grouped=False) for f in fen]
    assert yuan_text(123456789) == "1,234,567.89"


def test_yuan_text_back_to_fen_is_the_inverse():
    fen = pd.Series([0, 1, 5, 99, 100, 39200, 99_999_999_999])
    assert yuan_to_fen(yuan_column(fen)).tolist() == fen.tolist()


def test_rates_and_wan():
    assert [rate_yuan_text(f) for f in (39200, 550, 12000)] == ["392", "5.5", "120"]
    assert wan_text(1_234_567) == "1.23"
    assert wan_text(1_235_000) == "1.24"  # half up
