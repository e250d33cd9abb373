"""A batch of bank lines rendered in its bank's layout (pipeline/bank_layouts.py): delimited text,
fixed-width text (widths in bytes of the bank's encoding), an XLSX with title and totals rows, or
ISO 20022 pain.001.001.03. Rendering is pure (rows in, bytes out) and done before anything is
written, so that a value that does not fit stops the run with nothing on disk; and each layout
can be read back (`read_lines`) so that the audit checks every released file against the ledger.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import pyarrow as pa
from lxml import etree
from python_calamine import CalamineWorkbook

from pipeline.bank_layouts import TRUNCATABLE, BankLayout, LineField
from pipeline.core.errors import RunStopped
from pipeline.core.idcard import mask
from pipeline.core.money import yuan_column, yuan_text, yuan_to_fen
from pipeline.emit import sheet_xml
from pipeline.emit.files import csv_text

# bank_file_rows' columns for each layout value
SOURCE = {"line_no": "序号", "payee_name": "户名", "account_number": "账号", "id_number": "身份证号", "memo": "摘要",
          "batch_id": "batch_id"}  # fmt: skip
PAIN_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"
END_TO_END_MAX = 35


@dataclass(frozen=True)
class RenderedBatch:
    data: bytes
    truncated: pd.DataFrame  # one row per line whose payee name or memo was cut to the byte limit


@dataclass(frozen=True)
class Batch:
    """One bank's lines of one kind (pension or funeral) for the month, in line order."""

    bank_code: str
    bank_name: str
    line_type: str
    month: str
    encoding: str
    rows: pd.DataFrame  # bank_file_rows of the batch, sorted by 序号

    @property
    def batch_id(self) -> str:
        return str(self.rows["batch_id"].iloc[0])

    def template_values(self) -> dict[str, str]:
        total = int(self.rows["amount_fen"].sum())
        return {
            "bank": self.bank_code,
            "bank_name": self.bank_name,
            "month": self.month,
            "yyyymm": self.month.replace("-", ""),
            "line_type": self.line_type,
            "batch_id": self.batch_id,
            "count": str(len(self.rows)),
            "total_fen": str(total),
            "total_yuan": yuan_text(total, grouped=False),
        }


def file_name(layout: BankLayout, batch: Batch) -> str:
    return layout.file_name.format(**batch.template_values()) + "." + layout.extension


def render(layout: BankLayout, batch: Batch) -> RenderedBatch:
    if layout.format == "pain001":
        return RenderedBatch(pain001(layout, [batch]), no_truncation())
    values, truncated = _field_texts(layout, batch)
    if layout.format == "xlsx":
        return RenderedBatch(_xlsx(layout, batch, values), truncated)
    lines = _fixed_lines(layout, batch, values) if layout.format == "fixed" else _delimited_lines(layout, batch, values)
    templates = batch.template_values()
    text = layout.newline.join(
        [line.format(**templates) for line in layout.header]
        + lines
        + [line.format(**templates) for line in layout.trailer]
    )
    return RenderedBatch((text + layout.newline).encode(batch.encoding), truncated)


def _amount_text(layout: BankLayout, amount_fen: pd.Series) -> pd.Series:
    return amount_fen.astype("int64").astype("str") if layout.amount_unit == "fen" else yuan_column(amount_fen)


def _field_texts(layout: BankLayout, batch: Batch) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One text column per field, names and memos cut to their byte limits at a character
    boundary (never half a GB18030 character); the lines whose payee name was cut are listed for
    the office (the bank pays by account, but an account holder's name that reads differently
    may be queried)."""
    rows = batch.rows
    columns, cut = {}, []
    for number, spec in enumerate(layout.fields):
        if spec.value == "amount":
            text = _amount_text(layout, rows["amount_fen"])
        elif spec.value == "month":
            text = pd.Series(batch.month, index=rows.index, dtype="str")
        else:
            text = rows[SOURCE[spec.value]].astype("str")
        limit = _byte_limit(spec)
        if limit is not None:
            shortened = text.map(lambda t, n=limit: _cut(t, n, batch.encoding))
            changed = shortened != text
            if changed.any() and spec.value == "payee_name":  # a memo is the same for every line
                cut.append(_truncation_rows(batch, spec, text[changed], shortened[changed]))
            text = shortened
        columns[number] = text
    truncated = pd.concat(cut, ignore_index=True) if cut else no_truncation()
    return pd.DataFrame(columns, index=rows.index), truncated


def _byte_limit(spec: LineField) -> int | None:
    """A name or memo is cut to its limit (or its fixed width); other fields are never cut."""
    if spec.value not in TRUNCATABLE:
        return None
    limits = [b for b in (spec.max_bytes, spec.width) if b is not None]
    return min(limits) if limits else None


def _cut(text: str, limit: int, encoding: str) -> str:
    data = text.encode(encoding)
    if len(data) <= limit:
        return text
    kept = ""
    for char in text:  # a name or memo: a few dozen characters at most
        if len((kept + char).encode(encoding)) > limit:
            break
        kept += char
    return kept


def _truncation_rows(batch: Batch, spec: LineField, before: pd.Series, after: pd.Series) -> pd.DataFrame:
    rows = batch.rows.loc[before.index]
    return pd.DataFrame(
        {
            "开户银行 bank_code": batch.bank_code,
            "批次号 batch_id": rows["batch_id"].astype("str"),
            "序号 line_no": rows["序号"].astype("int64"),
            "身份证号 id_number": rows["身份证号"].astype("str"),
            "字段 field": spec.value,
            "原文 written": before.astype("str"),
            "发送 sent": after.astype("str"),
        }
    )


def no_truncation() -> pd.DataFrame:
    columns = ["开户银行 bank_code", "批次号 batch_id", "序号 line_no", "身份证号 id_number", "字段 field",
               "原文 written", "发送 sent"]  # fmt: skip
    return pd.DataFrame({c: pd.Series([], dtype="int64" if c == "序号 line_no" else "str") for c in columns})


def _delimited_lines(layout: BankLayout, batch: Batch, values: pd.DataFrame) -> list[str]:
    """Comma-separated: the cells as SPEC §7's CSV writes them (quoted where needed, formula-like
    text defused). Another delimiter (a bank's '|'): cells joined as they are, and a cell holding
    the delimiter stops the run (the bank could not split the line)."""
    titles = [spec.title or spec.value for spec in layout.fields]
    frame = values.set_axis(titles, axis=1)
    if layout.delimiter == ",":
        numeric = {spec.title or spec.value for spec in layout.fields if spec.value in ("line_no", "amount")}
        lines = csv_text(frame, defuse=[t for t in titles if t not in numeric]).split("\r\n")[:-1]
        return lines if layout.header_row else lines[1:]
    holding = frame.apply(lambda column: column.str.contains(layout.delimiter, regex=False)).any(axis=1)
    if holding.any():
        raise _line_stop(
            batch,
            holding.idxmax(),
            f"a value holds the bank's delimiter {layout.delimiter!r}.",
            "correct the value on the roster (a name or account cannot hold it) and rerun.",
        )
    body = frame.iloc[:, 0].str.cat([frame.iloc[:, i] for i in range(1, len(titles))], sep=layout.delimiter)
    return ([layout.delimiter.join(titles)] if layout.header_row else []) + body.tolist()


def _line_stop(batch: Batch, row: object, problem: str, action: str) -> RunStopped:
    """A line that cannot be written as the bank's layout asks, named by bank, line and masked ID."""
    masked = mask(batch.rows.loc[[row], "身份证号"]).iloc[0]
    return RunStopped(
        f"{batch.bank_code} {batch.line_type} line {batch.rows.at[row, '序号']} ({masked}): {problem}",
        action=action,
    )


def _fixed_lines(layout: BankLayout, batch: Batch, values: pd.DataFrame) -> list[str]:
    """Each field padded to its width in bytes of the encoding; a value wider than its field
    (an account number, an amount) stops the run before any file is written."""
    cells = []
    for number, spec in enumerate(layout.fields):
        text = values[number]
        size = text.map(lambda t: len(t.encode(batch.encoding)))
        too_wide = size > spec.width
        if too_wide.any():
            first = too_wide.idxmax()
            raise _line_stop(
                batch,
                first,
                f"its {spec.value} needs {size[first]} bytes but the bank's layout gives it {spec.width}.",
                "check the value; if the bank's layout allows a wider field, widen it in config/banks/ and rerun.",
            )
        pad = (spec.width - size).map(lambda n, p=spec.pad: p * n)
        cells.append(pad + text if spec.align == "right" else text + pad)
    joined = cells[0].str.cat(cells[1:]) if len(cells) > 1 else cells[0]
    if layout.header_row:
        header = "".join(_pad_title(spec.title or spec.value, spec.width, batch.encoding) for spec in layout.fields)
        return [header, *joined.tolist()]
    return joined.tolist()


def _pad_title(title: str, width: int, encoding: str) -> str:
    cut = _cut(title, width, encoding)
    return cut + " " * (width - len(cut.encode(encoding)))


def _xlsx(layout: BankLayout, batch: Batch, values: pd.DataFrame) -> bytes:
    """A title row (the first header template), the titles, the lines (amounts as numbers with
    two decimals, everything else as text cells), and a totals row (the first trailer template)."""
    templates = batch.template_values()
    head = [line.format(**templates) for line in layout.header]
    if layout.header_row:
        head.append([spec.title or spec.value for spec in layout.fields])
    fen = batch.rows["amount_fen"].astype("int64").reset_index(drop=True)
    in_yuan = layout.amount_unit == "yuan"
    amounts = pa.array(yuan_column(fen) if in_yuan else fen.astype("str"), type=pa.string())
    columns = [
        (amounts, sheet_xml.YUAN if in_yuan else sheet_xml.FEN)
        if spec.value == "amount"
        else (sheet_xml.text_array(values.iloc[:, number]), None)
        for number, spec in enumerate(layout.fields)
    ]
    rows = "".join(
        sheet_xml.text_row(number, [line] if isinstance(line, str) else line)
        for number, line in enumerate(head, start=1)
    )
    rows += sheet_xml.body_rows(columns, first_row=len(head) + 1)
    after = len(head) + len(values)
    rows += "".join(
        sheet_xml.text_row(after + number, [line.format(**templates)])
        for number, line in enumerate(layout.trailer, start=1)
    )
    last_row = after + len(layout.trailer)
    sheet = sheet_xml.worksheet(rows, last_column=sheet_xml.column_letter(len(layout.fields) - 1), last_row=last_row)
    return sheet_xml.workbook_package(batch.batch_id[:31], sheet)


def pain001(layout: BankLayout, batches: list[Batch]) -> bytes:
    """One pain.001.001.03 message for a batch: GrpHdr with NbOfTxs and CtrlSum, one PmtInf per
    batch, EndToEndId = batch id + line number (at most 35 characters), CNY with 2 decimals, the
    payee's account in CdtrAcct/Id/Othr/Id. Times are the run month's (no clock: identical
    inputs give identical bytes)."""
    first = batches[0]
    total = sum(int(b.rows["amount_fen"].sum()) for b in batches)
    count = sum(len(b.rows) for b in batches)
    root = etree.Element(f"{{{PAIN_NS}}}Document", nsmap={None: PAIN_NS})
    initiation = _sub(root, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    _sub(header, "MsgId", first.batch_id)
    _sub(header, "CreDtTm", f"{first.month}-01T00:00:00")
    _sub(header, "NbOfTxs", str(count))
    _sub(header, "CtrlSum", yuan_text(total, grouped=False))
    _sub(_sub(header, "InitgPty"), "Nm", layout.debtor_name)
    for batch in batches:
        _payment_information(initiation, layout, batch)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _payment_information(parent, layout: BankLayout, batch: Batch) -> None:
    info = _sub(parent, "PmtInf")
    _sub(info, "PmtInfId", batch.batch_id)
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "NbOfTxs", str(len(batch.rows)))
    _sub(info, "CtrlSum", yuan_text(batch.rows["amount_fen"].sum(), grouped=False))
    _sub(info, "ReqdExctnDt", f"{batch.month}-{layout.execution_day:02d}")
    _sub(_sub(info, "Dbtr"), "Nm", layout.debtor_name)
    _sub(_sub(_sub(_sub(info, "DbtrAcct"), "Id"), "Othr"), "Id", layout.debtor_account)
    _sub(_sub(_sub(_sub(info, "DbtrAgt"), "FinInstnId"), "Othr"), "Id", batch.bank_code)
    rows = batch.rows
    # the texts column by column (batch_id reads a frame's cell: once per batch, not per line)
    end_to_ends = (batch.batch_id + "-" + rows["序号"].astype("str")).tolist()
    remittances = (rows["摘要"] + " " + rows["身份证号"]).tolist()
    amounts = yuan_column(rows["amount_fen"]).tolist()
    for end_to_end, amount_text, payee, account, remittance in zip(
        end_to_ends, amounts, rows["户名"].tolist(), rows["账号"].tolist(), remittances, strict=True
    ):
        if len(end_to_end) > END_TO_END_MAX:
            raise RunStopped(f"{batch.bank_code}: EndToEndId {end_to_end} is longer than 35 characters.")
        transfer = _sub(info, "CdtTrfTxInf")
        _sub(_sub(transfer, "PmtId"), "EndToEndId", end_to_end)
        amount = _sub(_sub(transfer, "Amt"), "InstdAmt", amount_text)
        amount.set("Ccy", "CNY")
        _sub(_sub(transfer, "Cdtr"), "Nm", payee)
        _sub(_sub(_sub(_sub(transfer, "CdtrAcct"), "Id"), "Othr"), "Id", account)
        _sub(_sub(transfer, "RmtInf"), "Ustrd", remittance)


def _sub(parent, tag: str, text: str | None = None):
    element = etree.SubElement(parent, f"{{{PAIN_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


# -- reading a released file back (the audit, the tests) -------------------------------------------


def read_lines(layout: BankLayout, data: bytes, encoding: str) -> pd.DataFrame:
    """The lines of a released file: line_no, payee_name, account_number, amount_fen (and
    id_number where the layout carries it), whatever the layout."""
    if layout.format == "pain001":
        return _pain001_lines(data)
    if layout.format == "xlsx":
        rows = _xlsx_rows(data, layout)
    else:
        text = data.decode(encoding)
        lines = text.split(layout.newline)[len(layout.header) : -1 - len(layout.trailer) or None]
        lines = lines[1:] if layout.header_row else lines
        rows = _split_fixed(lines, layout, encoding) if layout.format == "fixed" else _split_delimited(lines, layout)
    frame = pd.DataFrame(rows, columns=[spec.value for spec in layout.fields], dtype="str")
    amount = yuan_to_fen(frame["amount"]) if layout.amount_unit == "yuan" else frame["amount"]
    return pd.DataFrame(
        {
            "line_no": frame["line_no"].astype("int64"),
            "payee_name": frame["payee_name"],
            "account_number": frame["account_number"],
            "amount_fen": amount.astype("int64"),
            "id_number": frame["id_number"] if "id_number" in frame else "",
        }
    )


def _split_delimited(lines: list[str], layout: BankLayout) -> list[list[str]]:
    if layout.delimiter != ",":
        return [line.split(layout.delimiter) for line in lines]
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    return [[cell.removeprefix("'") for cell in row] for row in rows]  # a defused name reads as written


def _split_fixed(lines: list[str], layout: BankLayout, encoding: str) -> list[list[str]]:
    rows = []
    for line in lines:
        data, cells, start = line.encode(encoding), [], 0
        for spec in layout.fields:
            cell = data[start : start + spec.width].decode(encoding)
            cells.append(cell.lstrip(spec.pad) if spec.align == "right" else cell.rstrip(spec.pad))
            start += spec.width
        rows.append(cells)
    return rows


def _xlsx_rows(data: bytes, layout: BankLayout) -> list[list[str]]:
    # calamine (Rust) reads a 12k-line sheet in a tenth of openpyxl's time: every writing command
    # reads every closed month's bank files back
    values = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    body = values[len(layout.header) + (1 if layout.header_row else 0) : len(values) - len(layout.trailer)]
    rows = []
    for row in body:
        cells = []
        for spec, value in zip(layout.fields, row, strict=False):
            if spec.value == "amount":
                # a number cell: its shortest decimal text is the yuan the writer put there
                value = f"{Decimal(str(value)):.2f}" if layout.amount_unit == "yuan" else str(int(value))
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            cells.append("" if value is None else str(value))
        rows.append(cells)
    return rows


def _pain001_lines(data: bytes) -> pd.DataFrame:
    root = etree.fromstring(data)
    ns = {"p": PAIN_NS}
    rows = []
    for transfer in root.iterfind(".//p:CdtTrfTxInf", ns):
        end_to_end = transfer.findtext("p:PmtId/p:EndToEndId", namespaces=ns)
        amount = transfer.findtext("p:Amt/p:InstdAmt", namespaces=ns)
        rows.append(
            {
                "line_no": int(end_to_end.rsplit("-", 1)[1]),
                "payee_name": transfer.findtext("p:Cdtr/p:Nm", namespaces=ns),
                "account_number": transfer.findtext("p:CdtrAcct/p:Id/p:Othr/p:Id", namespaces=ns),
                "amount": amount,
                "id_number": transfer.findtext("p:RmtInf/p:Ustrd", namespaces=ns).rsplit(" ", 1)[-1],
            }
        )
    frame = pd.DataFrame(rows, columns=["line_no", "payee_name", "account_number", "amount", "id_number"])
    return frame.assign(amount=yuan_to_fen(frame["amount"].astype("str"))).rename(columns={"amount": "amount_fen"})
