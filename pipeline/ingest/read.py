"""Read one input file into a table of text cells, with the source file and row of every row.

Every cell stays text: an ID or account number must never pass through a number. Cells that a
spreadsheet stored as numbers in a digit-string column are kept as the spreadsheet shows them
(`3.20281E+17`) so that validation rejects them as lost digits instead of guessing them back.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook

from pipeline.errors import RunStopped
from pipeline.ingest.columns import COLUMNS, DIGIT_STRINGS, SOURCE_FILE, SOURCE_ROW, Column

CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_input(path: Path, kind: str, *, label: str | None = None, data: bytes | None = None) -> pd.DataFrame:
    """One file -> canonical columns of `kind` (all str, '' for empty) + source_file, source_row.

    `label` is how the file is named in outputs (a path relative to the inbox); it defaults to
    the file name. `data`: the file's bytes when the caller already read them (to hash exactly
    what is parsed: a file replaced while the run reads it must not get the new file's hash).
    """
    label = label or path.name
    suffix = path.suffix.lower()
    if suffix == ".csv":
        raw = _read_csv(path, label, data)
    elif suffix in (".xlsx", ".xls", ".xlsm", ".ods"):
        raw = _read_spreadsheet(path, label, data)
    else:
        raise RunStopped(
            f"'{suffix}' files cannot be read (CSV, XLSX and XLS can).",
            file=label,
            action="save the file as .csv or .xlsx, or move it out of the inbox.",
        )
    table = _canonical_columns(raw, COLUMNS[kind], label)
    table[SOURCE_FILE] = label
    table[SOURCE_ROW] = raw.index.to_numpy(dtype="int64")  # readers index rows by spreadsheet row
    return table.reset_index(drop=True)


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


def _read_csv(path: Path, label: str, data: bytes | None = None) -> pd.DataFrame:
    """Rows indexed by the row number a spreadsheet shows (header = 1); blank rows dropped."""
    text = _decode(path.read_bytes() if data is None else data, label)
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


def _read_spreadsheet(path: Path, label: str, data: bytes | None = None) -> pd.DataFrame:
    try:
        book = (
            CalamineWorkbook.from_path(str(path)) if data is None else CalamineWorkbook.from_filelike(io.BytesIO(data))
        )
        sheet = book.get_sheet_by_index(0)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as err:  # calamine raises its own error types per format
        raise RunStopped(
            f"the spreadsheet cannot be opened ({type(err).__name__}: {err}).",
            file=label,
            action="open it in Excel, save it again as .xlsx and rerun.",
        ) from None
    if not rows:
        raise RunStopped("the spreadsheet is empty.", file=label, action="send the full file again.")
    header = [_cell_text(cell, digits=False) for cell in rows[0]]
    # keep each row's spreadsheet row number (header = 1) across the blank rows dropped here
    body = [(n, row) for n, row in enumerate(rows[1:], start=2) if any(cell not in ("", None) for cell in row)]
    digit_columns = {i for i, h in enumerate(header) if _canonical_name(h) in DIGIT_STRINGS}
    cells = [[_cell_text(cell, digits=i in digit_columns) for i, cell in enumerate(row)] for _, row in body]
    index = pd.Index([n for n, _ in body], dtype="int64")
    return pd.DataFrame(cells, columns=header, index=index, dtype="str")


def _cell_text(cell: object, *, digits: bool) -> str:
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
        return cell.isoformat()
    return str(cell).strip()


_ALIASES: dict[str, str] = {}
for _kind_columns in COLUMNS.values():
    for _column in _kind_columns:
        _ALIASES[_column.name] = _column.name
        _ALIASES[_column.chinese] = _column.name


def _canonical_name(header: str) -> str:
    key = str(header).strip().lstrip("\ufeff")
    return _ALIASES.get(key, _ALIASES.get(key.lower(), key))


def _canonical_columns(raw: pd.DataFrame, columns: tuple[Column, ...], label: str) -> pd.DataFrame:
    renamed = raw.rename(columns=lambda h: _canonical_name(h))
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


def _trimmed(cells: pd.Series) -> pd.Series:
    if not isinstance(cells.dtype, pd.StringDtype):
        cells = cells.fillna("").astype("str")
    return cells.str.strip()
