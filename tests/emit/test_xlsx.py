"""pipeline.emit.xlsx: text cells, numbers only where asked, byte-identical output."""

from __future__ import annotations

import time
import zipfile

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from pipeline.emit import sheet_xml
from pipeline.emit.xlsx import list_xlsx_bytes, write_list_xlsx, write_xlsx


def _cells(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "身份证号": ["320281195601011234", "11010519491231002X", "044052418800101001"],
            "姓名": ["王建国", '=HYPERLINK("http://x","点我")', "@SUM(A1)"],
            "摘要": ["+86 123", "-12.50", "#N/A"],
            "金额": ["392.00", "", "8.5"],
        }
    )


def test_same_input_gives_same_bytes(tmp_path):
    frame = _frame()
    write_xlsx(frame, tmp_path / "a.xlsx", numeric_columns=["金额"])
    time.sleep(1.1)  # a save time leaking into the file would now differ
    write_xlsx(frame.copy(), tmp_path / "b.xlsx", numeric_columns=["金额"])
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
        assert "2000-01-01T00:00:00Z" in core


def test_ids_stay_text_with_all_digits(tmp_path):
    write_xlsx(_frame(), tmp_path / "ids.xlsx")
    rows = _cells(tmp_path / "ids.xlsx")
    assert rows[0] == ["身份证号", "姓名", "摘要", "金额"]
    ids = [row[0] for row in rows[1:]]
    assert ids == ["320281195601011234", "11010519491231002X", "044052418800101001"]
    assert all(isinstance(v, str) for v in ids)
    assert all(isinstance(row[3], str) for row in rows[1:])  # not numeric: stays text


def test_numeric_columns_give_numbers(tmp_path):
    write_xlsx(_frame(), tmp_path / "n.xlsx", numeric_columns=["金额"])
    rows = _cells(tmp_path / "n.xlsx")
    assert rows[1][3] == 392.0 and isinstance(rows[1][3], float)
    assert rows[2][3] == ""  # empty stays empty
    assert rows[3][3] == 8.5


def test_a_number_in_a_text_column_is_written_as_its_text(tmp_path):
    frame = _frame()
    ids = frame["身份证号"].astype(object)
    ids.iloc[0] = 320281195601011234
    ids.iloc[1] = 8.5
    frame["身份证号"] = ids
    write_xlsx(frame, tmp_path / "cell.xlsx")
    rows = _cells(tmp_path / "cell.xlsx")
    assert [row[0] for row in rows[1:]] == ["320281195601011234", "8.5", "044052418800101001"]


def test_formula_looking_text_stays_text(tmp_path):
    write_xlsx(_frame(), tmp_path / "f.xlsx")
    with zipfile.ZipFile(tmp_path / "f.xlsx") as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and 't="e"' not in sheet
    rows = _cells(tmp_path / "f.xlsx")
    assert rows[2][1] == '=HYPERLINK("http://x","点我")'
    assert rows[3][1] == "@SUM(A1)"
    assert [r[2] for r in rows[1:]] == ["+86 123", "-12.50", "#N/A"]


def test_missing_values_are_empty_cells(tmp_path):
    frame = pd.DataFrame({"a": pd.Series(["x", None, np.nan], dtype=object), "b": [1, 2, 3]})
    write_xlsx(frame, tmp_path / "m.xlsx")
    rows = _cells(tmp_path / "m.xlsx")
    assert [r[0] for r in rows[1:]] == ["x", "", ""]
    assert [r[1] for r in rows[1:]] == ["1", "2", "3"]  # an int64 column is written as text


def test_a_list_written_in_slices_has_the_bytes_of_one_written_at_once(tmp_path, monkeypatch):
    frame = pd.DataFrame(
        {
            "身份证号": [f"32028119500101{i:03d}X" for i in range(7)],
            "姓名": ["张三", "李四", "<王&五>", "", "赵六", "钱七", "孙八"],
            "金额 yuan": ["392.00", "397.00", "-5.00", "0.00", "392.00", "1.50", "2.00"],
        }
    )
    options = {"title": "人员变动 changes · 2021-01", "sheet_name": "人员变动", "amount_columns": ["金额 yuan"]}
    whole = list_xlsx_bytes(frame, **options)
    monkeypatch.setattr(sheet_xml, "SLICE_ROWS", 3)
    write_list_xlsx(frame, tmp_path / "sliced.xlsx", **options)
    assert (tmp_path / "sliced.xlsx").read_bytes() == whole
    rows = CalamineWorkbook.from_path(str(tmp_path / "sliced.xlsx")).get_sheet_by_index(0).to_python()
    assert [r[1] for r in rows[2:9]] == ["张三", "李四", "<王&五>", "", "赵六", "钱七", "孙八"]
    assert rows[-1][2] == 1179.5  # the total row: 392 + 397 - 5 + 0 + 392 + 1.50 + 2
