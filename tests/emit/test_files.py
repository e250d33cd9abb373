"""The writers of files for people and banks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.emit import files
from pipeline.emit.files import csv_text, write_csv


def test_csv_text_is_what_pandas_writes():
    frame = pd.DataFrame(
        {
            "名称": ["x,y", 'q"t', "line\nbreak", None, "plain"],
            "n": [1, 2, 3, 4, 5],
            "ratio": [0.5, np.nan, 1.25, 2.0, 3.0],
            "flag": [True, False, True, False, True],
            "maybe": pd.array([1, None, 3, 4, 5], dtype="Int64"),
        }
    )
    assert csv_text(frame) == frame.to_csv(index=False, lineterminator="\r\n")
    assert csv_text(frame.iloc[0:0]) == "名称,n,ratio,flag,maybe\r\n"


def test_formula_looking_text_is_neutralised_but_numbers_are_not(tmp_path):
    frame = pd.DataFrame({"姓名": ['=HYPERLINK("x")', "+1", "张三"], "金额": ["-12.00", "3.00", "4.00"]})
    assert csv_text(frame).split("\r\n")[1:3] == ['"=HYPERLINK(""x"")",-12.00', "+1,3.00"]  # not asked to
    assert csv_text(frame, defuse=["姓名"]).split("\r\n")[1:3] == ['"\'=HYPERLINK(""x"")",-12.00', "'+1,3.00"]
    write_csv(frame, tmp_path / "x.csv", encoding="gb18030", numeric=("金额",))
    text = (tmp_path / "x.csv").read_bytes().decode("gb18030")
    assert text == '姓名,金额\r\n"\'=HYPERLINK(""x"")",-12.00\r\n\'+1,3.00\r\n张三,4.00\r\n'


def test_negative_numbers_stay_numbers_while_formulas_are_escaped(tmp_path):
    frame = pd.DataFrame({"差额": ["-45455.70", "-12", "=x", "-1+2", "-SUM(A1)", "-", "3.5"]})
    write_csv(frame, tmp_path / "x.csv")
    lines = (tmp_path / "x.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1:8] == ["-45455.70", "-12", "'=x", "'-1+2", "'-SUM(A1)", "'-", "3.5"]


def test_full_width_formula_starts_are_neutralised_too(tmp_path):
    frame = pd.DataFrame({"姓名": ["＝SUM(A1)", "＋1", "－2", "＠x", "张＝三"]})
    write_csv(frame, tmp_path / "x.csv")
    lines = (tmp_path / "x.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1:6] == ["'＝SUM(A1)", "'＋1", "'－2", "'＠x", "张＝三"]


def test_a_csv_written_in_slices_has_the_bytes_of_one_written_at_once(tmp_path, monkeypatch):
    frame = pd.DataFrame(
        {"姓名": ["张三", "=cmd", 'a "b"', "李四", "王五"], "amount": ["1.00", "-2.50", "3.00", "4.00", "5.00"]}
    )
    write_csv(frame, tmp_path / "whole.csv", numeric=("amount",))
    monkeypatch.setattr(files, "SLICE_ROWS", 2)
    write_csv(frame, tmp_path / "sliced.csv", numeric=("amount",))
    data = (tmp_path / "sliced.csv").read_bytes()
    assert data == (tmp_path / "whole.csv").read_bytes()
    assert (
        data.startswith("\ufeff姓名,amount\r\n张三,1.00\r\n'=cmd,-2.50\r\n".encode("utf-8"))
        and data.count(b"\xef\xbb\xbf") == 1
    )
    assert list(files.csv_slices(frame)) == [
        "姓名,amount\r\n",
        "张三,1.00\r\n=cmd,-2.50\r\n",  # csv_slices defuses only the columns it is told to
        '"a ""b""",3.00\r\n李四,4.00\r\n',
        "王五,5.00\r\n",
    ]
    write_csv(frame, tmp_path / "gb.csv", encoding="gb18030", numeric=("amount",))
    assert (tmp_path / "gb.csv").read_bytes() == csv_text(frame, defuse=["姓名"]).encode("gb18030")
