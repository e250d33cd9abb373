"""One-sheet workbooks written as OOXML directly, column by column in Arrow: the clerks' lists
and the banks' XLSX files. A sheet of 124,000 rows (the changes of an opening month, a bank's
batch) takes a fraction of a second instead of the quarter of a minute a cell-by-cell writer
takes. Inline strings, a few fixed styles; the same input gives the same bytes (fixed times,
fixed zip order).
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ZIP_TIME = (1980, 1, 1, 0, 0, 0)
STAMP = "2000-01-01T00:00:00Z"
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$").pattern
ILLEGAL = "[\x00-\x08\x0b\x0c\x0e-\x1f]"  # not allowed in XML 1.0
# cellXfs of STYLES: the lists' title, header, amounts (#,##0.00), total amount, total label; the
# banks' amounts in yuan (0.00) and in fen (0)
TITLE, HEADER, AMOUNT, TOTAL_AMOUNT, TOTAL_TEXT, YUAN, FEN = 1, 2, 3, 4, 5, 6, 7
TEXT = pa.string()

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<fonts count="3"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>\
<font><b/><sz val="13"/><name val="Calibri"/><family val="2"/></font></fonts>\
<fills count="3"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="00DDE5F0"/><bgColor rgb="00DDE5F0"/></patternFill></fill></fills>\
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="8"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>\
<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="4" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyNumberFormat="1"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>\
<xf numFmtId="1" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def text_array(values: pd.Series) -> pa.Array:
    """A column as the text of its cells: each value's text, null for a missing one."""
    if isinstance(values.dtype, pd.StringDtype):
        return pa.array(values, type=TEXT, from_pandas=True)
    return pa.array([None if is_missing(v) else str(v) for v in values], type=TEXT)


def is_missing(value: object) -> bool:
    """An empty cell: None, NA, NaT, NaN or the empty text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def _text(values: pa.Array) -> pa.Array:
    """Cell text, XML-escaped; null for an empty cell."""
    values = pc.if_else(pc.equal(values, ""), pa.scalar(None, TEXT), values)
    if pc.any(pc.match_substring_regex(values, ILLEGAL)).as_py():
        raise ValueError("a cell holds a control character that a workbook cannot hold")
    if not pc.any(pc.match_substring_regex(values, "[&<>]")).as_py():  # the usual column: one scan, no copies
        return values
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        values = pc.replace_substring(values, char, entity)
    return values


def column_cells(values: pa.Array, letter: str, rows: pa.Array, *, number_style: int | None = None) -> pa.Array:
    """One column's cells as XML ('' for an empty one), text cells, or with number_style numbers
    where the text is one (the rest stays text)."""
    text = _text(values)
    as_text = pc.binary_join_element_wise(
        pa.scalar(f'<c r="{letter}', TEXT),
        rows,
        pa.scalar('" t="inlineStr"><is><t xml:space="preserve">', TEXT),
        text,
        pa.scalar("</t></is></c>", TEXT),
        "",
    )
    if number_style is not None:
        ref = pc.binary_join_element_wise(pa.scalar(f'<c r="{letter}', TEXT), rows, pa.scalar("", TEXT), "")
        number = pc.match_substring_regex(pc.utf8_trim_whitespace(text), NUMBER)
        as_number = pc.binary_join_element_wise(
            ref,
            pa.scalar(f'" s="{number_style}"><v>', TEXT),
            pc.utf8_trim_whitespace(text),
            pa.scalar("</v></c>", TEXT),
            "",
        )
        as_text = pc.if_else(pc.fill_null(number, False), as_number, as_text)
    return pc.fill_null(as_text, "")


def inline(ref: str, text: str, style: int = 0) -> str:
    """One text cell."""
    styled = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{styled} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def number_cell(ref: str, value: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'


def row(number: int, cells: Sequence[str]) -> str:
    return f'<row r="{number}">' + "".join(cells) + "</row>"


def text_row(number: int, texts: Sequence[str], style: int = 0) -> str:
    """A row of text cells (a title, the column titles)."""
    return row(number, [inline(f"{column_letter(i)}{number}", t, style) for i, t in enumerate(texts) if t != ""])


def body_rows(columns: Sequence[tuple[pa.Array, int | None]], first_row: int) -> str:
    """The rows of a table from first_row on: each column its cells' text (null: empty) and the
    number style of its numbers (None: a text column)."""
    return "".join(body_row_slices(columns, first_row))


SLICE_ROWS = 50_000  # rows turned into XML at a time: a list of millions of rows is never one string


def body_row_slices(columns: Sequence[tuple[pa.Array, int | None]], first_row: int) -> Iterator[str]:
    """body_rows' text, SLICE_ROWS rows at a time (the same text once joined)."""
    count = len(columns[0][0]) if columns else 0
    for start in range(0, count, SLICE_ROWS):
        length = min(SLICE_ROWS, count - start)
        numbers = pc.cast(pa.array(np.arange(first_row + start, first_row + start + length, dtype=np.int64)), TEXT)
        cells = [
            column_cells(values.slice(start, length), column_letter(i), numbers, number_style=style)
            for i, (values, style) in enumerate(columns)
        ]
        joined = pc.binary_join_element_wise(
            pa.scalar('<row r="', TEXT), numbers, pa.scalar('">', TEXT), *cells, pa.scalar("</row>", TEXT), ""
        )
        yield "".join(joined.to_pylist())


def worksheet(rows: str, **layout) -> str:
    """The sheet around its rows (worksheet_parts, joined)."""
    return "".join(worksheet_parts([rows], **layout))


def worksheet_parts(
    rows: Iterable[str],
    *,
    last_column: str,
    last_row: int,
    widths: Sequence[float] = (),
    frozen_rows: int = 0,
    filter_range: str | None = None,
    fit_to_width: bool = False,
) -> Iterator[str]:
    """The sheet around its rows, in parts (its head, the rows as given, its tail): column widths,
    the first rows frozen, an autofilter, and the print set-up of a list (landscape A4, one page wide)."""
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>' for i, width in enumerate(widths, start=1)
    )
    top = f"A{frozen_rows + 1}"
    view = (
        f'<sheetView workbookViewId="0"><pane ySplit="{frozen_rows}" topLeftCell="{top}" activePane="bottomLeft" '
        f'state="frozen"/><selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/></sheetView>'
        if frozen_rows
        else '<sheetView workbookViewId="0"/>'
    )
    yield (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">'
        + ('<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if fit_to_width else "")
        + f'<dimension ref="A1:{last_column}{last_row}"/><sheetViews>{view}</sheetViews>'
        + '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        + (f"<cols>{cols}</cols>" if cols else "")
        + "<sheetData>"
    )
    yield from rows
    yield (
        "</sheetData>"
        + (f'<autoFilter ref="{filter_range}"/>' if filter_range else "")
        + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        + ('<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>' if fit_to_width else "")
        + "</worksheet>"
    )


def _absolute(cells: str) -> str:
    """A2:H9 -> $A$2:$H$9"""
    return re.sub(r"([A-Z]+)([0-9]+)", r"$\1$\2", cells)


def workbook_package(
    sheet_name: str, sheet: str, *, filter_range: str | None = None, print_titles: str | None = None
) -> bytes:
    """The .xlsx around one worksheet, as bytes (write_workbook_package)."""
    out = io.BytesIO()
    write_workbook_package(out, sheet_name, [sheet], filter_range=filter_range, print_titles=print_titles)
    return out.getvalue()


def write_workbook_package(
    target: BinaryIO,
    sheet_name: str,
    sheet: Iterable[str],
    *,
    filter_range: str | None = None,
    print_titles: str | None = None,
) -> None:
    """The .xlsx around one worksheet given in parts, written to target (a file open for writing):
    the workbook (the filter's range, the rows printed on every page), styles, properties at a
    fixed time, in a zip with fixed entry times. The sheet is compressed part by part as it comes,
    never held whole; deflate's output does not depend on how its input is cut, so the bytes are
    those of the sheet written at once."""
    quoted = escape("'" + sheet_name.replace("'", "''") + "'")
    names = ""
    if filter_range:
        names += (
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">{quoted}!'
            f"{_absolute(filter_range)}</definedName>"
        )
    if print_titles:
        names += f'<definedName name="_xlnm.Print_Titles" localSheetId="0">{quoted}!{print_titles}</definedName>'
    defined = f"<definedNames>{names}</definedNames>" if names else ""
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>',
        "_rels/.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{RELS}/extended-properties" Target="docProps/app.xml"/></Relationships>',
        "docProps/app.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        "<Application>pipeline</Application></Properties>",
        "docProps/core.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>pipeline</dc:creator>'
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{STAMP}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{STAMP}</dcterms:modified></cp:coreProperties>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><bookViews><workbookView/></bookViews>'
        f'<sheets><sheet name={quoteattr(sheet_name)} sheetId="1" r:id="rId1"/></sheets>{defined}</workbook>',
        "xl/_rels/workbook.xml.rels": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{PACKAGE}">'
        f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{RELS}/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": [STYLES],
        "xl/worksheets/sheet1.xml": sheet,
    }
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for part, texts in parts.items():
            entry = zipfile.ZipInfo(part, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            with package.open(entry, "w") as member:
                for text in [texts] if isinstance(texts, str) else texts:
                    member.write(text.encode("utf-8"))
