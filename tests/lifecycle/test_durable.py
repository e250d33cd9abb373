"""Durable writes: fsync before every publish rename, a file is replaced whole or not at all,
the manifest hashes the bytes actually parsed, and a ' in the output path reaches DuckDB safely."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from pipeline import durable, lifecycle
from pipeline.ingest import inputs
from tests.lifecycle.conftest import Folders, close, digest, payout, run


def fd_path(fd: int) -> str:
    return os.readlink(f"/proc/self/fd/{fd}")


def test_every_publish_rename_comes_after_an_fsync_of_what_it_moves(copy_of, monkeypatch):
    f = copy_of("second")
    events: list[tuple[str, str]] = []
    real_fsync, real_rename = os.fsync, os.rename
    monkeypatch.setattr(os, "fsync", lambda fd: (events.append(("fsync", fd_path(fd))), real_fsync(fd))[1])
    monkeypatch.setattr(os, "rename", lambda a, b: (events.append(("rename", str(a))), real_rename(a, b))[1])
    assert run(f, "2021-02") == 0
    renames = [i for i, (kind, _) in enumerate(events) if kind == "rename"]
    assert len(renames) == 4  # old ledger aside, new ledger in, old month aside, new month in
    previous = 0
    for i in renames:
        moved = events[i][1]
        flushed = {path for kind, path in events[previous:i] if kind == "fsync"}
        assert moved in flushed, f"{moved} renamed without an fsync first"
        staged_files = [p for p in Path(moved).rglob("*") if p.is_file()] if Path(moved).exists() else []
        assert all(str(p) in flushed for p in staged_files)
        after = {path for kind, path in events[i + 1 : i + 3] if kind == "fsync"}
        assert str(Path(moved).parent) in after  # and the rename itself is flushed
        previous = i + 1


def test_every_staged_file_is_fsynced_before_the_draft_is_marked_staged(copy_of, monkeypatch):
    # the draft's files skip their own fsyncs (durable.synced_later): the staging tree is flushed
    # as a whole, and only then is it marked complete (from there on a crash is completed)
    f = copy_of("second")
    synced: list[str] = []
    at_mark: dict[str, list[str]] = {}
    real_fsync, real_replace = os.fsync, os.replace

    def replace(a, b):
        if Path(b).name == lifecycle.STAGED:
            at_mark["synced"] = list(synced)
            at_mark["files"] = [str(p) for p in Path(b).parent.rglob("*") if p.is_file() and not durable.is_temp(p)]
        return real_replace(a, b)

    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd_path(fd)), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace", replace)
    assert run(f, "2021-02") == 0
    assert len(at_mark["files"]) > 20  # the whole draft: lists, bank files, state, ledger
    assert sorted(p for p in at_mark["synced"] if p in set(at_mark["files"])) == sorted(at_mark["files"])


def test_synced_later_defers_the_fsyncs_of_its_folder_only(tmp_path, monkeypatch):
    synced: list[str] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd_path(fd)), real_fsync(fd))[1])
    staging, elsewhere = tmp_path / "staging", tmp_path / "elsewhere"
    with durable.synced_later(staging):
        durable.atomic_write_bytes(staging / "a" / "x.csv", b"x")
        durable.atomic_write_bytes(elsewhere / "y.csv", b"y")
    durable.atomic_write_bytes(staging / "z.csv", b"z")
    assert [Path(p).name for p in synced] == [".y.csv" + durable.TEMP_MARK + str(os.getpid()), "elsewhere",
                                              ".z.csv" + durable.TEMP_MARK + str(os.getpid()), "staging"]  # fmt: skip
    assert (staging / "a" / "x.csv").read_bytes() == b"x"


def test_a_write_that_dies_midway_leaves_the_old_file(tmp_path):
    path = tmp_path / "status.json"
    path.write_bytes(b'{"status": "draft"}\n')

    def dies(temp: Path) -> None:
        temp.write_bytes(b'{"sta')
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        durable.atomic_write_with(path, dies)
    assert path.read_bytes() == b'{"status": "draft"}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_the_manifest_hashes_the_roster_as_it_was_read(copy_of, monkeypatch):
    """A clerk overwrites a roster while the run reads it: the manifest keeps the hash of the
    bytes the run parsed, not of the file as it is afterwards."""
    f = copy_of(None)
    read_file, seen = inputs.read_file, {}

    def read_then_overwritten(path, kind, **options):
        read = read_file(path, kind, **options)
        seen[path] = hashlib.sha256(path.read_bytes()).hexdigest()
        path.write_bytes(path.read_bytes() + b"\n")  # changed right after the read
        return read

    monkeypatch.setattr(inputs, "read_file", read_then_overwritten)
    assert run(f, "2021-01") == 0
    manifest = json.loads((f.out / "2021-01" / "manifest.json").read_text(encoding="utf-8"))
    assert seen and {f.inbox / name: sha for name, sha in manifest["inputs"].items()} == seen


def test_an_output_path_with_a_quote_works_end_to_end(copy_of, references, tmp_path):
    f = copy_of(None)
    quoted = Folders(f.inbox, tmp_path / "it's out")
    shutil.copytree(references["closed"], quoted.out)
    assert run(quoted, "2021-02") == 0  # reads 2021-01 back through DuckDB, then self-audits
    assert close(quoted, "2021-02") == 0
    assert payout("audit", "--out", str(quoted.out)) == 0
    assert digest(quoted.out) == digest(references["both"])
