"""Two output folders compared as a refactoring must leave them: the proof that a change of code
changed no output (`payout-dev compare BASE NEW`).

Byte for byte: every file but the run records that carry a time, a user or a pid (status.json,
chain.json, approval.json, .lock) and three that carry the code's version: manifest.json (compared
without code_version and without the Parquet hashes), audit.json (without the manifest's hash),
report.html (without its status block). Parquet tables: the same columns and the same rows
(EXCEPT ALL both ways; the string layout of Arrow may differ).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb

from pipeline.sql.runner import literal

RECORDS = {"status.json", "chain.json", "approval.json", ".lock"}
STATUS_BLOCK = re.compile(rb'<section class="status">.*?</section>', re.S)


def files_of(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.name not in RECORDS and not any(part.startswith(".") for part in p.relative_to(root).parts)
    }


def comparable(name: str, data: bytes) -> bytes:
    if name == "manifest.json":
        manifest = json.loads(data)
        manifest.pop("code_version", None)
        manifest["outputs"] = {k: v for k, v in manifest.get("outputs", {}).items() if not k.endswith(".parquet")}
        return json.dumps(manifest, sort_keys=True).encode()
    if name == "audit.json":
        audit = json.loads(data)
        audit.pop("manifest_sha256", None)
        return json.dumps(audit, sort_keys=True).encode()
    if name == "report.html":
        return STATUS_BLOCK.sub(b"", data)
    return data


def table_differences(con: duckdb.DuckDBPyConnection, base: Path, new: Path) -> str | None:
    def columns(path: Path) -> list[str]:
        return [row[0] for row in con.execute(f"describe select * from read_parquet({literal(path)})").fetchall()]

    if columns(base) != columns(new):
        return f"columns {columns(base)} -> {columns(new)}"
    only = [
        con.execute(
            f"select count(*) from (select * from read_parquet({literal(a)}) except all "
            f"select * from read_parquet({literal(b)}))"
        ).fetchone()[0]
        for a, b in ((base, new), (new, base))
    ]
    return None if only == [0, 0] else f"{only[0]} rows only in the base, {only[1]} only in the new"


def differences(base: Path, new: Path) -> list[str]:
    before, after = files_of(base), files_of(new)
    found = [f"missing in the new: {name}" for name in sorted(before - after)]
    found += [f"only in the new: {name}" for name in sorted(after - before)]
    with duckdb.connect() as con:
        for name in sorted(before & after):
            if name.endswith(".parquet"):
                problem = table_differences(con, base / name, new / name)
                if problem:
                    found.append(f"table differs: {name}: {problem}")
            else:
                leaf = name.rsplit("/", 1)[-1]
                if comparable(leaf, (base / name).read_bytes()) != comparable(leaf, (new / name).read_bytes()):
                    found.append(f"bytes differ: {name}")
    return found


def compare(base: Path, new: Path) -> int:
    found = differences(base, new)
    print("\n".join(found) if found else f"identical: {len(files_of(base))} files")
    return 1 if found else 0
