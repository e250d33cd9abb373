"""A bank's result file (回盘) read in that bank's own layout (`[returns]` of its layout file) into
the bank-return table every return file becomes (batch, line, account, amount in yuan text,
成功/失败, reason; every cell text): validation, reversals, holds and re-issues then work as for
SPEC §7's CSV. A status code the layout does not know is kept as written, so that validation
rejects the line (RESULT_INVALID) instead of guessing."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pandas as pd
from lxml import etree

from pipeline.bank_layouts import ReturnLayout
from pipeline.core.errors import RunStopped
from pipeline.core.money import YUAN_RE, yuan_text
from pipeline.ingest.columns import BANK_RETURN, SOURCE_FILE, SOURCE_ROW
from pipeline.ingest.read import file_bytes
from pipeline.policy import Policy

RESULT_TEXT = {"success": "成功", "failed": "失败"}
PAIN002_NS = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
PAIN002_PAID = ("ACSC", "ACCP", "ACSP", "ACWC")  # settled or accepted for settlement
PAIN002_FAILED = ("RJCT",)


@dataclass(frozen=True)
class ReturnReader:
    """A bank whose result files have a layout of their own: files named `layout.file_prefix…`."""

    bank_code: str
    layout: ReturnLayout
    encoding: str

    def reads(self, path: Path) -> bool:
        return path.name.startswith(self.layout.file_prefix)


def read_return_file(path: Path, reader: ReturnReader, *, label: str) -> tuple[pd.DataFrame, str]:
    """The file as bank-return rows (source_row: the line of the file, or the n-th transaction of
    a pain.002), and the sha256 of the bytes read."""
    data = file_bytes(path, label)
    try:
        rows = _pain002_rows(data) if reader.layout.format == "pain002" else _text_rows(data, reader)
    except (UnicodeDecodeError, etree.XMLSyntaxError, ValueError) as err:
        raise RunStopped(
            f"the file cannot be read as {reader.bank_code}'s result file ({type(err).__name__}: {err}).",
            file=label,
            action=f"check that it is {reader.bank_code}'s 回盘 as the bank sent it (its layout is in config/banks/), "
            "or move it out of the inbox.",
        ) from None
    columns = [c.name for c in BANK_RETURN]
    table = pd.DataFrame([r for _, r in rows], columns=columns, dtype="str").fillna("")
    table[SOURCE_FILE] = label
    table[SOURCE_ROW] = pd.Series([n for n, _ in rows], dtype="int64")
    return table, hashlib.sha256(data).hexdigest()


def _text_rows(data: bytes, reader: ReturnReader) -> list[tuple[int, dict]]:
    layout = reader.layout
    lines = data.decode(reader.encoding).splitlines()
    last = len(lines) - layout.skip_trailer_lines
    rows = []
    for number in range(layout.skip_lines, last):
        line = lines[number]
        if not line.strip():
            continue
        cells = (
            _fixed_cells(line, layout, reader.encoding) if layout.format == "fixed" else line.split(layout.delimiter)
        )
        values = {f.value: cell.strip() for f, cell in zip(layout.fields, cells, strict=False)}
        rows.append((number + 1, _canonical(values, layout)))
    return rows


def _fixed_cells(line: str, layout: ReturnLayout, encoding: str) -> list[str]:
    data, cells, start = line.encode(encoding), [], 0
    for field in layout.fields:
        cells.append(data[start : start + field.width].decode(encoding, errors="replace"))
        start += field.width
    return cells


def _canonical(values: dict[str, str], layout: ReturnLayout) -> dict[str, str]:
    code = values.get("result", "")
    result = layout.result_codes.get(code)
    return {
        "batch_id": values.get("batch_id", ""),
        "line_no": values.get("line_no", "").lstrip("0") or values.get("line_no", ""),
        "account_number": values.get("account_number", ""),
        "amount": _yuan_text(values.get("amount", ""), layout.amount_unit),
        "result": RESULT_TEXT[result] if result else code,
        "reason": values.get("reason", ""),
    }


def _yuan_text(amount: str, unit: str) -> str:
    """Whole fen '000000042861' -> '428.61'; anything else is left as written (then rejected)."""
    if unit == "fen" and amount.isascii() and amount.isdigit():
        return yuan_text(int(amount), grouped=False)
    return amount


def _pain002_rows(data: bytes) -> list[tuple[int, dict]]:
    root = etree.fromstring(data)
    ns = {"p": PAIN002_NS}
    if root.find("p:CstmrPmtStsRpt", ns) is None:
        raise ValueError("not a pain.002.001.03 CstmrPmtStsRpt document")
    rows = []
    for number, status in enumerate(root.iterfind(".//p:TxInfAndSts", ns), start=1):
        end_to_end = status.findtext("p:OrgnlEndToEndId", default="", namespaces=ns)
        batch, _, line = end_to_end.rpartition("-")
        code = status.findtext("p:TxSts", default="", namespaces=ns)
        result = "成功" if code in PAIN002_PAID else "失败" if code in PAIN002_FAILED else code
        amount = status.findtext("p:OrgnlTxRef/p:Amt/p:InstdAmt", default="", namespaces=ns)
        rows.append(
            (
                number,
                {
                    "batch_id": batch,
                    "line_no": line,
                    "account_number": status.findtext(
                        "p:OrgnlTxRef/p:CdtrAcct/p:Id/p:Othr/p:Id", default="", namespaces=ns
                    ),
                    "amount": _two_decimals(amount),
                    "result": result,
                    "reason": status.findtext("p:StsRsnInf/p:Rsn/p:Cd", default="", namespaces=ns),
                },
            )
        )
    return rows


def _two_decimals(amount: str) -> str:
    """xs:decimal '428.6' -> '428.60'; anything else is left as written (then rejected)."""
    return f"{Decimal(amount):.2f}" if re.fullmatch(YUAN_RE, amount) else amount


def return_readers(policy: Policy) -> tuple[ReturnReader, ...]:
    """The banks whose result files have a layout of their own."""
    return tuple(
        ReturnReader(code, layout.returns, policy.return_encoding(code))
        for code, layout in policy.bank_layouts.items()
        if layout.returns is not None
    )
