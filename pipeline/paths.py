"""Every path the pipeline reads or writes is decided here."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_INBOX = REPO / "data" / "sample" / "inbox"
DEFAULT_OUT = REPO / "out"
DEFAULT_POLICY = REPO / "config" / "policy.toml"
OPERATIONS = REPO / "config" / "operations.toml"  # how runs use the machine (memory, spill folder)

MONTH_GLOB = "[0-9][0-9][0-9][0-9]-[0-9][0-9]"  # a month folder's name (YYYY-MM) as a DuckDB glob
READABLE_SUFFIXES = (".csv", ".xlsx", ".xls")


@dataclass(frozen=True)
class Inbox:
    root: Path

    def month_dir(self, month: str) -> Path:
        return self.root / month

    def files(self, month: str, kind: str) -> list[Path]:
        """The month's input files of one kind, in name order (order fixes row numbering)."""
        folder = self.month_dir(month) / kind
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$")))

    def contributions(self, year: int) -> list[Path]:
        folder = self.root / "contributions"
        return sorted(p for p in folder.glob(f"{year}.*") if p.suffix.lower() in READABLE_SUFFIXES)

    def opening_balances(self) -> list[Path]:
        """The personal accounts' opening balances (SPEC §5a), read by the opening month's run."""
        folder = self.root / "accounts"
        return sorted(p for p in folder.glob("opening.*") if p.suffix.lower() in READABLE_SUFFIXES)


@dataclass(frozen=True)
class OutDir:
    root: Path

    def month(self, month: str) -> Path:
        return self.root / month

    def month_folders(self) -> list[Path]:
        return sorted(p for p in self.root.glob(MONTH_GLOB) if p.is_dir())

    def staging(self, month: str) -> Path:
        return self.root / f".staging-{month}"

    def ledger(self) -> Path:
        return self.root / "ledger"

    def ledger_partition(self, month: str) -> Path:
        return self.ledger() / f"run_month={month}"

    def state(self, month: str) -> Path:
        """Accepted tables of a month, read back by later months (history of rosters and deaths)."""
        return self.month(month) / "state"

    def lock(self) -> Path:
        return self.root / ".lock"

    def hash_cache(self) -> Path:
        """The closed files' hashes a writing command confirmed, with each file's status then."""
        return self.root / ".closed-hashes.json"
