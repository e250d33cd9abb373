"""Tamper evidence: every closed month is still exactly what was released.

A closed month's record (its status.json) holds the hash of each of its files and ledger
partition files and of the previous month's record; chain.json at the output root lists every
closed month with the hash of its record. Here each record is re-hashed against the chain, each
file against the record (missing, changed and added files), and, for `payout audit`, each
released bank file is read back in its layout and encoding (pipeline/audit/readback.py). A writing
command checks the hashes only, at a cost of the closed files' bytes: `close` read each month's bank
files back before it recorded their hashes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa

from pipeline import durable, lifecycle
from pipeline.audit.hash_cache import HashCache
from pipeline.audit.readback import Finding, bank_findings
from pipeline.core.errors import RunStopped
from pipeline.core.months import add_months
from pipeline.paths import OutDir


def closed_month_findings(out: OutDir, *, read_back: bool = True, remember: bool = False) -> list[Finding]:
    """Everything about the closed months that differs from what was released ([] when sound).
    read_back=False checks the records and every file's hash only, without reading each released
    bank file back in its layout: what a writing command checks before it begins (close read the
    month's bank files back before releasing it; `payout audit` reads them all back again), and
    trusts a file hashed before whose status is unchanged (pipeline/audit/hash_cache.py).
    remember: keep the status of the files hashed now, for the next check (the run's self-audit
    does, after its draft is written: a command that stops writes nothing)."""
    cache = None if read_back else HashCache.load(out)
    try:
        chain = lifecycle.chain_of(out)
    except RunStopped as stop:
        return [Finding(stop.file or str(out.root / lifecycle.CHAIN), stop.problem)]
    findings, previous = [], None
    if chain["pending"]:
        month = chain["pending"].get("month")
        findings.append(Finding(str(out.root / lifecycle.CHAIN), f"the close of {month} was interrupted."))
    for entry in chain["months"]:
        findings += checked(out, entry, previous, read_back, cache)
        previous = entry
    chained = {entry.get("month") for entry in chain["months"]}
    for folder in lifecycle.month_folders(out):
        if folder.name not in chained and is_chained_record(folder / lifecycle.STATUS):
            findings.append(
                Finding(
                    str(folder / lifecycle.STATUS),
                    f"says {folder.name} is closed, but {lifecycle.CHAIN} has no such close.",
                )
            )
    if cache is not None and remember:
        cache.save()
    return findings


def checked(
    out: OutDir, entry: dict, previous: dict | None, read_back: bool = True, cache: HashCache | None = None
) -> list[Finding]:
    """A month's findings; a record or file that cannot even be read is one (never a traceback)."""
    try:
        return month_findings(out, entry, previous, read_back, cache)
    except (OSError, ValueError, KeyError, TypeError, AttributeError, pa.ArrowException) as err:
        where = out.month(str(entry.get("month", "?")) if isinstance(entry, dict) else "?")
        return [Finding(str(where), f"the closed month could not be checked ({type(err).__name__}: {err}).")]


def is_chained_record(path: Path) -> bool:
    """A close record of this pipeline (with its files' hashes), which chain.json must list. A
    record of the earlier format (manifest and ledger hashes only, before the chain existed) is
    checked by the audit views' `closed_month_hashes` instead."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return record.get("status") == "closed" and "files" in record
    except (OSError, ValueError, AttributeError):
        return False


def month_findings(
    out: OutDir, entry: dict, previous: dict | None, read_back: bool = True, cache: HashCache | None = None
) -> list[Finding]:
    month = entry.get("month", "?")
    status = out.month(month) / lifecycle.STATUS
    if previous is not None and month != add_months(previous["month"], 1):
        return [
            Finding(str(out.root / lifecycle.CHAIN), f"the closed months jump from {previous['month']} to {month}.")
        ]
    if not status.is_file():
        return [
            Finding(
                str(status),
                f"{month} was closed but its record is missing: the month would look open and be paid again.",
            )
        ]
    if durable.sha256_bytes(status.read_bytes()) != entry.get("record_sha256"):
        return [Finding(str(status), f"the release record of {month} was changed after the close.")]
    record = json.loads(status.read_text(encoding="utf-8"))
    findings = []
    if record.get("previous") != previous:
        findings.append(Finding(str(status), f"the link of {month} to the month closed before it is broken."))
    findings += list(file_findings(out.month(month), record.get("files", {}), skip=lifecycle.RECORDS, cache=cache))
    findings += list(file_findings(out.ledger_partition(month), record.get("ledger", {}), cache=cache))
    if not findings and read_back:
        findings += bank_findings(out, month)
    return findings


def file_findings(
    folder: Path, recorded: dict[str, str], skip: tuple[str, ...] = (), cache: HashCache | None = None
) -> Iterator[Finding]:
    """Missing, changed and added files of a folder against the hashes recorded at the close
    (cache: trust a file whose status is as when it was last found so)."""
    present = set(lifecycle.relative_files(folder))
    for name, sha256 in sorted(recorded.items()):
        path = os.path.join(folder, name)
        if name not in present or not os.path.isfile(path):  # a listed name may be a broken link
            yield Finding(path, "this released file is missing.")
        elif not (cache.holds(path, sha256) if cache else durable.sha256_bytes(Path(path).read_bytes()) == sha256):
            yield Finding(path, "this released file was changed after the close.")
    for name in sorted(present - recorded.keys()):
        if os.path.basename(name) not in skip:
            yield Finding(os.path.join(folder, name), "this file was added to a closed month after the close.")


def leftover_findings(out: OutDir) -> list[Finding]:
    """Folders and files a crashed command left (read-only: recovery is for writing commands)."""
    if not out.root.is_dir():
        return []
    left = [*out.root.glob(".staging-*"), *out.root.glob(".retired-*"), *out.ledger().glob(".retired-*")]
    closed = set(lifecycle.chained_months_safe(out))
    left += [
        p
        for p in out.ledger().glob("run_month=*")
        if p.name.removeprefix("run_month=") not in closed and not out.month(p.name.removeprefix("run_month=")).exists()
    ]
    left += [p for p in lifecycle.month_folders(out) if not out.ledger_partition(p.name).is_dir()]
    left += lifecycle.temporary_files(out)
    return [
        Finding(str(p), "left by an interrupted command: the next `payout run` or `payout close` recovers it.")
        for p in sorted(left)
    ]


def stop_if_tampered(out: OutDir) -> None:
    """Stop a writing command before it writes, naming the first closed-month file that is not
    as released: the next run must never build on a changed history."""
    findings = closed_month_findings(out, read_back=False)
    if findings:
        first = findings[0]
        more = (
            f" ({len(findings) - 1} more problem(s): see `payout audit --out {out.root}`)" if len(findings) > 1 else ""
        )
        raise RunStopped(
            f"a closed month is not as it was released: {first.problem}{more}",
            file=first.file,
            action="do not release anything; restore the output folder from its backup and check it with "
            "`payout audit` (docs/operations.md, 'audit failure').",
        )
