"""The closed files' hash cache: a file hashed and found as released is not read again while its
status is unchanged; a fresh file, a changed one or another hash is hashed again."""

from __future__ import annotations

import hashlib
import os

import pytest

from pipeline import durable
from pipeline.audit import hash_cache
from pipeline.audit.hash_cache import HashCache
from pipeline.paths import OutDir

CONTENT = b"320281,JRCB,392.00\r\n"
SHA = hashlib.sha256(CONTENT).hexdigest()


@pytest.fixture
def released(tmp_path):
    path = tmp_path / "2021-01" / "bank" / "JRCB.csv"
    path.parent.mkdir(parents=True)
    path.write_bytes(CONTENT)
    return OutDir(tmp_path), path


def confirmed_at_once(out: OutDir, path, monkeypatch) -> None:
    """The file hashed, found as released and its status kept (trusted at once: SETTLE_NS 0)."""
    monkeypatch.setattr(hash_cache, "SETTLE_NS", 0)
    cache = HashCache.load(out)
    assert cache.holds(path, SHA)
    cache.save()


def hashes_counted(monkeypatch) -> list[int]:
    calls = []
    real = durable.sha256_bytes
    monkeypatch.setattr(durable, "sha256_bytes", lambda data: calls.append(1) or real(data))
    return calls


def test_a_settled_file_found_as_released_is_trusted_by_the_next_check_without_reading_it(released, monkeypatch):
    out, path = released
    confirmed_at_once(out, path, monkeypatch)
    calls = hashes_counted(monkeypatch)
    again = HashCache.load(out)
    assert again.holds(path, SHA) and calls == []
    assert not again.holds(path, "0" * 64)  # the cache vouches only for the hash it confirmed
    assert calls == [1]


def test_a_file_changed_less_than_the_settling_time_ago_is_not_remembered(released):
    out, path = released
    cache = HashCache.load(out)
    assert cache.holds(path, SHA) and cache.entries == {} and not cache.changed


def test_a_changed_file_is_hashed_again_and_forgotten(released, monkeypatch):
    out, path = released
    confirmed_at_once(out, path, monkeypatch)
    kept = path.stat()
    path.write_bytes(CONTENT.replace(b"392", b"492"))
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))
    again = HashCache.load(out)
    assert not again.holds(path, SHA)
    assert again.entries == {}


def test_an_unreadable_cache_is_an_empty_one(released):
    out, path = released
    out.hash_cache().write_text("{not json", encoding="utf-8")
    assert HashCache.load(out).entries == {}


def test_a_file_is_named_by_its_path_under_the_root_however_the_path_is_spelled(released, monkeypatch):
    """The key is the path relative to the root, whether the file's path was built from the root
    (the check's way: a prefix) or spelled otherwise (absolute under a relative root): a file
    confirmed once is found again under the same key."""
    out, path = released
    monkeypatch.chdir(out.root.parent)
    relative_root = OutDir(type(out.root)(out.root.name))
    cache = HashCache.load(relative_root)
    assert cache.key(relative_root.root / "2021-01" / "bank" / "JRCB.csv") == "2021-01/bank/JRCB.csv"
    assert cache.key(path) == "2021-01/bank/JRCB.csv"  # absolute, the root relative
    assert cache.key(str(path)) == "2021-01/bank/JRCB.csv"
