"""The auditors' invariants, run over an output folder with the same views auditors load."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.paths import OutDir
from pipeline.sql import literal

VIEWS = Path(__file__).with_name("views.sql")


def connect_views(out: OutDir) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every audit view defined over the output folder."""
    con = duckdb.connect()
    con.execute(f"set file_search_path = {literal(out.root.resolve())}")
    con.execute(VIEWS.read_text(encoding="utf-8"))
    return con


def invariant_checks(out: OutDir) -> pd.DataFrame:
    """One row per invariant with its count of violations (0 everywhere: the ledger is sound)."""
    with connect_views(out) as con:
        return con.sql("select invariant, violations from invariant_checks").df()


def audit_report(checks: pd.DataFrame) -> dict:
    return {
        "invariants": [
            {"invariant": row.invariant, "violations": int(row.violations)} for row in checks.itertuples(index=False)
        ],
        "passed": bool((checks["violations"] == 0).all()),
    }
