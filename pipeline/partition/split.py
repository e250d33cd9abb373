"""The month's validated tables and its history, split by county through the person index (the
global step's shuffle): each county gets every row of its people and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.core.idcard import normalise
from pipeline.entitlement import DueBefore, carried_rows
from pipeline.ingest.inputs import RawInputs
from pipeline.partition.index import counties_of, returned_line_owners
from pipeline.policy import Policy
from pipeline.state import History
from pipeline.validate.month import ValidatedMonth

Table = pd.DataFrame | pa.Table


@dataclass(frozen=True)
class CountyHistory(History):
    """A county's share of the history. The reversals of failed bank lines read whole earlier
    ledger partitions (History.entries_of): here only the county's people's entries of them."""

    county: str = ""
    index: pd.Series | None = None  # the person index (id_number -> county)
    first_county: str = ""  # where an ID the index does not know goes (index.counties_of)

    def entries_of(self, months: set[str]) -> pd.DataFrame | pa.Table:
        entries = super().entries_of(months)
        table = entries.to_table() if isinstance(entries, ds.Dataset) else entries
        return _rows_of(table, _county_column(table, "id_number", self.index, self.first_county), self.county)


@dataclass(frozen=True)
class CountyPart:
    """What one county's task computes its money from."""

    county: str
    raw: RawInputs  # only the contributions (the accounts step validates them); the rest is validated
    validated: ValidatedMonth
    history: CountyHistory

    @property
    def people(self) -> int:
        return len(self.validated.roster)


def split_month(
    raw: RawInputs, validated: ValidatedMonth, past: History, index: pd.Series, policy: Policy
) -> list[CountyPart]:
    """One part per county of the policy, in county order."""
    first = policy.county_codes[0]
    owners = returned_line_owners(past.issued_lines)

    def by_id(table: Table | ds.Dataset | None, column: str = "id_number", *, written: bool = False):
        if table is None:
            return dict.fromkeys(policy.county_codes)
        table = table.to_table() if isinstance(table, ds.Dataset) else table
        ids = _column(table, column)
        county = _county_column(table, column, index, first, ids=normalise(ids) if written else None)
        return {c: _rows_of(table, county, c) for c in policy.county_codes}

    def by_line(returns: pd.DataFrame):
        """A return line goes where the person of the issued line it answers is."""
        keyed = returns[["batch_id", "line_no"]].merge(owners, how="left", on=["batch_id", "line_no"])
        county = counties_of(keyed["id_number"], index, first)
        return {c: _rows_of(returns, county, c) for c in policy.county_codes}

    validated_parts = {
        "roster": by_id(validated.roster),
        "deaths": by_id(validated.deaths),
        "death_conflicts": by_id(validated.death_conflicts),
        "bank_returns": by_line(validated.bank_returns),
        "rejects": by_id(validated.rejects, written=True),
        "id_corrections": by_id(validated.id_corrections, "new_id_number"),
        "opening_balances": by_id(validated.opening_balances),
    }
    history_parts = {
        "last_known": by_id(past.last_known),
        "deaths": by_id(past.deaths),
        "death_conflicts": by_id(past.death_conflicts),
        "returns": by_line(past.returns),
        "issued_lines": by_id(past.issued_lines),
        "prior_ledger": by_id(past.prior_ledger),
        "id_links": by_id(past.id_links, "new_id_number"),
        "prior_accounts": by_id(past.prior_accounts),
        "balances": by_id(None if past.balances is None else carried_rows(past.balances)),
        "account_balances": by_id(past.account_balances),
        "awards": by_id(past.awards),
    }
    due_before = _due_before_by_county(past.due_before, by_id, policy.county_codes)
    contributions = {year: by_id(rows, written=True) for year, rows in raw.contributions.items()}
    untouched = {f.name: getattr(past, f.name) for f in fields(History) if f.name not in {*history_parts, "due_before"}}
    nothing = {name: getattr(raw, name).iloc[:0] for name in ("rosters", "deaths", "bank_returns")}
    return [
        CountyPart(
            county=county,
            raw=replace(
                raw,
                **nothing,
                id_corrections=raw.id_corrections.iloc[:0],
                opening_balances=raw.opening_balances.iloc[:0],
                contributions={year: parts[county] for year, parts in contributions.items()},
            ),
            validated=replace(validated, **{name: parts[county] for name, parts in validated_parts.items()}),
            history=CountyHistory(
                **untouched,
                **{name: parts[county] for name, parts in history_parts.items()},
                due_before=due_before[county],
                county=county,
                index=index,
                first_county=first,
            ),
        )
        for county in policy.county_codes
    ]


def _due_before_by_county(before: DueBefore | None, by_id, counties: list[str]) -> dict[str, DueBefore | None]:
    """The month before's due inputs and holds of each county's people; its rates are everyone's."""
    if before is None:
        return dict.fromkeys(counties)
    inputs, holds = by_id(before.inputs), by_id(before.holds)
    return {c: DueBefore(inputs=inputs[c], rates=before.rates, holds=holds[c]) for c in counties}


def _column(table: Table, column: str) -> pd.Series:
    return table[column].astype("str") if isinstance(table, pd.DataFrame) else table.column(column).to_pandas()


def _county_column(
    table: Table, column: str, index: pd.Series, first: str, *, ids: pd.Series | None = None
) -> np.ndarray:
    return counties_of(_column(table, column) if ids is None else ids, index, first)


def _rows_of(table: Table, county: np.ndarray, code: str) -> Table:
    mine = county == code
    if isinstance(table, pd.DataFrame):
        return table[mine].reset_index(drop=True)
    return table.filter(pa.array(mine, pa.bool_()))
