"""The month's stored state, named once: every table a run keeps for later months, the auditors
and the indicators, with its contract (a pandera model) and its file under the output folder.

Python writes the tables with `write_state` and reads them back with `read_history`; SQL (the
audit views, the indicators) finds them through the `*_files` variables of `file_variables_sql`,
never through paths of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from pipeline.core.frames import isin
from pipeline.core.months import add_months, month_range
from pipeline.emit.files import write_parquet
from pipeline.entitlement import CarriedBalances, CarriedDue, DueBefore
from pipeline.paths import MONTH_GLOB, OutDir
from pipeline.sql.runner import connect, literal
from pipeline.validate.month import PastMonths
from schemas.account import AccountBalance, AccountEntry, Award
from schemas.balances import Balance
from schemas.bank_return import BankReturn
from schemas.death import Death, DeathConflict
from schemas.due_inputs import DueInput, DueRate, RecomputedPerson, RepricedPeriod
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.ledger import BankLine, LedgerEntry, empty_ledger
from schemas.positions import Due, Hold
from schemas.roster import Roster


@dataclass(frozen=True)
class StoredTable:
    name: str
    model: type[pa.DataFrameModel]
    about: str
    added: tuple[str, ...] = ("run_month",)  # columns stored besides the model's
    stamped: bool = True  # the run adds run_month (False: the rows carry their own)

    @property
    def columns(self) -> list[str]:
        return [*self.model.to_schema().columns, *self.added]

    @property
    def variable(self) -> str:
        """The DuckDB variable holding the glob of this table's files under the output folder."""
        return f"{self.name}_files"


STATE_TABLES = (
    StoredTable("roster", Roster, "the month's accepted roster rows"),
    StoredTable("deaths", Death, "the month's accepted death registrations"),
    StoredTable("death_conflicts", DeathConflict, "registrations of one ID rejected together (dates disagree)"),
    StoredTable("bank_returns", BankReturn, "the month's accepted bank return lines"),
    StoredTable("issued_lines", BankLine, "every bank line the month issued"),
    StoredTable(
        "due",
        Due,
        "due in force of the month's scope (its recomputed people in every month, everyone in its repriced "
        "months, every funeral grant and account refund), as the month computed it; every other key is as "
        "the latest month whose scope held it left it (due as of a month: macro due_as_of)",
    ),
    StoredTable(
        "recomputed_people",
        RecomputedPerson,
        "the people whose due the month computed in every month: its due file holds all their keys still due",
    ),
    StoredTable(
        "repriced_periods",
        RepricedPeriod,
        "the months whose due the month computed for everyone: its due file holds all their keys still due",
    ),
    StoredTable(
        "last_known",
        Roster,
        "everyone ever on a roster by their latest accepted row (run_month: that row's month)",
        added=("run_month", "ever_receiving"),
        stamped=False,
    ),
    StoredTable("holds", Hold, "the gaps the month held, with why"),
    StoredTable(
        "due_inputs",
        DueInput,
        "every value of each person the month's due was computed from (the next month computes due "
        "again for the people whose values differ)",
    ),
    StoredTable(
        "due_rates",
        DueRate,
        "the rates in force each month from the opening month, and the rules' hash, the month's due "
        "was computed at (the next month computes due again for the months whose row differs)",
    ),
    StoredTable("id_corrections", IdCorrection, "the month's accepted ID corrections"),
    StoredTable("account_entries", AccountEntry, "the month's entries of the personal accounts (SPEC §5a)"),
    StoredTable(
        "account_balances",
        AccountBalance,
        "the account ledger's sums up to this month per person x component x year (a cache of the "
        "account entries; the next month starts from it)",
    ),
    StoredTable("awards", Award, "every award of an account pension so far (SPEC §5a), carried month to month"),
    StoredTable(
        "balances",
        Balance,
        "the ledger's sums up to this month per person x period x component, for the periods the month's "
        "entries touched (a cache of the ledger; the next month starts from it, every other period as the "
        "month that last rewrote it left it)",
    ),
)
CATALOGUE = {table.name: table for table in STATE_TABLES}
LEDGER = StoredTable("entries", LedgerEntry, "the month's ledger entries", added=(), stamped=False)


def state_file(state_folder: Path, name: str) -> Path:
    return state_folder / f"{CATALOGUE[name].name}.parquet"


def ledger_file(partition: Path) -> Path:
    return partition / f"{LEDGER.name}.parquet"


def write_state(state_folder: Path, ledger_partition: Path, run_month: str, tables: Mapping[str, object]) -> None:
    """Every stored table of the month (and its ledger entries) to its file. A table missing, unknown
    or with other columns than its contract is a defect of the code: stop before anything is kept."""
    if set(tables) != set(CATALOGUE) | {LEDGER.name}:
        raise ValueError(f"state tables {sorted(tables)} differ from the catalogue {sorted(CATALOGUE)} + entries")
    stored = []
    for name, table in tables.items():
        spec = LEDGER if name == LEDGER.name else CATALOGUE[name]
        if spec.stamped:
            table = with_run_month(table, run_month)
        columns = list(table.column_names if isinstance(table, pa_arrow.Table) else table.columns)
        if columns != spec.columns:
            raise ValueError(f"state table {name} has columns {columns}, its contract {spec.columns}")
        stored.append((table, ledger_file(ledger_partition) if spec is LEDGER else state_file(state_folder, name)))
    for table, path in stored:
        write_parquet(table, path)


def with_run_month(table: pd.DataFrame | pa_arrow.Table, month: str) -> pd.DataFrame | pa_arrow.Table:
    if isinstance(table, pa_arrow.Table):
        months = pa_arrow.array([month], pa_arrow.string()).take(
            pa_arrow.array(np.zeros(table.num_rows, dtype=np.int32))
        )
        return table.append_column("run_month", months)
    return table.assign(run_month=month)


def file_patterns() -> dict[str, str]:
    """variable -> glob, relative to the output folder, of every kind of file the SQL reads."""
    return {
        **{t.variable: f"{MONTH_GLOB}/state/{t.name}.parquet" for t in STATE_TABLES},
        "ledger_files": "ledger/run_month=*/*.parquet",  # every Parquet file of a partition is ledger
        "status_files": f"{MONTH_GLOB}/status.json",
        "manifest_files": f"{MONTH_GLOB}/manifest.json",
        "bank_control_files": f"{MONTH_GLOB}/bank/*.control.json",
    }


def month_file_patterns(month: str) -> dict[str, str]:
    """file_patterns() narrowed to the files of one run month (same variables)."""
    return {
        name: glob.replace(MONTH_GLOB, month).replace("run_month=*", f"run_month={month}")
        for name, glob in file_patterns().items()
    }


def file_variables_sql() -> str:
    """`set variable` statements naming the files for the audit views and the indicators (run
    inside the output folder, or with file_search_path set to it)."""
    return "\n".join(f"set variable {name} = {literal(glob)};" for name, glob in file_patterns().items())


@dataclass(frozen=True)
class History:
    """What the months before the run month left behind, as one object read through one
    connection. The two tables that grow by a month's worth each month stay on disk as Arrow
    datasets: DuckDB scans them in place, reading only the columns and row groups a step needs."""

    last_known: pd.DataFrame  # Roster + run_month + ever_receiving: latest accepted row per person
    deaths: pd.DataFrame  # Death + run_month: every accepted registration
    death_conflicts: pd.DataFrame  # DeathConflict + run_month
    returns: pd.DataFrame  # BankReturn + run_month: every accepted bank return line
    issued_lines: pd.DataFrame | ds.Dataset  # BankLine + run_month: every bank line issued
    prior_ledger: pd.DataFrame | ds.Dataset  # LedgerEntry: every entry of earlier months
    id_links: pd.DataFrame  # IdCorrection + run_month: one row per correction of earlier months
    # AccountEntry + run_month: every account entry of earlier months (on disk, like the ledger)
    prior_accounts: pd.DataFrame | ds.Dataset = field(
        default_factory=lambda: empty_frame(AccountEntry, run_month="str")
    )
    # Balance + run_month: the balances the month before carried, every period from the file of the
    # month that last rewrote it (None: the month before carried none)
    balances: CarriedBalances | None = None
    # AccountBalance + run_month: the account balances the month before carried (None: it carried none)
    account_balances: ds.Dataset | None = None
    # Award + run_month: every award so far, as the month before carried them
    awards: pd.DataFrame | ds.Dataset = field(default_factory=lambda: empty_frame(Award, run_month="str"))
    ledger_partitions: Mapping[str, Path] = field(default_factory=dict)  # month -> its entries file
    # the month before's due inputs and rates, and its holds (None: it stored none of them, so every
    # key is computed again)
    due_before: DueBefore | None = None
    # due in force as the month before left it: every month's due file and scope (None: no month
    # stored them)
    due: CarriedDue | None = None

    def entries_of(self, months: set[str]) -> pd.DataFrame | ds.Dataset:
        """The earlier entries of these months only (a month's bank batches are in its own partition)."""
        files = [path for month, path in self.ledger_partitions.items() if month in months]
        return _dataset(files) if files else empty_ledger()

    def for_validation(self, run_month: str, returned_batches: pd.Series) -> PastMonths:
        """What this month's validation rules need of it. returned_batches: the batch ids this
        month's bank returns name (a return can only answer a line of its batch: the lines of
        the others, every month's, are not read)."""
        people = self.last_known
        issued = self.issued_lines
        columns = list(PastMonths.empty().issued_lines.columns)
        batches = sorted(set(returned_batches.astype("str")))
        if isinstance(issued, ds.Dataset):
            named = pa_arrow.array(batches, issued.schema.field("batch_id").type)
            issued = issued.to_table(columns=columns, filter=ds.field("batch_id").isin(named)).to_pandas()
        else:
            issued = issued.loc[isin(issued["batch_id"], pd.Series(batches, dtype="str")), columns]
        previous = people[people["run_month"] == add_months(run_month, -1)]
        return PastMonths(
            id_links=self.id_links,
            last_rows=previous[["id_number", "name", "account_number", "township_code"]].reset_index(drop=True),
            ever_receiving=_followed(
                people.loc[people["ever_receiving"].fillna(False).astype(bool), "id_number"], self.id_links
            ),
            participants=people[["id_number", "township_code"]].reset_index(drop=True),
            issued_lines=issued,
            returned_lines=self.returns[["batch_id", "line_no"]].reset_index(drop=True),
        )


def _followed(ids: pd.Series, links: pd.DataFrame) -> pd.Series:
    """The IDs with the new ID of every corrected one added: the new ID carries the old one's past."""
    moved = links.loc[isin(links["old_id_number"], ids), "new_id_number"]
    return pd.concat([ids, moved], ignore_index=True).drop_duplicates().astype("str").reset_index(drop=True)


def read_history(out: OutDir, opening_month: str, run_month: str) -> History:
    months = month_range(opening_month, add_months(run_month, -1))
    con = connect()

    def files(name: str) -> list[Path]:
        return [p for m in months if (p := state_file(out.state(m), name)).is_file()]

    def source(name: str) -> str | None:
        found = files(name)
        return f"read_parquet([{', '.join(literal(p) for p in found)}], union_by_name = true)" if found else None

    def frame(query: str) -> pd.DataFrame:
        return con.sql(query).to_arrow_table().to_pandas()

    def everything(name: str) -> pd.DataFrame:
        found = source(name)
        return empty_frame(CATALOGUE[name].model, run_month="str") if found is None else frame(f"select * from {found}")

    try:
        people = _latest_people(months, source, lambda m: state_file(out.state(m), "last_known"))
        links = source("id_corrections")
        partitions = {m: p for m in months if (p := ledger_file(out.ledger_partition(m))).is_file()}
        ledger_files = list(partitions.values())
        issued_files = files("issued_lines")
        account_files = files("account_entries")
        balance_files = tuple((m, str(p)) for m in months if (p := state_file(out.state(m), "balances")).is_file())
        carried_accounts = state_file(out.state(months[-1]), "account_balances") if months else None
        awards = state_file(out.state(months[-1]), "awards") if months else None
        return History(
            last_known=empty_frame(Roster, run_month="str", ever_receiving="bool")
            if people is None
            else frame(f"select * from {people} order by id_number"),
            deaths=everything("deaths"),
            death_conflicts=everything("death_conflicts"),
            returns=everything("bank_returns"),
            issued_lines=_dataset(issued_files) if issued_files else empty_frame(BankLine, run_month="str"),
            prior_ledger=_dataset(ledger_files) if ledger_files else empty_ledger(),
            balances=CarriedBalances(balance_files, months[-1])
            if months and state_file(out.state(months[-1]), "balances").is_file()
            else None,
            ledger_partitions=partitions,
            id_links=empty_frame(IdCorrection, run_month="str")
            if links is None
            else frame(
                f"select * from {links} qualify row_number() over (partition by old_id_number, new_id_number "
                "order by run_month, source_file, source_row) = 1 order by old_id_number"
            ),
            prior_accounts=_dataset(account_files) if account_files else empty_frame(AccountEntry, run_month="str"),
            account_balances=_dataset([carried_accounts])
            if carried_accounts is not None and carried_accounts.is_file()
            else None,
            awards=_dataset([awards])
            if awards is not None and awards.is_file()
            else empty_frame(Award, run_month="str"),
            due_before=_due_before(out.state(months[-1])) if months else None,
            due=_carried_due(files, months),
        )
    finally:
        con.close()


def _carried_due(files, months: list[str]) -> CarriedDue | None:
    """Every month's due file and scope, if every month stored all three."""
    groups = [tuple(str(p) for p in files(name)) for name in ("due", "recomputed_people", "repriced_periods")]
    if not months or any(len(group) != len(months) for group in groups):
        return None
    return CarriedDue(*groups, month=months[-1])


def _due_before(state: Path) -> DueBefore | None:
    paths = {name: state_file(state, name) for name in ("due_inputs", "due_rates", "holds")}
    if not all(path.is_file() for path in paths.values()):
        return None
    return DueBefore(
        inputs=_dataset([paths["due_inputs"]]),
        rates=pq.read_table(paths["due_rates"]).to_pandas(),
        holds=pq.read_table(paths["holds"], columns=["id_number"]).to_pandas(),
    )


def _latest_people(months: list[str], source, last_known_file) -> str | None:
    """A query for the last_known table as of the month before the run (None: no history). The
    last month's file holds it; rebuilt from the rosters when that month predates the table."""
    if months and (last := last_known_file(months[-1])).is_file():
        return f"read_parquet({literal(last)})"
    roster = source("roster")
    if roster is None:
        return None
    return (
        f"(select * exclude (rank_latest) from ("
        f"select *, row_number() over (partition by id_number order by run_month desc) as rank_latest, "
        f"bool_or(status = 'receiving') over (partition by id_number) as ever_receiving from {roster}) "
        "where rank_latest = 1)"
    )


def _dataset(files: list[Path]) -> ds.Dataset:
    return ds.dataset([str(p) for p in files], format="parquet")


def carried_forward(last_known: pd.DataFrame, roster: pd.DataFrame, month: str) -> pd.DataFrame:
    """Everyone ever on a roster, by their latest accepted row (this month's when on it), with
    whether they were ever receiving: next month's last_known in one table."""
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
