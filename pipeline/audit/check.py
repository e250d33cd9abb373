"""The auditors' invariants, run over an output folder with the same views auditors load."""

from __future__ import annotations

import duckdb
import pandas as pd

from pipeline.core.months import add_months
from pipeline.entitlement import CarriedBalances, carried_query
from pipeline.paths import OutDir
from pipeline.sql.runner import connect, literal, sql_text
from pipeline.state import file_patterns, file_variables_sql, month_file_patterns, state_file


def views_sql() -> str:
    """The auditors' session: where the files are (the state catalogue's variables), then the views."""
    return "\n\n".join([file_variables_sql(), sql_text("macros"), sql_text("audit/views")])


def connect_views(out: OutDir) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with every audit view defined over the output folder."""
    con = connect()
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
        "recomputed_people_files",
        "repriced_periods_files",
        "deaths_files",
        "holds_files",
        "bank_control_files",
        "balances_files",
        "last_known_files",
        "account_entries_files",
        "account_balances_files",
        "awards_files",
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


# the files a month's self-audit reads of the run month only; the deaths and ID corrections stay
# whole (small, and the deaths in force and the links need every month's). The month's last_known
# holds everyone ever on a roster by their latest row: the people the views read of the latest month.
MONTH_SCOPED = (
    "ledger_files",
    "status_files",
    "manifest_files",
    "due_files",
    "recomputed_people_files",
    "repriced_periods_files",
    "holds_files",
    "bank_control_files",
    "account_entries_files",
    "awards_files",
    "last_known_files",
)
# carried tables a month's audit reads for the month and the month before (invariants 8 and 9);
# the payment balances as of each of the two are read from every month's file up to it as well
# (each period from the latest file holding it)
CARRIED = ("balances_files", "account_balances_files")
CLOSED_UNCHANGED = "closed months are unchanged since closing"


def month_invariant_checks(out: OutDir, month: str) -> pd.DataFrame:
    """The invariants of invariant_checks for a run's new month, at a cost that does not grow with
    the months before it: the month's entries, due, holds and bank batches, its net from its
    carried balances (invariant 8 proves them the month before's plus the month's entries), and
    the closed months by the hashes their close records hold (pipeline/audit/closed.py; a file
    found so before whose status is unchanged is not read again: pipeline/audit/hash_cache.py). Entry
    ids are checked within the month: each hashes its run month, so months cannot share one.
    Without balances carried by the month before (the first month, a folder of older runs) the
    whole folder is checked."""
    from pipeline.audit.closed import closed_month_findings

    con = connect_month_views(out, month)
    if con is None:
        return invariant_checks(out)
    with con:
        checks = con.sql("select invariant, violations, query from invariant_checks").df()
    closed = checks["invariant"] == CLOSED_UNCHANGED
    checks.loc[closed, "violations"] = len(closed_month_findings(out, read_back=False, remember=True))
    return checks


def connect_month_views(out: OutDir, month: str) -> duckdb.DuckDBPyConnection | None:
    """The audit views narrowed to a month (audit/month.sql over views.sql); None when the month
    before carried no balances (the month is then checked with the whole folder)."""
    scoped = {name: month_file_patterns(month)[name] for name in MONTH_SCOPED}
    carried = {name: [month_file_patterns(m)[name] for m in (add_months(month, -1), month)] for name in CARRIED}
    if not all(any(out.root.glob(p)) for p in [*scoped.values(), *(p for ps in carried.values() for p in ps)]):
        return None
    narrowed = "\n".join(
        [
            *(f"set variable {name} = {literal(pattern)};" for name, pattern in scoped.items()),
            *(f"set variable {name} = [{', '.join(literal(p) for p in ps)}];" for name, ps in carried.items()),
        ]
    )
    con = connect()
    con.execute(f"set file_search_path = {literal(out.root.resolve())}")
    con.execute("\n\n".join([file_variables_sql(), narrowed, sql_text("macros"), sql_text("audit/views")]))
    balance_files = tuple(
        (folder.name, str(path))
        for folder in out.month_folders()
        if folder.name <= month and (path := state_file(out.state(folder.name), "balances")).is_file()
    )
    for name, as_of in (("balances_now", month), ("balances_month_before", add_months(month, -1))):
        carried = CarriedBalances(tuple(f for f in balance_files if f[0] <= as_of), as_of)
        con.execute(f"create or replace temp view {name} as {carried_query(con, carried)}")
    con.execute(sql_text("audit/month"))
    return con


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
