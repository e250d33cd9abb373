"""Write a table to .xlsx with every cell as text, byte-identical for identical input.

ID and account numbers must keep their digits, so cells are written as strings; a text that
looks like a formula (``=…``, ``+…``, ``-…``, ``@…``) is stored as a plain string, never as a
formula. Numbers are written only where asked: the columns named in ``numeric_columns``, or a
cell of an object-dtype column whose value is an int or float (so a caller can put a number in
one cell of an otherwise text column, as a clerk's Excel does when it turns an ID into 3.2E+17).

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
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

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


TEXT, NUMERIC, PER_CELL = 0, 1, 2


def _cell(sheet, value: object, kind: int) -> WriteOnlyCell | None:
    if _is_missing(value):
        return None
    if kind == NUMERIC or (kind == PER_CELL and not isinstance(value, (str, bool))):
        number = _as_number(value)
        if number is not None:
            return WriteOnlyCell(sheet, value=number)
    cell = WriteOnlyCell(sheet, value=str(value))
    # openpyxl turns "=…" into a formula and "#N/A" into an error: force plain text.
    cell.data_type = "s"
    return cell


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
    workbook = Workbook(write_only=True)
    workbook.properties.created = FIXED_TIME
    workbook.properties.modified = FIXED_TIME
    workbook.properties.creator = "pipeline"
    sheet = workbook.create_sheet(title=sheet_name)
    columns = [str(c) for c in frame.columns]
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.data_type = "s"
        header.append(cell)
    sheet.append(header)
    kinds = [NUMERIC if c in numeric else PER_CELL if frame[c].dtype == object else TEXT for c in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(sheet, v, k) for v, k in zip(row, kinds, strict=True)])
    raw = io.BytesIO()
    workbook.save(raw)
    return normalised_zip(raw.getvalue())


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
      number stays text);
    - in a column of dtype object, a cell holding an int/float (not a string) is written as a
      number, so a caller can store one cell as a number among text; in any other column
      (str, int64, float64, ...) every value is written as its text;
    - text starting with =, +, -, @ stays literal text, never a formula.
    The same input gives the same bytes.
    """
    atomic_write_bytes(Path(path), xlsx_bytes(frame, sheet_name, numeric_columns))
