"""The month's input files, read into one raw table per input kind (the only file reading of a
run). Rows keep their source file (relative to the inbox) and row number."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.core.codes import MONTHLY_INPUT_KINDS, OPENING_INPUT_KINDS
from pipeline.core.errors import RunStopped
from pipeline.ingest.bank_formats import ReturnReader, read_return_file
from pipeline.ingest.columns import COLUMNS, DEFAULT_HEADERS, SOURCE_FILE, SOURCE_ROW, HeaderRules
from pipeline.ingest.read import read_file, read_input
from pipeline.paths import Inbox


@dataclass(frozen=True)
class RawInputs:
    rosters: pd.DataFrame
    deaths: pd.DataFrame
    bank_returns: pd.DataFrame
    files: list[Path]  # every file read, for the manifest
    rows_read: pd.DataFrame  # kind, source_file, rows
    hashes: dict[str, str]  # source_file -> sha256 of the bytes that were read and parsed
    # the township's ID corrections (old ID -> new ID) received this month (0 or more files)
    id_corrections: pd.DataFrame = field(default_factory=lambda: concat_or_empty([], "id_corrections"))
    # the personal accounts' opening balances (SPEC §5a): read by the opening month only
    opening_balances: pd.DataFrame = field(default_factory=lambda: concat_or_empty([], "opening_balances"))
    # every year's contributions file read for the personal accounts: year -> its rows as read
    # (their rejects are the year's indicators' to report, so they are not in rows_read)
    contributions: dict[int, pd.DataFrame] = field(default_factory=dict)


def read_month(
    inbox: Inbox,
    month: str,
    *,
    headers: HeaderRules = DEFAULT_HEADERS,
    returns: tuple[ReturnReader, ...] = (),
    opening: bool = False,
    contribution_years: tuple[int, ...] = (),
) -> RawInputs:
    """returns: the banks whose result files have their own layout (the others are read as SPEC
    §3's bank-return CSV/XLSX); opening: the month is the opening month, which reads the accounts'
    opening balances too; contribution_years: the years whose contributions file (if any) the
    personal accounts read."""
    if not _is_folder(inbox.month_dir(month)):
        raise RunStopped(
            f"there is no inbox folder for {month}.",
            file=str(inbox.month_dir(month)),
            action=f"put the month's files under {inbox.month_dir(month)}/rosters (and deaths/, bank_returns/).",
        )
    tables, files, counts, hashes = {}, [], [], {}
    for kind in MONTHLY_INPUT_KINDS + (OPENING_INPUT_KINDS if opening else ()):
        paths = inbox.opening_balances() if kind in OPENING_INPUT_KINDS else _listed(inbox, month, kind)
        labels = [str(p.relative_to(inbox.root)) for p in paths]
        reads = [_read(p, kind, label, headers, returns) for p, label in zip(paths, labels, strict=True)]
        frames = [frame for frame, _ in reads]
        tables[kind] = concat_or_empty(frames, kind)
        files += paths
        hashes |= {label: sha256 for label, (_, sha256) in zip(labels, reads, strict=True)}
        # counted per file read, so that a file with a header and no rows is counted as 0 rows
        counts += [(kind, label, len(f)) for label, f in zip(labels, frames, strict=True)]
    contributions = {}
    for year in contribution_years:
        paths = inbox.contributions(year)
        labels = [str(p.relative_to(inbox.root)) for p in paths]
        reads = [
            read_file(p, "contributions", label=label, headers=headers) for p, label in zip(paths, labels, strict=True)
        ]
        if reads:
            contributions[year] = concat_or_empty([frame for frame, _ in reads], "contributions")
        files += paths
        hashes |= {label: sha256 for label, (_, sha256) in zip(labels, reads, strict=True)}
    rows_read = pd.DataFrame(counts, columns=["kind", SOURCE_FILE, "rows"]).astype(
        {"kind": "str", SOURCE_FILE: "str", "rows": "int64"}
    )
    return RawInputs(**tables, files=files, rows_read=rows_read, hashes=hashes, contributions=contributions)


def _read(
    path: Path, kind: str, label: str, headers: HeaderRules, returns: tuple[ReturnReader, ...]
) -> tuple[pd.DataFrame, str]:
    reader = next((r for r in returns if r.reads(path)), None) if kind == "bank_returns" else None
    if reader is not None:
        return read_return_file(path, reader, label=label)
    return read_file(path, kind, label=label, headers=headers)


def _is_folder(folder: Path) -> bool:
    try:
        return folder.is_dir()
    except OSError as err:
        raise _unopened_folder(folder, err) from None


def _listed(inbox: Inbox, month: str, kind: str) -> list[Path]:
    """The month's files of one kind; a folder the pipeline may not list stops the run (an
    unlisted folder would read as 'no files')."""
    try:
        return inbox.files(month, kind)
    except OSError as err:
        raise _unopened_folder(inbox.month_dir(month) / kind, err) from None


def _unopened_folder(folder: Path, err: OSError) -> RunStopped:
    return RunStopped(
        f"the folder cannot be opened by the pipeline's user ({err.strerror or err}).",
        file=str(folder),
        action="fix the folder's permissions (the pipeline's user must be able to list and read it) and rerun.",
    )


def read_files(paths: list[Path], kind: str, root: Path, *, headers: HeaderRules = DEFAULT_HEADERS) -> pd.DataFrame:
    frames = [read_input(p, kind, label=str(p.relative_to(root)), headers=headers) for p in paths]
    return concat_or_empty(frames, kind)


def concat_or_empty(frames: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    columns = {c.name: pd.Series([], dtype="str") for c in COLUMNS[kind]}
    return pd.DataFrame({**columns, SOURCE_FILE: pd.Series([], dtype="str"), SOURCE_ROW: pd.Series([], dtype="int64")})
