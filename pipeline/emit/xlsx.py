"""Write a table to .xlsx with every cell as text, byte-identical for identical input.

ID and account numbers must keep their digits, so cells are written as strings; a text that
looks like a formula (``=…``, ``+…``, ``-…``, ``@…``) is stored as a plain string, never as a
formula. Numbers are written only where asked: the columns named in ``numeric_columns``.

openpyxl stamps the save time into docProps/core.xml and every zip entry; both are fixed here,
so that rerunning with the same input gives the same bytes.
"""

from __future__ import annotations

import io
import math
import numbers
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from pipeline.durable import atomic_write_bytes

FIXED_TIME = datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_W3CDTF = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:(created|modified)>)")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


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
    if _is_missing(value):
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

AMOUNT_FORMAT = "#,##0.00"  # grouped like the yuan in every report (2,352.00)
MAX_WIDTH = 60
# East Asian wide characters take two columns of a spreadsheet's width unit
_WIDE = (
    r"[\u1100-\u115F\u2E80-\u303E\u3041-\u33FF\u3400-\u4DBF\u4E00-\u9FFF\uA000-\uA4CF"
    r"\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]"
)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_HEADER_FILL = PatternFill("solid", fgColor="DDE5F0")


def display_width(values: pd.Series) -> pd.Series:
    """Characters as a spreadsheet column counts them: a CJK character counts two."""
    text = values.fillna("").astype("str")
    return text.str.len() + text.str.count(_WIDE)


MIN_WIDTH = 8


def column_widths(frame: pd.DataFrame, first_extra: str = "") -> list[float]:
    """Each column as wide as its widest cell or header (capped: a longer text is cut on screen
    but kept whole in the cell); first_extra is a text the first column must also fit."""
    widths = []
    for i, column in enumerate(frame.columns):
        cells = int(display_width(frame[column]).max()) if len(frame) else 0
        texts = [str(column)] + ([first_extra] if i == 0 and first_extra else [])
        header = int(display_width(pd.Series(texts)).max())
        widths.append(float(min(max(cells, header, MIN_WIDTH) + 2, MAX_WIDTH)))
    return widths


def _amount_cell(sheet, value: object, bold: bool = False) -> WriteOnlyCell | None:
    number = None if _is_missing(value) else _as_number(value)
    if number is None:
        return data_cell(sheet, value)
    cell = WriteOnlyCell(sheet, value=float(number))
    cell.number_format = AMOUNT_FORMAT
    if bold:
        cell.font = _BOLD
    return cell


def _text_cell(sheet, value: object, font: Font | None = None, fill: PatternFill | None = None) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=str(value))
    cell.data_type = "s"
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    return cell


def _total(values: pd.Series) -> float:
    """The column's exact sum (Decimal from the yuan text), as the number the cell holds."""
    total = sum((Decimal(str(v).strip()) for v in values if not _is_missing(v)), Decimal(0))
    return float(total)


def list_xlsx_bytes(frame: pd.DataFrame, *, title: str, sheet_name: str, amount_columns: Iterable[str] = ()) -> bytes:
    """A list as a clerk expects it (see write_list_xlsx)."""
    amounts = list(amount_columns)
    unknown = set(amounts) - set(frame.columns)
    if unknown:
        raise KeyError(f"amount_columns not in the frame: {sorted(unknown)}")
    workbook = new_workbook()
    sheet = workbook.create_sheet(title=sheet_name)
    columns = list(frame.columns)
    last = get_column_letter(max(len(columns), 1))
    total_label = f"合计 total（{len(frame)}行）"
    widths = column_widths(frame, total_label)
    for c in amounts:  # the cells show grouped yuan, and the total row is the widest of them
        i = columns.index(c)
        widths[i] = min(max(widths[i], len(f"{_total(frame[c]):,.2f}") + 4), MAX_WIDTH)
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A3"
    sheet.print_title_rows = "1:2"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.auto_filter.ref = f"A2:{last}{len(frame) + 2}"
    sheet.append([_text_cell(sheet, title, _TITLE)])
    sheet.append([_text_cell(sheet, c, _BOLD, _HEADER_FILL) for c in columns])
    kinds = [c in amounts for c in columns]
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_amount_cell(sheet, v) if k else data_cell(sheet, v) for v, k in zip(row, kinds, strict=True)])
    total = [_text_cell(sheet, total_label, _BOLD)] + [None] * (len(columns) - 1)
    for c in amounts:
        total[columns.index(c)] = _amount_cell(sheet, _total(frame[c]), bold=True)
    sheet.append(total)
    return workbook_bytes(workbook)


def write_list_xlsx(
    frame: pd.DataFrame, path: Path, *, title: str, sheet_name: str = "Sheet1", amount_columns: Iterable[str] = ()
) -> None:
    """Write a list for a clerk: row 1 a title (month, township, status), row 2 the header, then
    one row per line and a total row. IDs, accounts and codes are text cells (a spreadsheet shows
    every digit); amount_columns are numbers formatted #,##0.00 and summed in the total row. Columns
    fit their content, the header stays frozen with an autofilter, and the sheet prints landscape
    on one page wide. The same input gives the same bytes."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(
        Path(path), list_xlsx_bytes(frame, title=title, sheet_name=sheet_name, amount_columns=amount_columns)
    )
