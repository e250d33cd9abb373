"""The named edge cases, read from tools/synth/cases/*/*.toml."""

from __future__ import annotations

import pytest

from tools.synth.edge import CASES, build_edge_cases


def test_an_id_stored_as_a_number_is_what_excel_keeps_of_it():
    """15 significant digits: the catalogue's excel_value and the roster cell agree with the ID."""
    cases = build_edge_cases()
    numeric = [r for r in cases.roster_rows if r.numeric_id is not None]
    assert [(r.month, r.file_township) for r in numeric] == [("2021-05", "320281111")] * 3
    for row in numeric:
        kept = float(f"{int(row.values['id_number']):.14e}")
        assert row.numeric_id == kept != int(row.values["id_number"])
        entry = next(e for e in cases.catalogue.values() if e["id_number"] == row.values["id_number"])
        assert entry["excel_value"] == kept


def test_a_case_file_is_read_into_rows_and_its_catalogue_entry(tmp_path):
    folder = tmp_path / "scenario"
    folder.mkdir()
    (folder / "01_twice.toml").write_text(
        """name = "甲"
id_number = "320281195001019815"
input = "on the roster"
expected = "paid"

[facts]
death_date = "2021-02-03"

[person]
township_code = "320281001"
status = "领取"
account_name = ""

[[roster]]
from = "2021-01"
to = "2021-02"

[[roster]]
from = "2021-03"
to = "2021-03"
file = "320281004"
copies = 2
set = { status = "暂停", suspended_from = "2021-03" }

[[death]]
month = "2021-03"
source = "公安"
""",
        encoding="utf-8",
    )
    cases = build_edge_cases(tmp_path)
    rows = [(r.month, r.file_township, r.values["status"], r.values["suspended_from"]) for r in cases.roster_rows]
    assert rows == [
        ("2021-01", "320281001", "领取", None),
        ("2021-02", "320281001", "领取", None),
        ("2021-03", "320281004", "暂停", "2021-03"),
        ("2021-03", "320281004", "暂停", "2021-03"),
    ]
    assert cases.roster_rows[0].values["account_name"] is None  # an empty text is an empty cell
    assert [(d.month, d.values["id_number"], d.values["name"], d.values["source"]) for d in cases.death_rows] == [
        ("2021-03", "320281195001019815", "甲", "公安")
    ]
    entry = cases.catalogue["twice"]
    assert entry["kind"] == "scenario" and entry["death_date"] == "2021-02-03"
    assert entry["roster_townships"] == ["320281001", "320281004"] and entry["township_code"] == "320281001"
    assert entry["roster_months"] == ["2021-01", "2021-02", "2021-03"]
    assert cases.townships() == ["320281001", "320281004"]


def test_a_misspelt_key_stops_the_generator(tmp_path):
    (tmp_path / "bad_roster_row").mkdir()
    text = (CASES / "bad_roster_row" / "20_dup_in_file.toml").read_text(encoding="utf-8")
    (tmp_path / "bad_roster_row" / "01_typo.toml").write_text(text.replace("copies", "copeis"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"01_typo.toml: unknown keys \['copeis'\]"):
        build_edge_cases(tmp_path)
