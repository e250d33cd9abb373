"""Reading input files: encodings, Excel, headers, text cells, row numbers, unreadable files."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest

from pipeline.core.errors import RunStopped
from pipeline.ingest.columns import ROSTER, HeaderRules
from pipeline.ingest.read import _any_body, _regular_body, read_input
from pipeline.paths import DEFAULT_POLICY
from pipeline.policy import PolicyError, load_policy
from pipeline.validate.rosters import validate_rosters
from tests.support.builders import (
    MONTH,
    account_for,
    chinese,
    excel_shown,
    roster_row,
    sheet_rows,
    township_people,
    write_csv,
    write_policy,
    write_rows,
    write_sheets,
    write_xlsx,
)

ALL_FORMATS = ["utf-8", "utf-8-sig", "gb18030", "xlsx"]


def people() -> list[dict[str, str]]:
    rows = township_people("320281001", 0, 10)
    rows[1]["account_number"] = "0" + rows[1]["account_number"][1:]  # a leading zero must stay
    rows[2]["village"] = "澄江街道·城东社区（二组）"  # characters outside GBK's common set stay
    rows[3]["birth_date"] = (
        rows[3]["id_number"][6:10] + "-" + rows[3]["id_number"][10:12] + "-" + rows[3]["id_number"][12:14]
    )
    rows[4]["account_pension"] = "139.00"
    return rows


def validated(path, policy) -> pd.DataFrame:
    raw = read_input(path, "rosters")
    result = validate_rosters(raw, policy=policy, run_month=MONTH, ever_receiving=pd.Series([], dtype="str"))
    assert result.rejects.empty, result.rejects["reason_codes"].tolist()
    return result.accepted.drop(columns="source_file")


@pytest.mark.parametrize("fmt", ALL_FORMATS)
def test_every_format_gives_the_same_raw_text(fmt, tmp_path):
    rows = [chinese(r) for r in people()]
    raw = read_input(write_rows(tmp_path / "roster", rows, fmt=fmt), "rosters")
    reference = read_input(write_rows(tmp_path / "ref", rows, fmt="utf-8"), "rosters")
    pdt.assert_frame_equal(raw.drop(columns="source_file"), reference.drop(columns="source_file"))
    assert list(raw.columns[:16]) == [c.name for c in ROSTER]
    assert all(raw[c.name].dtype == "str" for c in ROSTER)
    assert raw["account_number"].iloc[1].startswith("0")
    assert raw["village"].iloc[2] == "澄江街道·城东社区（二组）"


def test_every_format_gives_identical_accepted_tables(tmp_path, policy):
    rows = [chinese(r) for r in people()]
    tables = {fmt: validated(write_rows(tmp_path / f"roster_{fmt}", rows, fmt=fmt), policy) for fmt in ALL_FORMATS}
    reference = tables["utf-8"]
    assert len(reference) == 10
    for fmt, table in tables.items():
        pdt.assert_frame_equal(table, reference, obj=fmt)
    by_id = reference.set_index("id_number")
    leading_zero = people()[1]
    assert by_id.loc[leading_zero["id_number"], "account_number"] == leading_zero["account_number"]
    assert by_id.loc[people()[4]["id_number"], "account_pension_fen"] == 13900


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_english_and_chinese_headers_are_the_same(fmt, tmp_path, policy):
    english = validated(write_rows(tmp_path / "en", people(), fmt=fmt), policy)
    zh = validated(write_rows(tmp_path / "zh", [chinese(r) for r in people()], fmt=fmt), policy)
    pdt.assert_frame_equal(english, zh)


def test_mixed_and_padded_headers_and_column_order(tmp_path):
    rows = people()[:2]
    header = [
        "  姓名 ",
        "ID_NUMBER",
        "sex",
        "镇街代码",
        "本地户籍",
        "status",
        "待遇起始年月",
        "bank_code",
        "银行账号",
        "备注",
    ]
    keys = [
        "name",
        "id_number",
        "sex",
        "township_code",
        "hukou_local",
        "status",
        "benefit_start",
        "bank_code",
        "account_number",
        None,
    ]
    written = [{h: (r[k] if k else "x") for h, k in zip(header, keys, strict=True)} for r in rows]
    path = write_csv(tmp_path / "r.csv", written, header=header)
    raw = read_input(path, "rosters", headers=HeaderRules(synonyms={}, ignored=frozenset({"备注"})))
    assert raw["id_number"].tolist() == [r["id_number"] for r in rows]
    assert raw["name"].tolist() == [r["name"] for r in rows]
    assert raw["village"].tolist() == ["", ""]  # optional column absent: blank
    assert "备注" not in raw.columns


def test_cells_are_trimmed_and_never_numbers(tmp_path):
    row = roster_row(account_pension=" 12.50 ", account_number="000012345678901")
    row["name"] = "\u3000王建国 "  # full-width space from an IME
    raw = read_input(write_csv(tmp_path / "r.csv", [row]), "rosters")
    assert raw["name"].iloc[0] == "王建国"
    assert raw["account_pension"].iloc[0] == "12.50"
    assert raw["account_number"].iloc[0] == "000012345678901"


def test_xlsx_numeric_id_cells_are_rejected_as_excel_numbers(tmp_path, policy):
    rows = [chinese(r) for r in people()]
    path = write_xlsx(tmp_path / "r.xlsx", rows, numeric_ids={2, 6})
    raw = read_input(path, "rosters")
    assert raw["id_number"].iloc[2] == excel_shown(people()[2]["id_number"])
    assert raw["id_number"].iloc[2].startswith("3.20281E+17")
    result = validate_rosters(raw, policy=policy, run_month=MONTH, ever_receiving=pd.Series([], dtype="str"))
    assert result.rejects[["source_row", "reason_codes"]].values.tolist() == [
        [4, "ID_EXCEL_NUMBER"],
        [8, "ID_EXCEL_NUMBER"],
    ]
    assert len(result.accepted) == 8


def test_xlsx_numeric_account_cells_are_rejected(tmp_path, policy):
    rows = people()[:3]
    path = write_xlsx(tmp_path / "r.xlsx", rows, numeric_ids={0}, id_columns=("account_number",))
    raw = read_input(path, "rosters")
    assert raw["account_number"].iloc[0].endswith("E+18")
    result = validate_rosters(raw, policy=policy, run_month=MONTH, ever_receiving=pd.Series([], dtype="str"))
    assert result.rejects["reason_codes"].tolist() == ["ACCOUNT_EXCEL_NUMBER"]


def test_csv_holding_what_excel_showed(tmp_path, policy):
    rows = people()[:4]
    rows[1]["id_number"] = "3.20281E+17"
    rows[2]["id_number"] = "3.20281e+17"
    raw = read_input(write_csv(tmp_path / "r.csv", rows), "rosters")
    result = validate_rosters(raw, policy=policy, run_month=MONTH, ever_receiving=pd.Series([], dtype="str"))
    assert result.rejects[["source_row", "reason_code"]].values.tolist() == [
        [3, "ID_EXCEL_NUMBER"],
        [4, "ID_EXCEL_NUMBER"],
    ]


def test_xlsx_other_cell_types_read_as_shown(tmp_path):
    import datetime as dt

    rows = [
        {
            "id_number": "320281195003151234",
            "name": "王建国",
            "sex": "男",
            "township_code": 320281001,
            "hukou_local": True,
            "status": "领取",
            "benefit_start": "2010-03",
            "birth_date": dt.date(1950, 3, 15),
            "account_pension": 12.5,
            "bank_code": "JRCB",
            "account_number": "6228480000000000001",
        }
    ]
    raw = read_input(write_xlsx(tmp_path / "r.xlsx", rows), "rosters")
    got = raw.iloc[0]
    assert got["township_code"] == "320281001"  # a whole number without '.0'
    assert got["hukou_local"] == "是"
    assert got["birth_date"] == "1950-03-15"
    assert got["account_pension"] == "12.5"


def test_source_row_is_the_excel_row_number(tmp_path):
    rows = people()[:5]
    raw = read_input(write_xlsx(tmp_path / "r.xlsx", rows), "rosters")
    assert raw["source_row"].tolist() == [2, 3, 4, 5, 6]
    assert raw["source_file"].tolist() == ["r.xlsx"] * 5


def test_blank_rows_are_skipped_but_row_numbers_keep_counting(tmp_path):
    rows = people()[:3]
    gap = [rows[0], {k: "" for k in rows[0]}, rows[1], {k: "" for k in rows[0]}, rows[2]]
    for fmt in ("utf-8", "xlsx"):
        raw = read_input(write_rows(tmp_path / f"gap_{fmt.replace('-', '')}", gap, fmt=fmt), "rosters")
        assert raw["id_number"].tolist() == [r["id_number"] for r in rows], fmt
        assert raw["source_row"].tolist() == [2, 4, 6], fmt


def test_csv_blank_lines_keep_row_numbers(tmp_path):
    rows = people()[:2]
    path = write_csv(tmp_path / "r.csv", rows)
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    path.write_text("\r\n".join([lines[0], lines[1], "", lines[2], ""]), encoding="utf-8")
    raw = read_input(path, "rosters")
    assert raw["source_row"].tolist() == [2, 4]


def test_label_names_the_file(tmp_path):
    raw = read_input(write_csv(tmp_path / "r.csv", people()[:1]), "rosters", label="2021-01/rosters/r.csv")
    assert raw["source_file"].tolist() == ["2021-01/rosters/r.csv"]


def test_trailing_delimiters_do_not_shift_columns(tmp_path):
    rows = people()[:2]
    path = write_csv(tmp_path / "r.csv", rows)
    lines = [line for line in path.read_bytes().decode("utf-8").split("\r\n") if line]
    path.write_text("\r\n".join([lines[0]] + [line + ",," for line in lines[1:]]) + "\r\n", encoding="utf-8")
    raw = read_input(path, "rosters")
    assert raw["id_number"].tolist() == [r["id_number"] for r in rows]
    assert raw["name"].tolist() == [r["name"] for r in rows]


@pytest.mark.parametrize("line", [1, 2, 3])
def test_values_beyond_the_header_stop(line, tmp_path):
    rows = people()[:3]
    path = write_csv(tmp_path / "r.csv", rows)
    lines = [text for text in path.read_bytes().decode("utf-8").split("\r\n") if text]
    lines[line] += ",surprise"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    with pytest.raises(RunStopped, match=f"(row|line) {line + 1}.* 17") as stop:
        read_input(path, "rosters")
    assert stop.value.file == "r.csv"


def test_multiline_quoted_cell_is_one_row(tmp_path):
    rows = people()[:3]
    rows[0]["village"] = "城东\n社区"
    raw = read_input(write_csv(tmp_path / "r.csv", rows), "rosters")
    assert raw["village"].iloc[0] == "城东\n社区"
    assert raw["source_row"].tolist() == [2, 3, 4]


@pytest.mark.parametrize(
    "text",
    [
        'a,b\r\n1,2\r\n" x ",\r\n',  # padded and empty cells
        'a,b\n"3,4","q""t"\n"line\nbreak",5\n',  # quoted delimiter, quote and newline
        "a,b\r\n,\r\n6,7",  # an all-empty row (dropped, but counted) and no final newline
        "只,一列\r\n甲,乙\r\n",
        "a,b\r\n1,2\r\n\r\n3,4\r\n",  # an empty line is a row too: row numbers keep counting
        'a,"b\nc,d"\r\n1,2\r\n',  # a line break inside a header cell
        "a,b\r\n",  # the header alone
    ],
)
def test_arrow_and_pandas_csv_parsers_read_the_same_cells(text):
    """The usual file is parsed by Arrow, any other by pandas: on a file both can read they agree."""
    width = len(text.splitlines()[0].split(","))
    fast, anything = _regular_body(text, width), _any_body(text, width, "r.csv")
    assert fast is not None
    pdt.assert_frame_equal(fast.set_axis(anything.columns, axis=1), anything.fillna("").astype("str"))


@pytest.mark.parametrize("text", ["a,b\r\n1\r\n", "a,b\r\n1,2,\r\n", "a,b\r\n1,2,3\r\n"])
def test_ragged_lines_are_left_to_pandas(text):
    assert _regular_body(text, 2) is None


# -- files that cannot be read stop the run -----------------------------------------------------


def test_unknown_suffix_stops(tmp_path):
    path = tmp_path / "roster.pdf"
    path.write_bytes(b"%PDF-1.4 junk")
    with pytest.raises(RunStopped, match="'.pdf' files cannot be read") as stop:
        read_input(path, "rosters")
    assert stop.value.file == "roster.pdf"


def test_undecodable_csv_stops(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\xfa\x00\x81\x30junk\xff\xff")
    with pytest.raises(RunStopped, match="neither UTF-8 nor GB18030"):
        read_input(path, "rosters")


def test_utf16_csv_stops(tmp_path):
    path = write_csv(tmp_path / "r.csv", people()[:2], encoding="utf-16")
    with pytest.raises(RunStopped) as stop:
        read_input(path, "rosters")
    assert stop.value.file == "r.csv"


def test_corrupt_xlsx_stops(tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(RunStopped, match="spreadsheet cannot be opened"):
        read_input(path, "rosters")


@pytest.mark.parametrize("content", [b"", b"\r\n  \r\n", "\ufeff".encode()])
def test_empty_csv_stops(content, tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(content)
    with pytest.raises(RunStopped, match="empty"):
        read_input(path, "rosters")


def test_missing_required_column_stops_and_names_it(tmp_path):
    rows = [{k: v for k, v in chinese(r).items() if k != "本地户籍"} for r in people()[:2]]
    with pytest.raises(RunStopped, match=r"本地户籍 \(hukou_local\)") as stop:
        read_input(write_csv(tmp_path / "r.csv", rows), "rosters")
    assert stop.value.file == "r.csv"


def test_duplicated_column_stops(tmp_path):
    rows = people()[:1]
    header = list(rows[0]) + ["身份证号"]
    written = [{**r, "身份证号": r["id_number"]} for r in rows]
    with pytest.raises(RunStopped, match="id_number twice"):
        read_input(write_csv(tmp_path / "r.csv", written, header=header), "rosters")


def test_same_header_written_twice_stops(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(
        "身份证号,姓名,姓名,性别,镇街代码,本地户籍,参保状态\n1,a,b,男,320281001,是,领取\n",
        encoding="utf-8",
    )
    with pytest.raises(RunStopped, match="name twice"):
        read_input(path, "rosters")


def test_header_only_file_reads_as_no_rows(tmp_path):
    path = write_csv(tmp_path / "r.csv", [], header=[c.chinese for c in ROSTER])
    raw = read_input(path, "rosters")
    assert raw.empty
    assert raw["source_row"].dtype == "int64"


# -- workbooks are read as the clerk sees them -------------------------------------------------


def stale_copy(rows: list[dict[str, str]]) -> list[list[object]]:
    """Last month's copy kept on a hidden sheet: a title above the header, an older account."""
    old = [dict(r) for r in rows]
    old[0]["account_number"] = account_for(999_999)
    return [["2020年12月 花名册（上月）"]] + sheet_rows([chinese(r) for r in old])


def test_hidden_stale_first_sheet_is_not_read(tmp_path, policy):
    rows = people()[:3]
    path = write_sheets(
        tmp_path / "r.xlsx",
        {"上月": stale_copy(rows), "本月": sheet_rows([chinese(r) for r in rows])},
        states={"上月": "hidden"},
    )
    accepted = validated(path, policy).set_index("id_number")
    assert accepted.loc[rows[0]["id_number"], "account_number"] == rows[0]["account_number"]
    assert len(accepted) == 3


def test_two_visible_sheets_with_data_stop_naming_both(tmp_path):
    rows = [chinese(r) for r in people()]
    path = write_sheets(tmp_path / "r.xlsx", {"一村": sheet_rows(rows[:5]), "二村": sheet_rows(rows[5:])})
    with pytest.raises(RunStopped, match=r"2 sheets with data \(一村, 二村\); put the roster on one sheet") as stop:
        read_input(path, "rosters")
    assert stop.value.file == "r.xlsx"


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
@pytest.mark.parametrize("header", ["chinese", "english"])
def test_hidden_sheet_headed_like_a_roster_stops(state, header, tmp_path):
    rows = people()[:3]
    old = [chinese(r) for r in rows] if header == "chinese" else rows
    path = write_sheets(
        tmp_path / "r.xlsx",
        {"Sheet1": sheet_rows([chinese(r) for r in rows]), "旧表": sheet_rows(old)},
        states={"旧表": state},
    )
    with pytest.raises(RunStopped, match=r"hidden sheet\(s\) headed like a roster \(旧表\)"):
        read_input(path, "rosters")


def test_hidden_sheet_of_something_else_is_ignored(tmp_path):
    rows = [chinese(r) for r in people()[:3]]
    lists = [["银行", "代码"], ["江阴农商银行", "JRCB"]]  # a lookup list behind a drop-down
    path = write_sheets(tmp_path / "r.xlsx", {"Sheet1": sheet_rows(rows), "lists": lists}, states={"lists": "hidden"})
    assert read_input(path, "rosters")["id_number"].tolist() == [r["身份证号"] for r in rows]


def test_empty_visible_sheets_are_ignored(tmp_path):
    rows = [chinese(r) for r in people()]
    path = write_sheets(tmp_path / "r.xlsx", {"Sheet1": [], "花名册": sheet_rows(rows), "Sheet3": [[None, ""]]})
    reference = read_input(write_xlsx(tmp_path / "ref.xlsx", rows), "rosters")
    raw = read_input(path, "rosters")
    pdt.assert_frame_equal(raw.drop(columns="source_file"), reference.drop(columns="source_file"))
    assert raw["source_row"].tolist() == list(range(2, 12))


def test_workbook_with_no_data_is_empty(tmp_path):
    path = write_sheets(tmp_path / "r.xlsx", {"Sheet1": [], "Sheet2": []})
    with pytest.raises(RunStopped, match="the spreadsheet is empty"):
        read_input(path, "rosters")


# -- headers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("个人账户养老金(元)", "个人账户养老金 (account_pension)"),
        ("职工养老金起始月份", "职工养老金起始年月 (employee_pension_from)"),
        ("Account_Pensions", "个人账户养老金 (account_pension)"),
    ],
)
@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_unknown_header_stops_naming_the_closest_known_one(written, meant, fmt, tmp_path):
    canonical = "account_pension" if "ension" in written and "职工" not in written else "employee_pension_from"
    rows = [{(written if k == canonical else k): v for k, v in r.items()} for r in people()[:3]]
    with pytest.raises(RunStopped, match=re.escape(f"unknown column {written}: did you mean {meant}?")) as stop:
        read_input(write_rows(tmp_path / "r", rows, fmt=fmt), "rosters")
    assert stop.value.file == f"r.{'xlsx' if fmt == 'xlsx' else 'csv'}"


def test_unknown_header_without_a_close_one_stops_too(tmp_path):
    rows = [{**chinese(r), "联系电话": "13800000000"} for r in people()[:2]]
    with pytest.raises(RunStopped, match=r"unknown column 联系电话\.") as stop:
        read_input(write_csv(tmp_path / "r.csv", rows), "rosters")
    assert "[headers]" in stop.value.action


def test_synonyms_and_ignored_headers(tmp_path, policy):
    rules = HeaderRules(synonyms={"公民身份号码": "id_number"}, ignored=frozenset({"备注"}))
    rows = [{("公民身份号码" if k == "身份证号" else k): v for k, v in chinese(r).items()} for r in people()]
    rows = [{**r, "备注": "新增"} for r in rows]
    path = write_csv(tmp_path / "r.csv", rows)
    with pytest.raises(RunStopped, match="unknown column 公民身份号码"):
        read_input(path, "rosters")
    raw = read_input(path, "rosters", headers=rules)
    reference = read_input(write_csv(tmp_path / "ref.csv", [chinese(r) for r in people()]), "rosters")
    pdt.assert_frame_equal(raw.drop(columns="source_file"), reference.drop(columns="source_file"))


def test_a_synonym_of_an_id_column_keeps_excel_numbers_visible(tmp_path):
    rules = HeaderRules(synonyms={"公民身份号码": "身份证号"}, ignored=frozenset())
    rows = [{("公民身份号码" if k == "身份证号" else k): v for k, v in chinese(r).items()} for r in people()[:3]]
    path = write_xlsx(tmp_path / "r.xlsx", rows, numeric_ids={1}, id_columns=("公民身份号码",))
    raw = read_input(path, "rosters", headers=rules)
    assert raw["id_number"].iloc[1] == excel_shown(people()[1]["id_number"])


def test_ignored_header_never_hides_a_column_of_the_kind(tmp_path):
    from tests.support.builders import bank_return_row

    rules = HeaderRules(synonyms={}, ignored=frozenset({"序号"}))
    rows = [chinese(bank_return_row("B1", 7, account_for(1), "392.00"), "bank_returns")]
    raw = read_input(write_csv(tmp_path / "b.csv", rows), "bank_returns", headers=rules)
    assert raw["line_no"].tolist() == ["7"]


@pytest.mark.parametrize(
    ("synonyms", "ignored", "problem"),
    [
        ({"身份证": "identity"}, [], "not a column of any input"),
        ({"姓名": "id_number"}, [], "already the header of name"),
        ({"身份证": "id_number"}, ["身份证"], "both a synonym and ignored"),
        ({}, "备注", "list of headers"),
    ],
)
def test_inconsistent_header_rules_are_refused(synonyms, ignored, problem, tmp_path):
    with pytest.raises(ValueError, match=problem):
        HeaderRules(synonyms=synonyms, ignored=ignored)
    if isinstance(ignored, str):  # the policy model refuses it as a type: its own message
        return
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    section = text[text.index("[headers]") : text.index("# Effective-dated rates")]
    entries = ", ".join(f'"{h}" = "{c}"' for h, c in synonyms.items())
    listed = ", ".join(f'"{h}"' for h in ignored)
    path = write_policy(
        tmp_path, text.replace(section, f"[headers]\nsynonyms = {{ {entries} }}\nignored = [{listed}]\n\n")
    )
    with pytest.raises(PolicyError, match=r"headers.*" + problem):
        load_policy(path)


def test_policy_header_rules(policy, tmp_path):
    rules = policy.header_rules
    assert rules.synonyms == {"公民身份号码": "id_number"}
    assert {"备注", "序号"} <= rules.ignored
    text = DEFAULT_POLICY.read_text(encoding="utf-8")
    path = write_policy(tmp_path, text[: text.index("[headers]")] + text[text.index("# Effective-dated rates") :])
    assert load_policy(path).header_rules == HeaderRules(synonyms={}, ignored=frozenset())


def test_empty_trailing_columns_of_excel_csv_are_dropped(tmp_path):
    """Excel's "Save as CSV" of a sheet with formatted empty columns: ',,,' on every line."""
    rows = [chinese(r) for r in people()]
    clean = write_csv(tmp_path / "clean.csv", rows)
    trailing = tmp_path / "trailing.csv"
    lines = [line for line in clean.read_bytes().decode("utf-8").split("\r\n") if line]
    trailing.write_text("\r\n".join(line + ",,," for line in lines) + "\r\n", encoding="utf-8")
    pdt.assert_frame_equal(
        read_input(trailing, "rosters").drop(columns="source_file"),
        read_input(clean, "rosters").drop(columns="source_file"),
    )


def test_empty_header_cells_over_empty_xlsx_columns_are_dropped(tmp_path):
    rows = [chinese(r) for r in people()[:3]]
    cells = sheet_rows(rows)
    cells[0] += [" ", "\u3000"]  # header cells holding only a space: empty columns all the same
    path = write_sheets(tmp_path / "r.xlsx", {"Sheet1": cells})
    reference = read_input(write_xlsx(tmp_path / "ref.xlsx", rows), "rosters")
    pdt.assert_frame_equal(
        read_input(path, "rosters").drop(columns="source_file"), reference.drop(columns="source_file")
    )


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_a_value_under_no_header_stops(fmt, tmp_path):
    rows = [chinese(r) for r in people()[:3]]
    header = list(rows[0]) + [""]
    rows[1][""] = "漏填的表头"
    with pytest.raises(RunStopped, match=r"column 17 \(Q\) has values but no header"):
        read_input(write_rows(tmp_path / "r", rows, fmt=fmt, header=header), "rosters")


def test_cr_only_line_ends_read_like_crlf(tmp_path):
    """Excel's "CSV (Macintosh)" ends lines with a bare CR."""
    rows = [chinese(r) for r in people()]
    crlf = write_csv(tmp_path / "crlf.csv", rows)
    cr = tmp_path / "cr.csv"
    cr.write_bytes(crlf.read_bytes().replace(b"\r\n", b"\r"))
    assert b"\n" not in cr.read_bytes()
    pdt.assert_frame_equal(
        read_input(cr, "rosters").drop(columns="source_file"),
        read_input(crlf, "rosters").drop(columns="source_file"),
    )


# -- Excel's own cell types -----------------------------------------------------------------------


def test_month_cells_typed_as_dates_read_as_the_month_excel_shows(tmp_path, policy):
    rows = people()[:4]
    rows[0]["benefit_start"] = dt.date(2010, 7, 1)  # typed 2010-07: a date cell, shown 2010-07
    rows[1]["benefit_start"] = dt.datetime(2011, 3, 1)
    rows[2]["benefit_start"] = dt.date(2010, 7, 15)  # a day, not a month: kept, and rejected
    rows[3]["benefit_start"] = "2010-07-01"  # text stays as written
    rows[3]["birth_date"] = dt.date(1950, 3, 1)  # not a month column: the date as shown
    for row in rows:
        row["employee_pension_from"] = dt.date(2030, 1, 1)
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    raw = read_input(path, "rosters")
    assert raw["benefit_start"].tolist() == ["2010-07", "2011-03", "2010-07-15", "2010-07-01"]
    assert raw["employee_pension_from"].tolist() == ["2030-01"] * 4
    assert raw["birth_date"].iloc[3] == "1950-03-01"
    result = validate_rosters(raw, policy=policy, run_month=MONTH, ever_receiving=pd.Series([], dtype="str"))
    rejected = result.rejects.set_index("source_row")["reason_codes"]
    assert "MONTH_FORMAT" in rejected.loc[4] and "MONTH_FORMAT" in rejected.loc[5]
    assert 2 not in rejected.index or "MONTH_FORMAT" not in rejected.loc[2]


# -- files the pipeline's user cannot open --------------------------------------------------------


@pytest.mark.parametrize("fmt", ["utf-8", "xlsx"])
def test_permission_denied_stops_cleanly(fmt, tmp_path, monkeypatch):
    path = write_rows(tmp_path / "r", people()[:2], fmt=fmt)
    real = Path.read_bytes

    def refuse(self):
        if self == path:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(RunStopped, match=r"cannot be opened by the pipeline's user \(Permission denied\)") as stop:
        read_input(path, "rosters")
    assert stop.value.file == path.name
    assert "permissions" in stop.value.action


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_unreadable_file_stops_cleanly(tmp_path):
    path = write_csv(tmp_path / "r.csv", people()[:2])
    path.chmod(0)
    try:
        with pytest.raises(RunStopped, match="cannot be opened by the pipeline's user"):
            read_input(path, "rosters")
    finally:
        path.chmod(0o644)
