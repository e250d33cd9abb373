"""The auditors' invariants, run over an output folder with the same views auditors load."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.paths import OutDir
from pipeline.sql.runner import literal, sql_text
from pipeline.state import file_patterns, file_variables_sql


def views_sql() -> str:
    """The auditors' session: where the files are (the state catalogue's variables), then the views."""
    return "\n\n".join([file_variables_sql(), sql_text("macros"), sql_text("audit/views")])


def connect_views(out: OutDir) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every audit view defined over the output folder."""
    con = duckdb.connect()
    con.execute(f"set file_search_path = {literal(out.root.resolve())}")
    con.execute(views_sql())
    return con


# every kind of file the invariants read; DuckDB stops on a pattern that matches nothing
VIEW_INPUTS = tuple(
    file_patterns()[name]
    for name in (
        "ledger_files",
        "status_files",
        "manifest_files",
        "due_files",
        "deaths_files",
        "holds_files",
        "bank_control_files",
        "balances_files",
    )
)
COMPLETE = "the output folder holds every kind of file the audit views read"


def invariant_checks(out: OutDir) -> pd.DataFrame:
    """One row per invariant with its count of violations (0 everywhere: the ledger is sound).
    An empty folder has nothing to check (no rows); a partial one (a crash, a deletion) fails
    one check naming how many kinds of file are missing, instead of stopping DuckDB."""
    missing = [pattern for pattern in VIEW_INPUTS if not any(out.root.glob(pattern))]
    if len(missing) == len(VIEW_INPUTS):
        return pd.DataFrame(
            {
                "invariant": pd.Series([], dtype="str"),
                "violations": pd.Series([], dtype="int64"),
                "query": pd.Series([], dtype="str"),
            }
        )
    if missing:
        return pd.DataFrame(
            {"invariant": [f"{COMPLETE} (missing: {', '.join(missing)})"], "violations": [len(missing)], "query": [""]}
        )
    with connect_views(out) as con:
        return con.sql("select invariant, violations, query from invariant_checks").df()


def folder_audit(out: OutDir) -> dict:
    """`payout audit`: the invariants, the closed months against their release records, and
    what a crashed command left (the next writing command recovers it)."""
    from pipeline.audit.closed import closed_month_findings, leftover_findings

    report = audit_report(invariant_checks(out))
    findings = [f.as_dict() for f in [*closed_month_findings(out), *leftover_findings(out)]]
    return report | {"closed_months": findings, "passed": report["passed"] and not findings}


def audit_report(checks: pd.DataFrame) -> dict:
    return {
        "invariants": [
            {"invariant": row.invariant, "violations": int(row.violations), "query": row.query}
            for row in checks.itertuples(index=False)
        ],
        "passed": bool((checks["violations"] == 0).all()),
    }
