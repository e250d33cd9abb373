"""Payment files for the banks: bank/<BANK>_<YYYY-MM>_<pension|funeral>.<ext>, one line per payee
(per deceased for funeral grants), in the bank's layout and encoding, each with a control file
(batch id, line count, total, SHA-256)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.bank_layouts import BankLayout, default_layout
from pipeline.core.errors import RunStopped
from pipeline.core.frames import lookup, map_values
from pipeline.core.idcard import mask
from pipeline.core.money import yuan_column, yuan_text
from pipeline.durable import atomic_write_bytes
from pipeline.emit.bank_formats import Batch, file_name, no_truncation, read_lines, render
from pipeline.emit.files import write_json
from pipeline.policy import Policy

DEFAULT_LAYOUT = default_layout()
MEMO = {"pension": "居保养老金 {month}", "funeral": "居保丧葬补助费 {month}"}


def bank_file_rows(lines: pd.DataFrame, people: pd.DataFrame, deaths: pd.DataFrame, month: str) -> pd.DataFrame:
    """lines: BankLine; the payee's name is the account name (pension) or the next of kin (grant)."""
    ids = lines["id_number"]
    account_name = lookup(ids, people["id_number"], people["account_name"])
    payee_name = account_name.where(
        lines["line_type"] == "pension", lookup(ids, deaths["id_number"], deaths["payee_name"])
    )
    return pd.DataFrame(
        {
            "batch_id": lines["batch_id"],
            "line_type": lines["line_type"],
            "bank_code": lines["bank_code"],
            "序号": lines["line_no"].astype("int64"),
            "户名": payee_name.fillna("").astype("str"),
            "账号": lines["account_number"],
            "金额": yuan_column(lines["amount_fen"]),
            "身份证号": lines["id_number"],
            "摘要": map_values(lines["line_type"], {kind: memo.format(month=month) for kind, memo in MEMO.items()}),
            "amount_fen": lines["amount_fen"].astype("int64"),
        }
    )


def check_bank_lines(rows: pd.DataFrame, month: str, policy: Policy) -> None:
    """Stop before anything is written when a line could not be paid as computed: an amount
    above the plausibility limit (a typo upstream, never sent), or a payee name the bank's
    encoding cannot hold (the bank would receive '?' in 户名 and refuse or misdirect the line)."""
    limit = int(policy.limits_in(month)["max_bank_line_fen"])
    too_large = rows[rows["amount_fen"] > limit]
    if not too_large.empty:
        raise RunStopped(
            f"{len(too_large)} bank line(s) exceed the plausibility limit of {yuan_text(limit, grouped=False)} "
            f"yuan per line: {_lines(too_large, with_amount=True)}.",
            action="check the roster rows and policy rates behind these lines; if the amounts are right, "
            "raise max_bank_line_fen in [[limits]] of the policy file and rerun.",
        )
    encodings = {bank: file_encoding(policy, bank) for bank in rows["bank_code"].unique()}
    unencodable = [
        row
        for encoding, batch in rows.groupby(rows["bank_code"].map(encodings))
        for row in _unencodable(batch, encoding)
    ]
    if unencodable:
        lines = pd.DataFrame(unencodable)
        raise RunStopped(
            f"{len(lines)} payee name(s) cannot be written in their bank's encoding: "
            f"{_lines(lines, with_amount=False)}.",
            action="ask the township for the name as the bank account holds it (a common character), "
            "or set the bank's encoding to gb18030 in the policy file if its system reads it, and rerun.",
        )


def _unencodable(batch: pd.DataFrame, encoding: str) -> list[dict]:
    names = batch["户名"].drop_duplicates()
    if _encodes("\n".join(names), encoding):  # the usual batch: one encode, no loop over names
        return []
    bad = {name for name in names if not _encodes(name, encoding)}
    return batch[batch["户名"].isin(bad)].assign(encoding=encoding).to_dict("records")


def _encodes(text: str, encoding: str) -> bool:
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _lines(rows: pd.DataFrame, *, with_amount: bool) -> str:
    shown = rows.head(10)
    ids = mask(shown["身份证号"])
    parts = [
        f"{r.bank_code} {r.line_type} line {r.序号} ({masked})"
        + (f" {yuan_text(r.amount_fen, grouped=False)} yuan" if with_amount else f" 户名 {r.户名!r} in {r.encoding}")
        for r, masked in zip(shown.itertuples(index=False), ids, strict=True)
    ]
    return "; ".join(parts) + (f"; and {len(rows) - 10} more" if len(rows) > 10 else "")


@dataclass(frozen=True)
class BankFile:
    """One batch rendered in its bank's layout, ready to be written."""

    name: str  # under bank/
    data: bytes
    control: dict  # batch id, line count, total, the file's SHA-256 (and the layout when not SPEC §7's CSV)
    truncated: pd.DataFrame


def file_encoding(policy: Policy, bank: str) -> str:
    """The encoding of a bank's files: its own, except ISO 20022 XML, which is UTF-8."""
    return "utf-8" if policy.bank_layouts[bank].format == "pain001" else policy.bank_encoding(bank)


def render_bank_files(rows: pd.DataFrame, month: str, policy: Policy) -> list[BankFile]:
    """Every batch of the month in its bank's layout, in memory: a value that does not fit its
    field stops the run here, before anything is written."""
    files = []
    for (bank, line_type), lines in rows.groupby(["bank_code", "line_type"], sort=True):
        layout = policy.bank_layouts[bank]
        encoding = file_encoding(policy, bank)
        batch = Batch(bank, policy.bank_name(bank), line_type, month, encoding, lines.sort_values("序号"))
        rendered = render(layout, batch)
        name = file_name(layout, batch)
        control = {
            "batch_id": batch.batch_id,
            "bank_code": bank,
            "line_type": line_type,
            "file": name,
            "encoding": encoding,
            "line_count": len(lines),
            "total_fen": int(lines["amount_fen"].sum()),
            "total_yuan": yuan_text(lines["amount_fen"].sum(), grouped=False),
            "sha256": hashlib.sha256(rendered.data).hexdigest(),
        }
        if layout != DEFAULT_LAYOUT:  # the audit reads a released file back by the layout it was written in
            control["layout"] = layout.model_dump(mode="json")
        files.append(BankFile(name, rendered.data, control, rendered.truncated))
    return files


def write_bank_files(files: list[BankFile], folder: Path) -> list[dict]:
    """Write each batch and its control file; return the controls (for summary and manifest)."""
    for bank_file in files:
        path = folder / "bank" / bank_file.name
        atomic_write_bytes(path, bank_file.data)
        write_json(bank_file.control, path.with_name(path.stem + ".control.json"))
    return [f.control for f in files]


def truncated_payees(files: list[BankFile]) -> pd.DataFrame:
    """The lines whose payee name or memo was cut to the bank's byte limit, for the office."""
    return pd.concat([f.truncated for f in files], ignore_index=True) if files else no_truncation()


def layout_of(control: dict) -> BankLayout:
    """The layout a released file was written in (recorded in its control file)."""
    return BankLayout.model_validate(control["layout"], strict=False) if "layout" in control else DEFAULT_LAYOUT


def read_bank_file(path: Path, control: dict) -> pd.DataFrame:
    """A written bank file's lines (line_no, payee_name, account_number, amount_fen, id_number),
    read back in the layout and encoding its control file records."""
    return read_lines(layout_of(control), path.read_bytes(), control["encoding"])
