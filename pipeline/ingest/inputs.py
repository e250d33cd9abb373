"""The month's input files, read into one raw table per input kind (the only file reading of a
run). Rows keep their source file (relative to the inbox) and row number."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline.errors import RunStopped
from pipeline.ingest.columns import COLUMNS, SOURCE_FILE, SOURCE_ROW
from pipeline.ingest.read import read_input
from pipeline.paths import INPUT_KINDS, Inbox


@dataclass(frozen=True)
class RawInputs:
    rosters: pd.DataFrame
    deaths: pd.DataFrame
    bank_returns: pd.DataFrame
    files: list[Path]  # every file read, for the manifest
    rows_read: pd.DataFrame  # kind, source_file, rows
    sha256: dict[Path, str] = field(default_factory=dict)  # of the bytes parsed, per file


def read_month(inbox: Inbox, month: str) -> RawInputs:
    if not inbox.month_dir(month).is_dir():
        raise RunStopped(
            f"there is no inbox folder for {month}.",
            file=str(inbox.month_dir(month)),
            action=f"put the month's files under {inbox.month_dir(month)}/rosters (and deaths/, bank_returns/).",
        )
    tables, files, counts, digests = {}, [], [], {}
    for kind in INPUT_KINDS:
        paths = inbox.files(month, kind)
        frames = []
        for p in paths:
            data = p.read_bytes()  # read once: the manifest hashes the very bytes parsed
            digests[p] = hashlib.sha256(data).hexdigest()
            frames.append(read_input(p, kind, label=str(p.relative_to(inbox.root)), data=data))
        tables[kind] = concat_or_empty(frames, kind)
        files += paths
        # counted per file read, so that a file with a header and no rows is counted as 0 rows
        labels = [str(p.relative_to(inbox.root)) for p in paths]
        counts += [(kind, label, len(f)) for label, f in zip(labels, frames, strict=True)]
    rows_read = pd.DataFrame(counts, columns=["kind", SOURCE_FILE, "rows"]).astype(
        {"kind": "str", SOURCE_FILE: "str", "rows": "int64"}
    )
    return RawInputs(**tables, files=files, rows_read=rows_read, sha256=digests)


def read_files(paths: list[Path], kind: str, root: Path) -> pd.DataFrame:
    return concat_or_empty([read_input(p, kind, label=str(p.relative_to(root))) for p in paths], kind)


def concat_or_empty(frames: list[pd.DataFrame], kind: str) -> pd.DataFrame:
    if frames:
        return pd.concat(frames, ignore_index=True)
    columns = {c.name: pd.Series([], dtype="str") for c in COLUMNS[kind]}
    return pd.DataFrame({**columns, SOURCE_FILE: pd.Series([], dtype="str"), SOURCE_ROW: pd.Series([], dtype="int64")})
