"""Reading input files: encodings, Excel, headers, text cells, row numbers, unreadable files."""

from __future__ import annotations

import pandas as pd
import pandas.testing as pdt
import pytest

from pipeline.errors import RunStopped
from pipeline.ingest.columns import ROSTER
from pipeline.ingest.read import _any_body, _regular_body, read_input
from pipeline.validate.rosters import validate_rosters
from tests.builders import (
    MONTH,
    chinese,
    excel_shown,
    roster_row,
    township_people,
    write_csv,
    write_rows,
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
    raw = read_input(write_csv(tmp_path / "r.csv", written, header=header), "rosters")
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
