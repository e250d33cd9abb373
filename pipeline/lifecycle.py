"""The month's life: months run in sequence from the opening month; a run writes a draft; close
releases it to the bank and freezes it; a closed month never changes again."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from pathlib import Path

from pipeline.emit.files import sha256_of, write_json
from pipeline.errors import RunStopped
from pipeline.months import add_months, month_range
from pipeline.paths import OutDir

STATUS = "status.json"  # outside the manifest: {"month", "status": draft|closed, hashes when closed}


def status_of(out: OutDir, month: str) -> dict:
    path = out.month(month) / STATUS
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def is_closed(out: OutDir, month: str) -> bool:
    return status_of(out, month).get("status") == "closed"


def draft_status(month: str) -> dict:
    return {"month": month, "status": "draft", "manifest_sha256": None, "ledger": {}}


def is_drafted(out: OutDir, month: str) -> bool:
    return (out.month(month) / "manifest.json").is_file()


def months_to_catch_up(out: OutDir, opening_month: str, month: str) -> list[str]:
    """Earlier months that are missing or still open, in order."""
    return [m for m in month_range(opening_month, add_months(month, -1)) if not is_closed(out, m)]


def check_can_run(out: OutDir, opening_month: str, month: str) -> None:
    if month < opening_month:
        raise RunStopped(
            f"{month} is before the opening month {opening_month}; those months were settled by the previous system.",
            action="run a month from the opening month on (see run.opening_month in the policy file).",
        )
    if is_closed(out, month):
        raise RunStopped(
            f"{month} is closed: its bank files were released, so it can never be recomputed.",
            file=str(out.month(month)),
            action=f"put corrections in the inbox of {add_months(month, 1)}; they flow in as arrears or recoveries.",
        )
    pending = months_to_catch_up(out, opening_month, month)
    if pending:
        raise RunStopped(
            f"{pending[0]} is {'open' if is_drafted(out, pending[0]) else 'not run'}; months are paid in sequence.",
            file=str(out.month(pending[0])),
            action=f"run and close {pending[0]} first (`payout close --month {pending[0]}`), "
            f"or replay every earlier month with `payout run --month {month} --catch-up`.",
        )


def close_month(out: OutDir, opening_month: str, month: str) -> dict:
    if is_closed(out, month):
        raise RunStopped(f"{month} is already closed.", file=str(out.month(month)))
    if not is_drafted(out, month):
        raise RunStopped(f"{month} has no draft to close.", action=f"run it first: `payout run --month {month}`.")
    earlier = months_to_catch_up(out, opening_month, month)
    if earlier:
        raise RunStopped(f"{earlier[0]} is still open; close months in order.", action=f"close {earlier[0]} first.")
    record = {
        "month": month,
        "status": "closed",
        "manifest_sha256": sha256_of(out.month(month) / "manifest.json"),
        "ledger": {p.name: sha256_of(p) for p in sorted(out.ledger_partition(month).glob("*.parquet"))},
    }
    write_json(record, out.month(month) / STATUS)
    return record


@contextmanager
def output_lock(out: OutDir):
    """One run at a time per output folder (released by the OS if the process dies)."""
    out.root.mkdir(parents=True, exist_ok=True)
    with out.lock().open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise RunStopped(
                f"another run is using this output folder ({holder}).",
                file=str(out.root),
                action="wait for it to finish, then rerun.",
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": os.getpid()}))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def publish(staging: Path, target: Path) -> None:
    """Replace target by staging in one rename (the old draft is removed only afterwards)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    retired = target.with_name(f".retired-{target.name}")
    if retired.exists():
        shutil.rmtree(retired)
    if target.exists():
        os.rename(target, retired)
    os.rename(staging, target)
    if retired.exists():
        shutil.rmtree(retired)
