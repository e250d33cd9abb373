"""How a run uses the machine (config/operations.toml): DuckDB's memory limit and spill folder.

These are settings of the installation, not rules: they never change an output, so they are not in
the policy file nor in the manifest. An environment variable (PAYOUT_MEMORY_LIMIT, PAYOUT_SPILL_DIR)
overrides the file for one run.
"""

from __future__ import annotations

import getpass
import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from pipeline.core.errors import RunStopped
from pipeline.paths import OPERATIONS

SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
AUTO_SHARE_OF_RAM = 4  # "auto": a quarter of the machine's RAM


@dataclass(frozen=True)
class DuckDBSettings:
    memory_limit: str  # as DuckDB's SET memory_limit takes it, e.g. '6GB'
    spill_dir: Path


def machine_ram_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # not POSIX
        return None


def memory_limit_text(value: str, ram_bytes: int | None) -> str:
    """'auto' -> a quarter of ram_bytes in MB (DuckDB's own default, 80%, when RAM is unknown);
    a size ('6GB') as given. Anything else stops the run before it starts."""
    if value.strip().lower() == "auto":
        if ram_bytes is None:
            return "80%"
        return f"{ram_bytes // AUTO_SHARE_OF_RAM // 2**20}MB"
    if not SIZE.match(value):
        raise RunStopped(
            f"memory_limit = {value!r} is not a size",
            file=str(OPERATIONS),
            action='give a size such as "6GB" or "800MB", or "auto" (a quarter of the machine\'s RAM), and rerun.',
        )
    return value.strip().replace(" ", "")


def default_spill_dir() -> Path:
    return Path(tempfile.gettempdir()) / f"payout-spill-{getpass.getuser()}"


@cache
def duckdb_settings(path: Path = OPERATIONS) -> DuckDBSettings:
    """The file's values, the environment's over them; read once per process."""
    table = {}
    if path.is_file():
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get("duckdb", {})
        except tomllib.TOMLDecodeError as err:
            raise RunStopped(
                f"it is not valid TOML ({err})", file=str(path), action="correct the file and rerun."
            ) from None
    limit = os.environ.get("PAYOUT_MEMORY_LIMIT") or str(table.get("memory_limit", "auto"))
    spill = os.environ.get("PAYOUT_SPILL_DIR") or str(table.get("spill_dir", ""))
    return DuckDBSettings(
        memory_limit=memory_limit_text(limit, machine_ram_bytes()),
        spill_dir=Path(spill) if spill else default_spill_dir(),
    )
