"""A month's bank files read back as the bank reads them: each file in the layout and encoding its
control file records, its lines and total against the control file and the ledger partition.
`close` reads a draft back before releasing it; `payout audit` reads every closed month back (a
hash proves a file unchanged since the close, not that the close released a file that agrees with
the ledger)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.core.money import yuan_text
from pipeline.emit.bank_files import read_bank_file as read_lines_of
from pipeline.paths import OutDir


@dataclass(frozen=True)
class Finding:
    file: str
    problem: str

    def as_dict(self) -> dict:
        return {"file": self.file, "problem": self.problem}


def bank_findings(out: OutDir, month: str) -> list[Finding]:
    """Each bank file of the month read back in its layout, as the bank reads it: its lines and
    total against its control file and the ledger ([] when they all agree)."""
    batches = ledger_batches(out.ledger_partition(month))
    findings = []
    for control_path in sorted((out.month(month) / "bank").glob("*.control.json")):
        control = json.loads(control_path.read_text(encoding="utf-8"))
        bank_file = control_path.parent / control["file"]
        lines, total_fen, problem = read_bank_file(bank_file, control)
        if problem:
            findings.append(Finding(str(bank_file), problem))
        elif (lines, total_fen) != (control["line_count"], control["total_fen"]):
            findings.append(Finding(str(bank_file), disagree(lines, total_fen, "its control file", control)))
        elif (lines, total_fen) != batches.get(control["batch_id"], (0, 0)):
            ledger_lines, ledger_fen = batches.get(control["batch_id"], (0, 0))
            findings.append(
                Finding(
                    str(bank_file),
                    disagree(lines, total_fen, "the ledger", {"line_count": ledger_lines, "total_fen": ledger_fen}),
                )
            )
    return findings


def disagree(lines: int, total_fen: int, other: str, control: dict) -> str:
    return (
        f"it holds {lines} lines totalling {yuan_text(total_fen)} yuan, but {other} says "
        f"{control['line_count']} lines totalling {yuan_text(control['total_fen'])} yuan."
    )


def read_bank_file(path: Path, control: dict) -> tuple[int, int, str]:
    """(lines, total in fen, problem): the file read back in the layout and encoding its control
    file records, as the bank's system parses it."""
    try:
        lines = read_lines_of(path, control)
    except Exception as err:  # any layout's parser: a file that does not parse is the finding
        return 0, 0, f"the bank file cannot be read in its layout ({type(err).__name__}: {err})."
    return len(lines), int(lines["amount_fen"].sum()), ""


def ledger_batches(partition: Path) -> dict[str, tuple[int, int]]:
    """batch id -> (distinct lines, total fen) of a ledger partition."""
    files = sorted(partition.glob("*.parquet"))
    if not files:
        return {}
    table = pa.concat_tables(pq.read_table(f, columns=["batch_id", "line_no", "amount_fen"]) for f in files)
    table = table.filter(pc.is_valid(table["batch_id"]))
    grouped = table.group_by("batch_id").aggregate([("line_no", "count_distinct"), ("amount_fen", "sum")])
    return {
        batch: (int(lines), int(total))
        for batch, lines, total in zip(
            grouped["batch_id"].to_pylist(),
            grouped["line_no_count_distinct"].to_pylist(),
            grouped["amount_fen_sum"].to_pylist(),
            strict=True,
        )
    }
