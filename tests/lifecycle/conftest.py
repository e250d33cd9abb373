"""Small output folders for the lifecycle's fault tests: two months of the builders' inbox
(2021-02 is a copy of 2021-01), built once per session and copied for each test."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.paths import OutDir
from tests.support.builders import build_inbox

# hold times, users, pids (and the hash cache: inodes)
RECORDS = {"status.json", "approval.json", "chain.json", ".lock", OutDir(Path()).hash_cache().name}


@dataclass(frozen=True)
class Folders:
    inbox: Path
    out: Path


def payout(*args: str) -> int:
    return main(list(args))


def run(f: Folders, month: str) -> int:
    return payout("run", "--month", month, "--inbox", str(f.inbox), "--out", str(f.out), "--quiet")


def close(f: Folders, month: str) -> int:
    return payout("close", "--month", month, "--out", str(f.out))


def digest(out: Path) -> dict[str, str]:
    """Every output file by hash (records with times left out), plus each month's status and the
    chain's months: what must be equal to a clean run's after a recovery."""
    files = {
        str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name not in RECORDS
    }
    status = {
        str(p.relative_to(out)): json.loads(p.read_text(encoding="utf-8"))["status"]
        for p in sorted(out.glob("*/status.json"))
    }
    chain = out / "chain.json"
    months = [e["month"] for e in json.loads(chain.read_text())["months"]] if chain.is_file() else []
    return files | {f"status of {k}": v for k, v in status.items()} | {"chain": ",".join(months)}


def leftovers(out: Path) -> list[str]:
    """Hidden files and folders a command left (staging, retired drafts, temporary files); the lock
    and the closed files' hash cache are kept on purpose."""
    kept = {OutDir(out).lock().name, OutDir(out).hash_cache().name}
    return sorted(str(p.relative_to(out)) for p in out.rglob(".*") if p.name not in kept)


@pytest.fixture(scope="session")
def two_months(tmp_path_factory, policy) -> Path:
    """An inbox with 2021-01 and 2021-02 (the same valid rosters)."""
    root = tmp_path_factory.mktemp("lifecycle-inbox")
    built = build_inbox(root / "inbox", policy)
    shutil.copytree(built.month_dir, built.root / "2021-02")
    return built.root


@pytest.fixture(scope="session")
def references(tmp_path_factory, two_months) -> dict[str, Path]:
    """Clean output folders, one per state a test starts from or must end in."""
    root = tmp_path_factory.mktemp("lifecycle-refs")
    states = {}
    f = Folders(two_months, root / "drafted")  # 2021-01 drafted
    assert run(f, "2021-01") == 0
    states["drafted"] = f.out
    closed = root / "closed"  # 2021-01 closed
    shutil.copytree(f.out, closed)
    assert close(Folders(two_months, closed), "2021-01") == 0
    states["closed"] = closed
    second = root / "second"  # 2021-01 closed, 2021-02 drafted
    shutil.copytree(closed, second)
    assert run(Folders(two_months, second), "2021-02") == 0
    states["second"] = second
    both = root / "both"  # both closed
    shutil.copytree(second, both)
    assert close(Folders(two_months, both), "2021-02") == 0
    states["both"] = both
    return states


@pytest.fixture
def copy_of(references, two_months, tmp_path):
    """copy_of('closed') -> Folders on a private copy of that reference (and of the inbox)."""

    def make(state: str | None) -> Folders:
        inbox = tmp_path / "inbox"
        if not inbox.exists():
            shutil.copytree(two_months, inbox)
        out = tmp_path / "out"
        if state is not None:
            shutil.copytree(references[state], out)
        return Folders(inbox, out)

    return make
