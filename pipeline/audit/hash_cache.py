"""The closed files' hashes, confirmed once and trusted while each file's status is unchanged.

A writing command checks every closed month's files against the hashes of its close record, and
the run's self-audit does again: hashing them all costs the bytes of the whole history (1.4 s
for ten years at 20k people, twice a run). So once a file has been hashed and found as released,
its status is kept beside its hash (size; mtime and ctime in nanoseconds; inode, device), and
while the status is the same the file is not read again. No tool sets a ctime: any write, rename,
chmod or utime sets it to the kernel's clock, so a changed file has another status. Timestamps
are coarse (a write in the same tick keeps them), so a file changed less than SETTLE_NS before it
is hashed is not trusted, and is hashed again next time. `payout audit` trusts nothing: it hashes
every file, and reads the bank files back (pipeline/audit/closed.py).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from pipeline import durable
from pipeline.paths import OutDir

SETTLE_NS = 2_000_000_000
VERSION = 1


@dataclass
class HashCache:
    root: Path
    path: Path
    # path under root -> [sha256, size, mtime_ns, ctime_ns, inode, device] when it was found so
    entries: dict[str, list] = field(default_factory=dict)
    changed: bool = False

    @classmethod
    def load(cls, out: OutDir) -> HashCache:
        """The cache of the folder; empty when missing or unreadable (every file is hashed)."""
        path = out.hash_cache()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            entries = data["files"] if data.get("version") == VERSION and isinstance(data.get("files"), dict) else {}
        except (OSError, ValueError, AttributeError, KeyError):
            entries = {}
        return cls(out.root, path, entries)

    def holds(self, path: Path | str, sha256: str) -> bool:
        """Whether the file holds the bytes of sha256: by its status if it was confirmed before,
        else by hashing it (and, found so and settled, its status is kept)."""
        key = self.key(path)
        status = os.stat(path)  # before reading: a write while it is read changes it
        seen = [sha256, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
        if self.entries.get(key) == seen:
            return True
        if durable.sha256_bytes(Path(path).read_bytes()) != sha256:
            self.changed |= self.entries.pop(key, None) is not None
            return False
        if time.time_ns() - max(status.st_mtime_ns, status.st_ctime_ns) >= SETTLE_NS:
            self.entries[key], self.changed = seen, True
        return True

    def key(self, path: Path | str) -> str:
        """The file's path under the root, as the cache names it (os.path.relpath, without its cost
        for the ~14k files of a decade: a path built from the root begins with it)."""
        text, root = os.fspath(path), os.path.join(os.fspath(self.root), "")
        return text[len(root) :] if text.startswith(root) else os.path.relpath(text, self.root)

    def save(self) -> None:
        if self.changed:
            text = json.dumps({"version": VERSION, "files": self.entries}, sort_keys=True, separators=(",", ":"))
            durable.atomic_write_bytes(self.path, text.encode("utf-8"))
            self.changed = False
