"""Read one input file into a table of text cells, with the source file and row of every row.

Every cell stays text: an ID or account number must never pass through a number. Cells that a
spreadsheet stored as numbers in a digit-string column are kept as the spreadsheet shows them
(`3.20281E+17`) so that validation rejects them as lost digits instead of guessing them back.

A workbook is read as the clerk sees it (its one visible sheet with data), and every header
must be known: a column the reader does not recognise stops the run rather than being read as
absent. Each file's bytes are read once, and hashed, so that what was hashed is what was parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import hashlib
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from pipeline.core.errors import RunStopped
from pipeline.ingest.columns import (
    COLUMNS,
    DEFAULT_HEADERS,
    DIGIT_STRINGS,
    MONTH_COLUMNS,
    SOURCE_FILE,
    SOURCE_ROW,
    HeaderRules,
    header_key,
)

CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_input(
    path: Path, kind: str, *, label: str | None = None, headers: HeaderRules = DEFAULT_HEADERS
) -> pd.DataFrame:
    """One file -> canonical columns of `kind` (all str, '' for empty) + source_file, source_row.

    `label` is how the file is named in outputs (a path relative to the inbox); it defaults to
    the file name. `headers`: the synonyms and ignored headers of the policy.
    """
    return read_file(path, kind, label=label, headers=headers)[0]


def read_file(
    path: Path, kind: str, *, label: str | None = None, headers: HeaderRules = DEFAULT_HEADERS
) -> tuple[pd.DataFrame, str]:
    """`read_input`, and the sha256 of the bytes the table was parsed from: the file is read
    once, so the hash names exactly what was read (not the file as it is a moment later)."""
    label = label or path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls", ".xlsm", ".ods"):
        raise RunStopped(
            f"'{suffix}' files cannot be read (CSV, XLSX and XLS can).",
            file=label,
            action="save the file as .csv or .xlsx, or move it out of the inbox.",
        )
    data = file_bytes(path, label)
    if suffix == ".csv":
        raw = _read_csv(data, label)
    else:
        raw = _read_spreadsheet(data, label, kind, headers)
    table = _canonical_columns(raw, kind, label, headers)
    table[SOURCE_FILE] = label
    table[SOURCE_ROW] = raw.index.to_numpy(dtype="int64")  # readers index rows by spreadsheet row
    return table.reset_index(drop=True), hashlib.sha256(data).hexdigest()


def file_bytes(path: Path, label: str) -> bytes:
    """The file's bytes; a file the pipeline may not open stops the run instead of a traceback."""
    try:
        return path.read_bytes()
    except PermissionError as err:
        raise RunStopped(
            f"the file cannot be opened by the pipeline's user ({err.strerror or err}).",
            file=label,
            action="fix the file's permissions (the pipeline's user must be able to read it) and rerun.",
        ) from None
    except OSError as err:
        raise RunStopped(
            f"the file cannot be read ({err.strerror or err}).",
            file=label,
            action="copy the file into the inbox again and rerun.",
        ) from None


def _decode(data: bytes, label: str) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise RunStopped(
        "the file is neither UTF-8 nor GB18030 text, so its characters cannot be read.",
        file=label,
        action="open it in Excel and save it as 'CSV UTF-8' or as .xlsx, then rerun.",
    )


def _read_csv(data: bytes, label: str) -> pd.DataFrame:
    """Rows indexed by the row number a spreadsheet shows (header = 1); blank rows dropped."""
    text = _single_line_ends(_decode(data, label))
    if not text.strip():
        raise RunStopped("the file is empty.", file=label, action="send the full file again.")
    try:
        header = next(csv.reader(io.StringIO(text)))
        body = _regular_body(text, len(header))
        if body is None:
            body = _any_body(text, len(header), label)
    except (pd.errors.ParserError, csv.Error, ValueError) as err:
        raise RunStopped(
            f"the file is not a well-formed CSV table ({err}).",
            file=label,
            action="check that every line has the same number of columns as the header.",
        ) from None
    body.columns = header
    body.index = pd.RangeIndex(2, len(body) + 2)
    return body[(body != "").any(axis=1)] if len(body.columns) else body


def _single_line_ends(text: str) -> str:
    """Excel's "CSV (Macintosh)" ends lines with a bare CR. Only a text without any LF is
    rewritten: then no CR can be part of a CRLF, and a file that mixes them is left as it is."""
    if "\r" in text and "\n" not in text:
        return text.replace("\r", "\n")
    return text


def _regular_body(text: str, width: int) -> pd.DataFrame | None:
    """The usual file through Arrow's parser, several times faster than pandas'. An empty line
    is read as a row of empty cells (so row numbers keep counting, as with pandas); a line with
    more or fewer cells than the header makes Arrow fail, and then (None) `_any_body` reads the
    file and says which line is wrong."""
    if width == 0:
        return None
    names = [f"f{i}" for i in range(width)]  # Arrow's own names; the header is parsed as a row
    try:
        table = pa_csv.read_csv(
            io.BytesIO(text.encode("utf-8")),
            read_options=pa_csv.ReadOptions(autogenerate_column_names=True),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    if table.num_columns != width:
        return None
    # row 0 is the header, which may hold a quoted line break: skip_rows would count it as two
    return table.slice(1).to_pandas()


def _any_body(text: str, width: int, label: str) -> pd.DataFrame:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", pd.errors.ParserWarning)
        # names + index_col=False: a row with more fields than the header never shifts the
        # columns (pandas would otherwise turn the first column into the index)
        body = pd.read_csv(
            io.StringIO(text),
            header=0,
            names=list(range(width)),
            index_col=False,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
        )
    if any(issubclass(w.category, pd.errors.ParserWarning) for w in caught):
        _check_extra_fields(text, width, label)
    return body


def _check_extra_fields(text: str, width: int, label: str) -> None:
    """Empty trailing fields (a delimiter at the end of the line) are harmless; a value beyond
    the header's last column has no column to go to, so the file cannot be read."""
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if any(cell.strip() for cell in row[width:]):
            raise RunStopped(
                f"row {number} has {len(row)} values but the header names only {width} columns.",
                file=label,
                action="check that every line has the same number of columns as the header.",
            )


@dataclass(frozen=True)
class _Sheet:
    name: str
    visible: bool
    rows: list[list]


KIND_NOUNS = {
    "rosters": "roster",
    "deaths": "death registrations",
    "bank_returns": "bank return",
    "id_corrections": "ID corrections",
    "contributions": "contributions",
    "opening_balances": "opening balances",
}


def _read_spreadsheet(data: bytes, label: str, kind: str, headers: HeaderRules) -> pd.DataFrame:
    rows = _data_sheet(_workbook_sheets(data, label), label, kind, headers).rows
    header = [_cell_text(cell, digits=False) for cell in rows[0]]
    names = [_column_of(h, kind, headers) for h in header]
    # keep each row's spreadsheet row number (header = 1) across the blank rows dropped here
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(cell not in ("", None) for cell in row)]
    cells = [
        [
            _cell_text(cell, digits=names[i] in DIGIT_STRINGS, month=names[i] in MONTH_COLUMNS)
            for i, cell in enumerate(row)
        ]
        for _, row in body
    ]
    index = pd.Index([n for n, _ in body], dtype="int64")
    return pd.DataFrame(cells, columns=header, index=index, dtype="str")


def _workbook_sheets(data: bytes, label: str) -> list[_Sheet]:
    """Every worksheet with its visibility and cells (chart sheets hold no cells)."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [
            _Sheet(
                sheet.name,
                sheet.visible == SheetVisibleEnum.Visible,
                book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False),
            )
            for sheet in book.sheets_metadata
            if sheet.typ != SheetTypeEnum.ChartSheet
        ]
    except Exception as err:  # calamine raises its own error types per format
        raise RunStopped(
            f"the spreadsheet cannot be opened ({type(err).__name__}: {err}).",
            file=label,
            action="open it in Excel, save it again as .xlsx and rerun.",
        ) from None


def _data_sheet(sheets: list[_Sheet], label: str, kind: str, headers: HeaderRules) -> _Sheet:
    """The one sheet the clerk sees with data in it. Reading the first sheet instead paid from a
    hidden stale copy, and a roster split over two sheets lost one of them without a word: so
    several visible sheets with data, or a hidden one headed like this kind, stop the run."""
    filled = [s for s in sheets if s.visible and _has_data(s.rows)]
    noun = KIND_NOUNS[kind]
    if len(filled) > 1:
        raise RunStopped(
            f"the workbook has {len(filled)} sheets with data ({_sheet_names(filled)}); put the {noun} on one sheet.",
            file=label,
            action="copy all rows under one header onto a single sheet, delete the other sheets and rerun.",
        )
    hidden = [s for s in sheets if not s.visible and s.rows and _is_header(s.rows[0], kind, headers)]
    if hidden:
        raise RunStopped(
            f"the workbook has {len(hidden)} hidden sheet(s) headed like a {noun} ({_sheet_names(hidden)}): "
            "the pipeline reads only what the clerk sees, and cannot tell which sheet is meant.",
            file=label,
            action="delete the hidden sheet(s) if they are an old copy, or move their rows onto the visible sheet; "
            "then rerun.",
        )
    if not filled:
        raise RunStopped("the spreadsheet is empty.", file=label, action="send the full file again.")
    return filled[0]


def _sheet_names(sheets: list[_Sheet]) -> str:
    return ", ".join(s.name for s in sheets)


def _has_data(rows: list[list]) -> bool:
    return any(_cell_text(cell, digits=False) for row in rows for cell in row)


def _is_header(row: list, kind: str, headers: HeaderRules) -> bool:
    """A row that names at least one required column of this kind, in either language."""
    required = {c.name for c in COLUMNS[kind] if c.required}
    return any(_column_of(_cell_text(cell, digits=False), kind, headers) in required for cell in row)


def _cell_text(cell: object, *, digits: bool, month: bool = False) -> str:
    """A spreadsheet cell as the text a clerk sees in it."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "是" if cell else "否"
    if isinstance(cell, (int, float)):
        if digits:
            return f"{float(cell):.6G}"  # what Excel shows for a long number: 3.20281E+17
        if isinstance(cell, float) and cell.is_integer():
            return str(int(cell))
        return repr(cell) if isinstance(cell, float) else str(cell)
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(sep=" ")
    if isinstance(cell, dt.date):
        return _month_text(cell) if month else cell.isoformat()
    return str(cell).strip()


def _month_text(day: dt.date) -> str:
    """A month typed into Excel is stored as a date cell of the 1st and shown as 2010-07. Any
    other day is not a month the clerk typed: it is kept as the date, and validation rejects it."""
    return f"{day.year:04d}-{day.month:02d}" if day.day == 1 else day.isoformat()


def _column_of(header: str, kind: str, headers: HeaderRules) -> str | None:
    """The canonical column of this kind a header names (canonical name or synonym), else None."""
    name = headers.column_of(header)
    return name if name in {c.name for c in COLUMNS[kind]} else None


def _canonical_columns(raw: pd.DataFrame, kind: str, label: str, headers: HeaderRules) -> pd.DataFrame:
    columns = COLUMNS[kind]
    kept = _kept_columns(raw, kind, label, headers)
    renamed = raw.iloc[:, list(kept)].set_axis(list(kept.values()), axis=1)
    duplicated = renamed.columns[renamed.columns.duplicated()].tolist()
    if duplicated:
        raise RunStopped(
            f"the header names the column(s) {', '.join(duplicated)} twice.",
            file=label,
            action="keep one column of each name and rerun.",
        )
    missing = [c for c in columns if c.required and c.name not in renamed.columns]
    if missing:
        names = ", ".join(f"{c.chinese} ({c.name})" for c in missing)
        raise RunStopped(
            f"required column(s) missing: {names}.",
            file=label,
            action="add the column(s) with these header names (Chinese or English) and rerun.",
        )
    blank = pd.Series("", index=renamed.index, dtype="str")
    return pd.DataFrame(
        {c.name: _trimmed(renamed[c.name]) if c.name in renamed.columns else blank for c in columns},
        index=renamed.index,
    )


def _kept_columns(raw: pd.DataFrame, kind: str, label: str, headers: HeaderRules) -> dict[int, str]:
    """Position -> canonical name of every column read. Ignored headers and empty columns without
    a header (Excel's trailing ',,,') are dropped; an unknown header or a value under no header
    stops the run: a renamed column read as absent paid 0 or kept paying without a word."""
    kept, unknown = {}, []
    for position, header in enumerate(raw.columns):
        name = _column_of(header, kind, headers)
        if name is not None:
            kept[position] = name
        elif not header_key(header):
            _check_no_values(raw.iloc[:, position], position, label)
        elif header_key(header) not in headers.ignored:
            unknown.append(str(header).strip())
    if unknown:
        raise RunStopped(
            "; ".join(_unknown_column(h, kind) for h in unknown) + ".",
            file=label,
            action="rename the column to the header the pipeline knows (Chinese or English), or list the "
            "header in [headers] of the policy (synonyms, or ignored for a column that is not needed), and rerun.",
        )
    return kept


def _check_no_values(cells: pd.Series, position: int, label: str) -> None:
    if cells.fillna("").astype("str").str.strip().ne("").any():
        raise RunStopped(
            f"column {position + 1} ({_column_letter(position)}) has values but no header.",
            file=label,
            action="give the column its header (Chinese or English), or delete it if it is not needed, and rerun.",
        )


def _column_letter(position: int) -> str:
    """The column's name in Excel: A … Z, AA …"""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _unknown_column(header: str, kind: str) -> str:
    """'unknown column X', with the closest header of this kind in both languages."""
    by_header = {c.chinese: c for c in COLUMNS[kind]} | {c.name: c for c in COLUMNS[kind]}
    close = difflib.get_close_matches(header_key(header), by_header, n=1)
    if not close:
        return f"unknown column {header}"
    column = by_header[close[0]]
    return f"unknown column {header}: did you mean {column.chinese} ({column.name})?"


def _trimmed(cells: pd.Series) -> pd.Series:
    if not isinstance(cells.dtype, pd.StringDtype):
        cells = cells.fillna("").astype("str")
    return cells.str.strip()
