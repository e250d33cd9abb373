"""What earlier months left in the output folder, read back for the month being run.

Reduced in DuckDB (latest row per person, IDs ever receiving) before anything reaches pandas;
the ledger stays an Arrow table, which DuckDB scans without copying.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.frames import isin
from pipeline.months import add_months, month_range
from pipeline.paths import OutDir
from pipeline.sql import connect, literal
from pipeline.validate.month import History
from schemas.bank_return import BankReturn
from schemas.death import Death, DeathConflict
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.ledger import BankLine, empty_ledger
from schemas.roster import Roster


def earlier_months(opening_month: str, run_month: str) -> list[str]:
    return month_range(opening_month, add_months(run_month, -1))


class StateReader:
    """Queries over the state/*.parquet tables of a list of months (and their ledger)."""

    def __init__(self, out: OutDir, months: list[str]):
        self.out, self.months = out, months
        self.con = connect()

    def files(self, table: str) -> list[Path]:
        return [p for m in self.months if (p := self.out.state(m) / f"{table}.parquet").is_file()]

    def source(self, table: str) -> str | None:
        files = self.files(table)
        if not files:
            return None
        listing = ", ".join(literal(p) for p in files)
        return f"read_parquet([{listing}], union_by_name = true)"

    def arrow(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()

    def frame(self, query: str) -> pd.DataFrame:
        return self.arrow(query).to_pandas()

    def close(self) -> None:
        self.con.close()


def carried_forward(last_known: pd.DataFrame, roster: pd.DataFrame, month: str) -> pd.DataFrame:
    """Everyone ever on a roster, by their latest accepted row (this month's when on it), with
    whether they were ever receiving: next month's history in one table."""
    earlier = last_known[~isin(last_known["id_number"], roster["id_number"])]
    ever = (
        set(last_known.loc[last_known["ever_receiving"].fillna(False), "id_number"])
        if "ever_receiving" in last_known
        else set()
    )
    current = roster.assign(run_month=month)
    people = pd.concat([earlier, current], ignore_index=True).sort_values("id_number", ignore_index=True)
    people["ever_receiving"] = isin(people["id_number"], list(ever)) | people["status"].eq("receiving")
    return people


def _latest_people(reader: StateReader) -> str | None:
    """A query for carried_forward's table as of the month before the run (None: no history)."""
    if reader.months:
        last = reader.out.state(reader.months[-1]) / "last_known.parquet"
        if last.is_file():
            return f"read_parquet({literal(last)})"
    roster = reader.source("roster")
    if roster is None:
        return None
    return (
        f"(select * exclude (rank_latest) from ("
        f"select *, row_number() over (partition by id_number order by run_month desc) as rank_latest, "
        f"bool_or(status = 'receiving') over (partition by id_number) as ever_receiving from {roster}) "
        "where rank_latest = 1)"
    )


def id_links(reader: StateReader) -> pd.DataFrame:
    """Every ID correction accepted in the months read (IdCorrection + run_month), one per link."""
    source = reader.source("id_corrections")
    if source is None:
        return empty_frame(IdCorrection, run_month="str")
    return reader.frame(
        f"select * from {source} qualify row_number() over (partition by old_id_number, new_id_number "
        "order by run_month, source_file, source_row) = 1 order by old_id_number"
    )


def load_history(out: OutDir, opening_month: str, run_month: str) -> History:
    reader = StateReader(out, earlier_months(opening_month, run_month))
    empty = History.empty()
    try:
        people = _latest_people(reader)
        if people is None:
            return empty
        issued = reader.source("issued_lines")
        returned = reader.source("bank_returns")
        links = id_links(reader)
        previous = add_months(run_month, -1)
        return History(
            id_links=links,
            last_rows=reader.frame(
                f"select id_number, name, account_number, township_code from {people} "
                f"where run_month = '{previous}' order by id_number"
            ),
            ever_receiving=_followed(
                reader.frame(f"select id_number from {people} where ever_receiving order by id_number")["id_number"],
                links,
            ),
            participants=reader.frame(f"select id_number, township_code from {people} order by id_number"),
            issued_lines=empty.issued_lines
            if issued is None
            else reader.frame(f"select {', '.join(empty.issued_lines.columns)} from {issued}"),
            returned_lines=empty.returned_lines
            if returned is None
            else reader.frame(f"select batch_id, line_no from {returned}"),
        )
    finally:
        reader.close()


def _followed(ids: pd.Series, links: pd.DataFrame) -> pd.Series:
    """The IDs with the new ID of every corrected one added: the new ID carries the old one's past."""
    moved = links.loc[isin(links["old_id_number"], ids), "new_id_number"]
    return pd.concat([ids, moved], ignore_index=True).drop_duplicates().astype("str")


@dataclass(frozen=True)
class MoneyHistory:
    last_known: pd.DataFrame  # latest accepted roster row per person (+ run_month)
    deaths: pd.DataFrame  # every accepted death registration (+ run_month)
    death_conflicts: pd.DataFrame  # every DeathConflict (+ run_month)
    returns: pd.DataFrame  # every accepted bank return line (+ run_month)
    # The two tables that grow by a month's worth each month stay on disk as Arrow datasets:
    # DuckDB scans them in place, reading only the columns and row groups a step needs.
    issued_lines: pd.DataFrame | ds.Dataset  # every bank line issued (+ run_month)
    prior_ledger: pd.DataFrame | ds.Dataset  # every ledger entry of earlier months
    id_links: pd.DataFrame  # IdCorrection + run_month: every correction of earlier months


def load_money_history(out: OutDir, opening_month: str, run_month: str) -> MoneyHistory:
    months = earlier_months(opening_month, run_month)
    reader = StateReader(out, months)
    try:

        def everything(table: str, model) -> pd.DataFrame:
            source = reader.source(table)
            return empty_frame(model, run_month="str") if source is None else reader.frame(f"select * from {source}")

        people = _latest_people(reader)
        last_known = (
            empty_frame(Roster, run_month="str", ever_receiving="bool")
            if people is None
            else reader.frame(f"select * from {people} order by id_number")
        )
        ledger_files = [p for m in months if (p := out.ledger_partition(m) / "entries.parquet").is_file()]
        issued_files = reader.files("issued_lines")
        return MoneyHistory(
            last_known=last_known,
            deaths=everything("deaths", Death),
            death_conflicts=everything("death_conflicts", DeathConflict),
            returns=everything("bank_returns", BankReturn),
            issued_lines=_dataset(issued_files) if issued_files else empty_frame(BankLine, run_month="str"),
            prior_ledger=_dataset(ledger_files) if ledger_files else empty_ledger(),
            id_links=id_links(reader),
        )
    finally:
        reader.close()


def _dataset(files: list[Path]) -> ds.Dataset:
    return ds.dataset([str(p) for p in files], format="parquet")
