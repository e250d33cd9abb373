"""Write a table to .xlsx with every cell as text, byte-identical for identical input.

ID and account numbers must keep their digits, so cells are written as strings; a text that
looks like a formula (``=…``, ``+…``, ``-…``, ``@…``) is stored as a plain string, never as a
formula. Numbers are written only where asked: the columns named in ``numeric_columns``.

openpyxl stamps the save time into docProps/core.xml and every zip entry; both are fixed here,
so that rerunning with the same input gives the same bytes. The clerks' lists (list_xlsx_bytes)
are written by sheet_xml, column by column: a list can hold every person of the county.
"""

from __future__ import annotations

import io
import itertools
import math
import numbers
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from pipeline.durable import atomic_write_bytes, atomic_write_with
from pipeline.emit import sheet_xml

FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_W3CDTF = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:(created|modified)>)")


def _as_number(value: object) -> int | float | None:
    """The value as a Python number, or None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def data_cell(sheet, value: object, numeric: bool = False) -> WriteOnlyCell | None:
    """A table's cell: empty for a missing value, a number where numeric (if the value is one),
    else the value's text."""
    if sheet_xml.is_missing(value):
        return None
    if numeric:
        number = _as_number(value)
        if number is not None:
            return WriteOnlyCell(sheet, value=number)
    cell = WriteOnlyCell(sheet, value=str(value))
    # openpyxl turns "=…" into a formula and "#N/A" into an error: force plain text.
    cell.data_type = "s"
    return cell


def new_workbook() -> Workbook:
    workbook = Workbook(write_only=True)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "pipeline"
    return workbook


def workbook_bytes(workbook: Workbook) -> bytes:
    raw = io.BytesIO()
    workbook.save(raw)
    return normalised_zip(raw.getvalue())


def xlsx_bytes(
    frame: pd.DataFrame,
    sheet_name: str = "Sheet1",
    numeric_columns: Iterable[str] = (),
) -> bytes:
    """The .xlsx file's bytes (see write_xlsx)."""
    numeric = set(numeric_columns)
    unknown = numeric - set(frame.columns)
    if unknown:
        raise KeyError(f"numeric_columns not in the frame: {sorted(unknown)}")
    workbook = new_workbook()
    sheet = workbook.create_sheet(title=sheet_name)
    sheet.append([_text_cell(sheet, c) for c in frame.columns])
    kinds = [c in numeric for c in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        sheet.append([data_cell(sheet, v, k) for v, k in zip(row, kinds, strict=True)])
    return workbook_bytes(workbook)


def normalised_zip(data: bytes) -> bytes:
    """Rewrite the zip with fixed entry times and the docProps times pinned to FIXED_TIME."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():  # openpyxl's own order, which is fixed
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(3), content)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            target.writestr(entry, content)
    return out.getvalue()


def write_xlsx(
    frame: pd.DataFrame,
    path: Path,
    sheet_name: str = "Sheet1",
    numeric_columns: Iterable[str] = (),
) -> None:
    """Write frame to path as .xlsx: every cell text, except numbers where asked.

    - missing values (None, NaN, NA, "") give empty cells;
    - columns in numeric_columns: non-empty values written as numbers (a value that is not a
      number stays text); in every other column each value is written as its text;
    - text starting with =, +, -, @ stays literal text, never a formula.
    The same input gives the same bytes.
    """
    atomic_write_bytes(Path(path), xlsx_bytes(frame, sheet_name, numeric_columns))


# --- the lists clerks open: one layout for every list -----------------------------------------

MAX_WIDTH = 60
# East Asian wide characters take two columns of a spreadsheet's width unit
_WIDE = (
    r"[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF"
    r"\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]"
)


_WIDE_CHARS = _WIDE.encode("ascii").decode("unicode_escape")  # the same class, for Arrow's regex engine


def display_width(values: pd.Series) -> pd.Series:
    """Characters as a spreadsheet column counts them: a CJK character counts two."""
    widths = text_widths(sheet_xml.text_array(values))
    return pd.Series(widths.to_numpy(zero_copy_only=False), index=values.index)


def text_widths(text: pa.Array) -> pa.Array:
    """display_width of Arrow text (a missing cell is 0 wide)."""
    text = pc.fill_null(text, "")
    return pc.add(pc.utf8_length(text), pc.count_substring_regex(text, _WIDE_CHARS))


MIN_WIDTH = 8


def column_widths(frame: pd.DataFrame, first_extra: str = "", texts: list[pa.Array] | None = None) -> list[float]:
    """Each column as wide as its widest cell or header (capped: a longer text is cut on screen
    but kept whole in the cell); first_extra is a text the first column must also fit. texts:
    the columns' sheet_xml.text_array, when the caller already has them."""
    if texts is None:
        texts = [sheet_xml.text_array(frame[column]) for column in frame.columns]
    # every header (and first_extra, last) measured in one pass: a list has a few rows per township
    headers = text_widths(pa.array([str(column) for column in frame.columns] + [first_extra], sheet_xml.TEXT))
    header_widths = headers.to_pylist()
    widths = []
    for i, text in enumerate(texts):
        cells = int(pc.max(text_widths(text)).as_py()) if len(frame) else 0
        header = max(header_widths[i], header_widths[-1]) if i == 0 and first_extra else header_widths[i]
        widths.append(float(min(max(cells, header, MIN_WIDTH) + 2, MAX_WIDTH)))
    return widths


def _text_cell(sheet, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    return cell


def list_xlsx_bytes(frame: pd.DataFrame, *, title: str, sheet_name: str, amount_columns: Iterable[str] = ()) -> bytes:
    """A list as a clerk expects it (see write_list_xlsx), as bytes."""
    out = io.BytesIO()
    write_list_package(out, frame, title=title, sheet_name=sheet_name, amount_columns=amount_columns)
    return out.getvalue()


def write_list_package(
    target: BinaryIO, frame: pd.DataFrame, *, title: str, sheet_name: str, amount_columns: Iterable[str] = ()
) -> None:
    """A list as a clerk expects it (see write_list_xlsx), written to target column by column and
    sheet_xml.SLICE_ROWS rows at a time: a list of every person of a province is never one string."""
    amounts = list(amount_columns)
    unknown = set(amounts) - set(frame.columns)
    if unknown:
        raise KeyError(f"amount_columns not in the frame: {sorted(unknown)}")
    columns = list(frame.columns)
    total_label = f"合计 total（{len(frame)}行）"
    totals = {c: _total_text(frame[c]) for c in amounts}
    texts = [sheet_xml.text_array(frame[c]) for c in columns]  # once, for the widths and the cells
    widths = column_widths(frame, total_label, texts)
    for c in amounts:  # the cells show grouped yuan, and the total row is the widest of them
        i = columns.index(c)
        widths[i] = min(max(widths[i], len(f"{Decimal(totals[c]):,.2f}") + 4), MAX_WIDTH)
    last = sheet_xml.column_letter(max(len(columns), 1) - 1)
    last_row = len(frame) + 3
    total_row = sheet_xml.row(
        last_row,
        [sheet_xml.inline(f"A{last_row}", total_label, sheet_xml.TOTAL_TEXT)]
        + [
            sheet_xml.number_cell(f"{sheet_xml.column_letter(i)}{last_row}", totals[c], sheet_xml.TOTAL_AMOUNT)
            for i, c in enumerate(columns)
            if c in totals
        ],
    )
    rows = itertools.chain(
        [
            sheet_xml.text_row(1, [title], sheet_xml.TITLE)
            + sheet_xml.text_row(2, [str(c) for c in columns], sheet_xml.HEADER)
        ],
        sheet_xml.body_row_slices(
            [(text, sheet_xml.AMOUNT if c in totals else None) for text, c in zip(texts, columns, strict=True)],
            first_row=3,
        ),
        [total_row],
    )
    filter_range = f"A2:{last}{last_row - 1}"
    sheet = sheet_xml.worksheet_parts(
        rows,
        last_column=last,
        last_row=last_row,
        widths=widths,
        frozen_rows=2,
        filter_range=filter_range,
        fit_to_width=True,
    )
    sheet_xml.write_workbook_package(target, sheet_name, sheet, filter_range=filter_range, print_titles="$1:$2")


def _total_text(values: pd.Series) -> str:
    """The column's exact sum (Decimal from the yuan text) as the number the total cell holds."""
    return str(sum((Decimal(str(v).strip()) for v in values if not sheet_xml.is_missing(v)), Decimal(0)))


def write_list_xlsx(
    frame: pd.DataFrame, path: Path, *, title: str, sheet_name: str = "Sheet1", amount_columns: Iterable[str] = ()
) -> None:
    """Write a list for a clerk: row 1 a title (month, township, status), row 2 the header, then
    one row per line and a total row. IDs, accounts and codes are text cells (a spreadsheet shows
    every digit); amount_columns are numbers formatted #,##0.00 and summed in the total row. Columns
    fit their content, the header stays frozen with an autofilter, and the sheet prints landscape
    on one page wide. The same input gives the same bytes."""

    def write(temp: Path) -> None:
        with temp.open("wb") as handle:
            write_list_package(handle, frame, title=title, sheet_name=sheet_name, amount_columns=amount_columns)

    atomic_write_with(Path(path), write)
