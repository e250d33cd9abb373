"""The month's life: months run in sequence from the opening month; a run writes a draft; close
releases it to the bank and freezes it; a closed month never changes again.

Every command that writes (run, close, reject, catch-up, the flow's steps) holds the output
folder's lock from its first check to its last rename, first recovers what a crashed command
left, then checks that the closed months are as they were released (pipeline/audit/closed.py).
A close records the hash of every file of the month and of the previous month's record, and
appends the month to chain.json at the output root: deleting a record or a file is seen.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pipeline import durable
from pipeline.audit.readback import bank_findings
from pipeline.core.errors import RunStopped, masked
from pipeline.core.months import add_months, month_range
from pipeline.emit import lists
from pipeline.emit.files import json_bytes, sha256_of, write_json
from pipeline.paths import OutDir

STATUS = "status.json"  # outside the manifest: draft|closed, the release record when closed
AUDIT = "audit.json"  # outside the manifest: the self-audit of the draft (and of which manifest)
APPROVAL = "approval.json"  # outside the manifest: the last decision on the draft
CHAIN = "chain.json"  # at the output root: every closed month and the hash of its record
RECORDS = (STATUS, APPROVAL)  # run records in a month folder that a close does not hash
STAGED = ".complete"  # in a staging folder: everything is written, the publish may go ahead
Say = Callable[[str], None]


def say_on_stderr(text: str) -> None:
    print(text, file=sys.stderr)


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- reading the months' state -----------------------------------------------------------------


def read_json_file(path: Path) -> dict:
    """A record file, or {} when it is missing; an unreadable one stops the command (never a
    traceback): it was changed by hand or by a tool that is not the pipeline."""
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise RunStopped(
            "this record file is not readable JSON (empty or cut short).",
            file=str(path),
            action="restore it from the backup of the output folder; see docs/operations.md.",
        ) from None
    if not isinstance(data, dict):
        raise RunStopped("this record file does not hold a record.", file=str(path))
    return data


def status_of(out: OutDir, month: str) -> dict:
    return read_json_file(out.month(month) / STATUS)


def is_closed(out: OutDir, month: str) -> bool:
    return status_of(out, month).get("status") == "closed" or month in chained_months(out)


def draft_status(month: str) -> dict:
    return {"month": month, "status": "draft", "manifest_sha256": None, "ledger": {}}


def is_drafted(out: OutDir, month: str) -> bool:
    return (out.month(month) / "manifest.json").is_file()


def chain_of(out: OutDir) -> dict:
    chain = read_json_file(out.root / CHAIN)
    return {"months": chain.get("months", []), "pending": chain.get("pending")}


def chained_months(out: OutDir) -> list[str]:
    return [entry.get("month") for entry in chain_of(out)["months"]]


def chained_months_safe(out: OutDir) -> list[str]:
    try:
        return chained_months(out)
    except RunStopped:
        return []


def months_to_catch_up(out: OutDir, opening_month: str, month: str) -> list[str]:
    """Earlier months that are missing or still open, in order."""
    return [m for m in month_range(opening_month, add_months(month, -1)) if not is_closed(out, m)]


def catch_up_months(out: OutDir, opening_month: str, month: str) -> list[str]:
    """The earlier months a catch-up may run and close: only months never drafted. A draft that
    exists awaits (or lost) an operator's decision, which a catch-up must not take for them."""
    pending = months_to_catch_up(out, opening_month, month)
    for earlier in pending:
        if out.month(earlier).exists():
            raise RunStopped(
                f"{earlier} is a draft awaiting an operator's decision; a catch-up closes only the months "
                "it drafts itself.",
                file=str(out.month(earlier)),
                action=f"review {earlier}, then `payout close --month {earlier}` (or `payout reject --month "
                f"{earlier} --reason ...` and rerun it), then run the catch-up again.",
            )
    return pending


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
        first = pending[0]
        drafted = is_drafted(out, first)
        # an open draft needs only its close; a month never run needs its run before it can be closed
        first_step = (
            f"close {first} first (`payout close --month {first}`)"
            if drafted
            else f"run {first} first (`payout run --month {first}`), then close it (`payout close --month {first}`)"
        )
        raise RunStopped(
            f"{first} is {'open' if drafted else 'not run'}; months are paid in sequence.",
            file=str(out.month(first)),
            action=f"{first_step}, or replay every earlier month with `payout run --month {month} --catch-up`.",
        )


# -- the lock ----------------------------------------------------------------------------------


@contextmanager
def output_lock(out: OutDir, command: str = "payout") -> Iterator[None]:
    """One writing command at a time per output folder. The lock is the folder itself (flock on
    its descriptor, released by the OS if the process dies), so deleting .lock does not defeat
    it; .lock only names the holder for the message of the command refused."""
    out.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(out.root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RunStopped(
                f"another run is using this output folder ({holder_of(out)}).",
                file=str(out.root),
                action="wait for it to finish, then rerun.",
            ) from None
        holder = {"pid": os.getpid(), "command": command, "user": user(), "since": now()}
        durable.atomic_write_bytes(out.lock(), json_bytes(holder))
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the flock


def holder_of(out: OutDir) -> str:
    try:
        holder = json.loads(out.lock().read_text(encoding="utf-8"))
        return f"{holder['command']}, pid {holder['pid']}, user {holder['user']}, since {holder['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid (a container)
        return f"uid {os.getuid()}"


# -- publishing a draft and recovering from a crash --------------------------------------------


def retired(target: Path) -> Path:
    return target.with_name(f".retired-{target.name}")


def publish_parts(out: OutDir, month: str) -> list[tuple[Path, Path]]:
    """(staged part, its place): the ledger partition first, then the month folder."""
    staging = out.staging(month)
    return [(staging / "ledger", out.ledger_partition(month)), (staging / "month", out.month(month))]


def mark_staged(staging: Path) -> None:
    """Everything is on the disk: from here on a crash is completed, not rolled back."""
    durable.fsync_tree(staging)
    durable.atomic_write_bytes(staging / STAGED, b"")


def publish_staged(out: OutDir, month: str) -> None:
    """Put the staged ledger partition and month folder in place, replacing the old draft.
    Each step can be repeated after a crash at any point: recovery calls this again."""
    for part, target in publish_parts(out, month):
        if not part.exists():
            continue  # published before the crash
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            durable.remove_tree(retired(target))
            durable.publish_rename(target, retired(target))
        durable.publish_rename(part, target)
    for _, target in publish_parts(out, month):
        durable.remove_tree(retired(target))
    durable.remove_tree(out.staging(month))


def publish(staging: Path, target: Path) -> None:
    """Replace target by staging (a folder outside the months: the year's indicators)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        durable.remove_tree(retired(target))
        durable.publish_rename(target, retired(target))
    durable.publish_rename(staging, target)
    durable.remove_tree(retired(target))


def recover(out: OutDir, say: Say = say_on_stderr) -> list[str]:
    """Finish or undo what a crashed command left, saying which; called under the lock by every
    writing command before it checks anything."""
    if not out.root.is_dir():
        return []
    notes = remove_temporary_files(out)
    notes += [recover_staging(out, folder) for folder in sorted(out.root.glob(".staging-*"))]
    notes += restore_retired(out)
    notes += remove_orphans(out)
    notes += finish_pending_close(out)
    for note in notes:
        say(f"recovery: {note}")
    return notes


def temporary_files(out: OutDir) -> list[Path]:
    """In the months, the ledger and the root (not indicators/: `payout indicators` takes no lock)."""
    places = [*month_folders(out), *out.ledger().glob("run_month=*")]
    found = [*out.root.glob(".*"), *out.ledger().glob(".*"), *(p for place in places for p in place.rglob(".*"))]
    return sorted(p for p in found if durable.is_temp(p) and p.is_file())


def remove_temporary_files(out: OutDir) -> list[str]:
    temps = temporary_files(out)
    for temp in temps:
        temp.unlink(missing_ok=True)
    return [f"removed {len(temps)} half-written temporary file(s) of an interrupted write."] if temps else []


def month_folders(out: OutDir) -> list[Path]:
    return out.month_folders()


def recover_staging(out: OutDir, staging: Path) -> str:
    month = staging.name.removeprefix(".staging-")
    if month in chained_months(out) or status_of(out, month).get("status") == "closed":
        durable.remove_tree(staging)  # a closed month is never replaced, whatever was staged for it
        return f"removed {staging.name}: {month} is closed, so nothing staged for it is published."
    if (staging / STAGED).is_file():
        publish_staged(out, month)
        return (
            f"completed the interrupted publish of {month}; its draft has no self-audit, so it cannot be "
            f"closed: rerun `payout run --month {month}` first."
        )
    for _, target in publish_parts(out, month):
        if not target.exists() and retired(target).exists():
            durable.publish_rename(retired(target), target)
    durable.remove_tree(staging)
    return f"rolled back the interrupted run of {month}: its unfinished files were removed, the previous state kept."


def restore_retired(out: OutDir) -> list[str]:
    """A draft set aside by a publish that never finished: put back if nothing replaced it."""
    notes = []
    for old in [*out.root.glob(".retired-*"), *out.ledger().glob(".retired-*")]:
        target = old.with_name(old.name.removeprefix(".retired-"))
        if target.exists():
            durable.remove_tree(old)
            notes.append(f"removed {old.name}, the replaced draft of an interrupted publish.")
        else:
            durable.publish_rename(old, target)
            notes.append(f"rolled back an interrupted publish: {target.name} restored.")
    return notes


def remove_orphans(out: OutDir) -> list[str]:
    """Half a draft (a ledger partition without its month folder, or the reverse) is never
    released: remove it so that a rerun computes the month whole. Closed months are never
    touched (the closed-month check reports them)."""
    notes = []
    closed = set(chained_months(out))
    for partition in sorted(out.ledger().glob("run_month=*")):
        month = partition.name.removeprefix("run_month=")
        if month not in closed and not out.month(month).exists():
            durable.remove_tree(partition)
            notes.append(f"rolled back {month}: removed its ledger partition, whose month folder is missing.")
    for folder in month_folders(out):
        month = folder.name
        if month in closed or status_of(out, month).get("status") == "closed":
            continue
        if not out.ledger_partition(month).is_dir():
            durable.remove_tree(folder)
            notes.append(f"rolled back the draft of {month}: its ledger partition is missing; rerun the month.")
    return notes


def finish_pending_close(out: OutDir) -> list[str]:
    """A close writes the month's record between two writes of chain.json (announce, append):
    a crash in between is completed if the record was written, else undone."""
    chain = chain_of(out)
    pending = chain["pending"]
    if not pending:
        return []
    record = out.month(pending["month"]) / STATUS
    written = record.is_file() and sha256_of(record) == pending["record_sha256"]
    months = chain["months"] + ([{k: pending[k] for k in ("month", "record_sha256")}] if written else [])
    if not written:  # the lists it had restated as closed say draft again, byte for byte
        for path, data in lists.restated(out.month(pending["month"]), lists.DRAFT).items():
            durable.atomic_write_bytes(path, data)
    write_json({"months": months, "pending": None}, out.root / CHAIN)
    if written:
        return [f"completed the interrupted close of {pending['month']}."]
    return [f"rolled back the interrupted close of {pending['month']}: it stays a draft."]


# -- closing, rejecting, deciding --------------------------------------------------------------


def check_draft(out: OutDir, month: str, expected_manifest: str | None = None) -> dict:
    """The draft about to be released is whole, self-audited and unchanged since it was written
    (and, when given, the very draft the operator reviewed). Returns its manifest."""
    folder, manifest_path = out.month(month), out.month(month) / "manifest.json"
    manifest_sha256 = sha256_of(manifest_path)
    if expected_manifest is not None and manifest_sha256 != expected_manifest:
        raise draft_replaced(out, month)
    decision = status_of(out, month).get("decision") or {}
    if decision.get("decision") == "rejected" and decision.get("manifest_sha256") == manifest_sha256:
        raise RunStopped(
            f"{month} was rejected by {decision.get('decided_by')} at {decision.get('decided_at')}: "
            f"{masked(decision.get('reason', ''))}",
            file=str(folder / STATUS),
            action=f"correct the inputs and rerun `payout run --month {month}`, then review and close the new draft.",
        )
    audit = read_json_file(folder / AUDIT)
    if audit.get("manifest_sha256") != manifest_sha256 or audit.get("passed") is not True:
        problem = "its self-audit failed" if audit.get("passed") is False else "it has no self-audit of this draft"
        raise RunStopped(
            f"{month} cannot be closed: {problem}.",
            file=str(folder / AUDIT),
            action=f"rerun `payout run --month {month}`; if the audit fails again, see `payout audit` and "
            "docs/operations.md.",
        )
    if not out.ledger_partition(month).is_dir():
        raise RunStopped(
            f"{month} cannot be closed: its ledger partition is missing.",
            file=str(out.ledger_partition(month)),
            action=f"rerun `payout run --month {month}`.",
        )
    manifest = read_json_file(manifest_path)
    for problem, path in draft_differences(out, month, manifest.get("outputs", {})):
        raise RunStopped(
            f"{month} cannot be closed: {problem} since the run wrote its manifest.",
            file=str(path),
            action=f"rerun `payout run --month {month}` (a draft is recomputed from the inbox), then close it.",
        )
    for finding in bank_findings(out, month):  # what is released must be what the bank will read
        raise RunStopped(
            f"{month} cannot be closed: {finding.problem}",
            file=finding.file,
            action=f"do not release it; rerun `payout run --month {month}` and close the new draft "
            "(docs/operations.md, 'audit failure').",
        )
    return manifest


def draft_differences(out: OutDir, month: str, outputs: dict[str, str]) -> Iterator[tuple[str, Path]]:
    folder = out.month(month)
    listed = set()
    for name, recorded in sorted(outputs.items()):
        path = Path(os.path.normpath(folder / name))
        listed.add(path)
        if not path.is_file():
            yield "this file is missing", path
        elif sha256_of(path) != recorded:
            yield "this file was changed", path
    allowed = listed | {folder / n for n in ("manifest.json", AUDIT, *RECORDS)}
    for path in sorted([*files_under(folder), *files_under(out.ledger_partition(month))]):
        if path not in allowed:
            yield "this file was added", path


def files_under(folder: Path) -> list[Path]:
    return [folder / name for name in relative_files(folder)]


def relative_files(folder: Path) -> list[str]:
    """Every file under the folder by its path relative to it ('bank/x.csv'), sorted; [] when there
    is no folder. Listed with os.walk (the directory entries' types, no stat per file): the closed
    months' check lists ~120 files a month of every month closed, twice a run."""
    found = []
    for root, _folders, names in os.walk(folder):
        where = os.path.relpath(root, folder)
        found += names if where == "." else [os.path.join(where, name) for name in names]
    return sorted(found)


def month_file_hashes(out: OutDir, month: str) -> tuple[dict[str, str], dict[str, str]]:
    """Every file of the month (but its run records) and of its ledger partition, by hash."""
    folder, partition = out.month(month), out.ledger_partition(month)
    files = {str(p.relative_to(folder)): sha256_of(p) for p in files_under(folder) if p.name not in RECORDS}
    return files, {str(p.relative_to(partition)): sha256_of(p) for p in files_under(partition)}


def release(actor: str | None, via: str, flow_run_id: str | None = None) -> dict:
    """Who released a month, when and how (cli, prefect, catch-up)."""
    record = {"by": actor or user(), "at": now(), "via": via}
    return record | ({"flow_run_id": flow_run_id} if flow_run_id else {})


def close_month(
    out: OutDir,
    opening_month: str,
    month: str,
    *,
    actor: str | None = None,
    via: str = "cli",
    expected_manifest: str | None = None,
    decision: dict | None = None,
) -> dict:
    """Release a checked draft: its clerks' lists restated as closed, then its record (every file's
    hash, the previous month's record hash, who/when/how) replaces status.json, then the month
    joins chain.json. The caller holds the lock."""
    if is_closed(out, month):
        raise RunStopped(f"{month} is already closed.", file=str(out.month(month)))
    if not is_drafted(out, month):
        raise RunStopped(f"{month} has no draft to close.", action=f"run it first: `payout run --month {month}`.")
    earlier = months_to_catch_up(out, opening_month, month)
    if earlier:
        raise RunStopped(f"{earlier[0]} is still open; close months in order.", action=f"close {earlier[0]} first.")
    check_draft(out, month, expected_manifest)
    retitled = lists.restated(out.month(month), lists.CLOSED)
    files, ledger = month_file_hashes(out, month)
    files |= {str(path.relative_to(out.month(month))): durable.sha256_bytes(data) for path, data in retitled.items()}
    chain = chain_of(out)
    record = {
        "month": month,
        "status": "closed",
        "manifest_sha256": sha256_of(out.month(month) / "manifest.json"),
        "ledger": ledger,
        "files": files,
        "previous": chain["months"][-1] if chain["months"] else None,
        "released": release(actor, via, (decision or {}).get("flow_run_id")),
    } | ({"decision": decision} if decision else {})
    data = json_bytes(record)
    pending = {"month": month, "record_sha256": durable.sha256_bytes(data)}
    write_json({"months": chain["months"], "pending": pending}, out.root / CHAIN)
    try:
        for path, workbook in retitled.items():
            durable.atomic_write_bytes(path, workbook)
        durable.atomic_write_bytes(out.month(month) / STATUS, data)
    except Exception:  # a full disk: settle the announced close now if the disk lets us, else next time
        with contextlib.suppress(OSError):
            finish_pending_close(out)
        raise
    write_json({"months": [*chain["months"], pending], "pending": None}, out.root / CHAIN)
    return record


def record_decision(
    out: OutDir,
    opening_month: str,
    month: str,
    decision: str,
    reviewed_manifest_sha256: str,
    *,
    actor: str | None = None,
    via: str = "cli",
    reason: str = "",
    flow_run_id: str | None = None,
) -> dict:
    """An operator's decision on the draft they reviewed: approved closes it; rejected (or no
    decision in time) keeps it a draft with the decision recorded. Nothing is written when the
    draft was replaced since the review. The caller holds the lock."""
    if decision not in ("approved", "rejected", "no decision"):
        raise ValueError(f"unknown decision {decision!r}")
    if not is_drafted(out, month) or sha256_of(out.month(month) / "manifest.json") != reviewed_manifest_sha256:
        raise draft_replaced(out, month)
    if is_closed(out, month):
        raise RunStopped(f"{month} is already closed; a decision can no longer change it.", file=str(out.month(month)))
    made = {
        "month": month,
        "decision": decision,
        "reason": reason,
        "manifest_sha256": reviewed_manifest_sha256,
        "flow_run_id": flow_run_id,
        "decided_by": actor or user(),
        "decided_at": now(),
        "via": via,
    }
    if decision == "approved":
        close_month(
            out, opening_month, month, actor=actor, via=via, expected_manifest=reviewed_manifest_sha256, decision=made
        )
    else:
        write_json(status_of(out, month) | {"status": "draft", "decision": made}, out.month(month) / STATUS)
    record = made | {"status": status_of(out, month).get("status")}
    write_json(record, out.month(month) / APPROVAL)
    return record


def draft_replaced(out: OutDir, month: str) -> RunStopped:
    return RunStopped(
        f"the draft of {month} was replaced while it waited for approval; the decision was not applied.",
        file=str(out.month(month)),
        action="review the new draft: run the monthly flow again (or `payout close` after checking it).",
    )


def reject_month(out: OutDir, month: str, reason: str, *, actor: str | None = None, via: str = "cli") -> dict:
    """`payout reject`: the draft stays open, with who rejected it, when and why."""
    if not reason.strip():
        raise RunStopped("a rejection needs a reason.", action="give it with --reason TEXT.")
    if not is_drafted(out, month):
        raise RunStopped(f"{month} has no draft to reject.", file=str(out.month(month)))
    manifest_sha256 = sha256_of(out.month(month) / "manifest.json")
    return record_decision(out, "", month, "rejected", manifest_sha256, actor=actor, via=via, reason=reason)
