"""changes.csv: who joined, left or changed since the previous month's roster."""

from __future__ import annotations

import pandas as pd

from pipeline.emit.office_lists import CHANGE_COLUMNS, change_rows


def roster(*people: dict) -> pd.DataFrame:
    base = {c: "" for c in CHANGE_COLUMNS} | {"status": "receiving", "account_pension_fen": 0}
    frame = pd.DataFrame([base | {"name": "", "township_code": "320281001"} | p for p in people])
    frame["employee_pension_from"] = frame["employee_pension_from"].replace("", None)
    return frame.astype({"account_pension_fen": "int64"})


def test_joined_left_and_changed_fields_each_once_unchanged_people_not_listed():
    previous = roster(
        {"id_number": "A", "name": "甲"},
        {"id_number": "B", "name": "乙", "township_code": "320281002"},
        {"id_number": "C", "name": "丙", "account_number": "6222001", "account_pension_fen": 1000},
        {"id_number": "D", "name": "丁"},
    )
    now = roster(
        {"id_number": "C", "name": "丙", "account_number": "6222009", "account_pension_fen": 1200},
        {"id_number": "A", "name": "甲"},
        {"id_number": "E", "name": "戊", "township_code": "320281003"},
        {"id_number": "D", "name": "丁", "status": "suspended", "suspended_from": "2021-03"},
    )
    rows = change_rows(now, previous)
    assert rows.to_dict("records") == [
        {"镇街代码 township_code": "320281001", "姓名 name": "丙", "身份证号 id_number": "C",
         "变动 change": "changed", "变动项 fields": "account_number;account_pension_fen"},
        {"镇街代码 township_code": "320281001", "姓名 name": "丁", "身份证号 id_number": "D",
         "变动 change": "changed", "变动项 fields": "status;suspended_from"},
        {"镇街代码 township_code": "320281002", "姓名 name": "乙", "身份证号 id_number": "B",
         "变动 change": "left", "变动项 fields": ""},
        {"镇街代码 township_code": "320281003", "姓名 name": "戊", "身份证号 id_number": "E",
         "变动 change": "joined", "变动项 fields": ""},
    ]  # fmt: skip


def test_first_month_everyone_joined_and_nobody_left():
    rows = change_rows(roster({"id_number": "B"}, {"id_number": "A"}), roster({"id_number": "X"}).iloc[0:0])
    assert rows["身份证号 id_number"].tolist() == ["A", "B"]
    assert set(rows["变动 change"]) == {"joined"}


def test_same_roster_twice_lists_nobody():
    same = roster({"id_number": "A", "name": "甲"}, {"id_number": "B", "name": "乙"})
    assert change_rows(same, same.copy()).empty
