"""What earlier months left in the output folder, read back for the month being run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from pipeline.months import add_months, month_range
from pipeline.paths import OutDir
from pipeline.validate.month import History

STATE_TABLES = ("roster", "deaths", "bank_returns", "issued_lines")


def earlier_state(out: OutDir, table: str, months: list[str]) -> list[Path]:
    return [p for m in months if (p := out.state(m) / f"{table}.parquet").is_file()]


def read_state(out: OutDir, table: str, months: list[str], columns: str = "*") -> pd.DataFrame | None:
    files = earlier_state(out, table, months)
    if not files:
        return None
    with duckdb.connect() as con:
        listing = ", ".join(f"'{p}'" for p in files)
        return con.sql(f"select {columns} from read_parquet([{listing}], union_by_name = true)").df()


def load_history(out: OutDir, opening_month: str, run_month: str) -> History:
    months = month_range(opening_month, add_months(run_month, -1))
    empty = History.empty()
    roster = read_state(out, "roster", months, "id_number, township_code, status, run_month")
    if roster is None:
        return empty
    latest = roster.sort_values("run_month").drop_duplicates("id_number", keep="last")
    issued = read_state(out, "issued_lines", months)
    returned = read_state(out, "bank_returns", months, "batch_id, line_no")
    return History(
        ever_receiving=roster.loc[roster["status"] == "receiving", "id_number"].drop_duplicates(),
        participants=latest[["id_number", "township_code"]].reset_index(drop=True),
        issued_lines=empty.issued_lines if issued is None else issued[empty.issued_lines.columns],
        returned_lines=empty.returned_lines if returned is None else returned,
    )
