"""What earlier months left in the output folder, read back for the month being run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.months import add_months, month_range
from pipeline.paths import OutDir
from pipeline.validate.month import History
from schemas.bank_return import BankReturn
from schemas.death import Death
from schemas.empty import empty_frame
from schemas.ledger import BankLine, empty_ledger
from schemas.roster import Roster

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


@dataclass(frozen=True)
class MoneyHistory:
    last_known: pd.DataFrame  # latest accepted roster row per person (+ run_month)
    deaths: pd.DataFrame  # every accepted death registration (+ run_month)
    returns: pd.DataFrame  # every accepted bank return line (+ run_month)
    issued_lines: pd.DataFrame  # every bank line issued (+ run_month)
    prior_ledger: pd.DataFrame  # every ledger entry


def load_money_history(out: OutDir, opening_month: str, run_month: str) -> MoneyHistory:
    months = month_range(opening_month, add_months(run_month, -1))

    def state(table: str, model) -> pd.DataFrame:
        frame = read_state(out, table, months)
        return empty_frame(model, run_month="str") if frame is None else frame

    roster = state("roster", Roster)
    last_known = roster.sort_values(["id_number", "run_month"]).drop_duplicates("id_number", keep="last")
    ledger_files = [p for m in months if (p := out.ledger_partition(m) / "entries.parquet").is_file()]
    if ledger_files:
        with duckdb.connect() as con:
            listing = ", ".join(f"'{p}'" for p in ledger_files)
            prior = con.sql(f"select * from read_parquet([{listing}])").df()
    else:
        prior = empty_ledger()
    return MoneyHistory(
        last_known=last_known.reset_index(drop=True),
        deaths=state("deaths", Death),
        returns=state("bank_returns", BankReturn),
        issued_lines=state("issued_lines", BankLine),
        prior_ledger=prior,
    )
