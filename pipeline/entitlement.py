"""The money of a month, computed set-based in DuckDB from validated tables (no I/O, no clock).

Steps, each a SQL file producing one table: people -> deaths_in_force -> failed_accounts ->
reversals -> earlier_balances -> account_pensions -> due -> paid -> account_refunds ->
due_in_force -> positions -> entries -> bank_lines -> ledger -> balances -> awards.

The account component due is the award's account pension (SPEC §5a): the awards of earlier
months, and for a person not yet awarded the one this month would fix (account_pensions); the
people the month first pays a base pension are awarded it (awards).

What was paid and is still owed comes from the balances the month before carried (one table),
not from the whole ledger; without them (the reference path of `payout verify`, or a month
before balances were carried) the earlier entries are summed into the same table (ledger_sums).

A corrected ID (an ID correction links an old ID to a new one) is the new ID everywhere here: the
earlier months' entries, lines and death registrations of the old ID are read as the new ID's
(FOLLOWS_LINKS), and people.sql gives the old ID's last known row to the new ID.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.policy import Policy
from pipeline.sql.runner import connect, frame, load_macros, materialise
from schemas.account import AccountFunds, Award
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.ledger import BankLine, LedgerEntry

STEPS = (
    "staging/people",
    "staging/deaths_in_force",
    "staging/failed_accounts",
    "ledger/reversals",
    "ledger/earlier_balances",
    "entitlement/account_pensions",
    "entitlement/due",
    "ledger/paid",
    "entitlement/account_refunds",
    "entitlement/due_in_force",
    "ledger/positions",
    "ledger/entries",
    "ledger/bank_lines",
    "ledger/ledger",
    "ledger/balances",
    "entitlement/awards",
)

# Tables of earlier months (and this month's registrations) whose id_number follows ID corrections.
FOLLOWS_LINKS = ("deaths", "death_conflicts", "issued_lines", "prior_ledger", "awards_before")


@dataclass(frozen=True)
class EntitlementInputs:
    run_month: str
    roster: pd.DataFrame  # Roster: this month's accepted participants
    rejected_ids: pd.Series  # IDs whose roster row was rejected this month
    last_known: pd.DataFrame  # Roster + run_month: latest accepted row of each person, earlier months
    deaths: pd.DataFrame  # Death + run_month: every accepted registration so far, this month included
    death_conflicts: pd.DataFrame  # DeathConflict + run_month: registrations rejected together, so far
    returns_so_far: pd.DataFrame  # BankReturn + run_month: accepted return lines, this month included
    bank_returns: pd.DataFrame  # BankReturn: this month's accepted return lines
    # BankLine + run_month: every line issued by earlier months (a frame, Arrow table or dataset)
    issued_lines: pd.DataFrame | pa.Table | ds.Dataset
    # LedgerEntry: entries of earlier months (a frame, Arrow table or dataset): every one when
    # balances is None; else at least those of the months whose bank lines came back failed
    prior_ledger: pd.DataFrame | pa.Table | ds.Dataset
    # IdCorrection + run_month: every ID correction accepted so far, this month's included
    id_links: pd.DataFrame = field(default_factory=lambda: empty_frame(IdCorrection, run_month="str"))
    # Balance (+ run_month): the balances the month before carried; None: sum prior_ledger instead
    balances: pd.DataFrame | pa.Table | ds.Dataset | None = None
    # Award (+ run_month): every award of an account pension the month before carried
    awards: pd.DataFrame | pa.Table | ds.Dataset = field(default_factory=lambda: empty_frame(Award, run_month="str"))
    # AccountFunds: each account's balance once the month's credits are booked (pipeline/accounts.py)
    account_funds: pd.DataFrame = field(default_factory=lambda: empty_frame(AccountFunds))


@dataclass(frozen=True)
class Entitlement:
    people: pd.DataFrame
    deaths_in_force: pd.DataFrame
    due: pa.Table  # due_in_force: every person x period x component due (large: kept in Arrow)
    positions: pd.DataFrame  # the gaps the office acts on: holds and funeral grants (the rest is in the ledger)
    ledger: pd.DataFrame
    bank_lines: pd.DataFrame
    balances: pa.Table  # Balance: the ledger's sums up to this month, carried to the next (large: Arrow)
    awards: pd.DataFrame  # Award: every award so far, this month's new ones included
    account_pensions: pd.DataFrame  # each person's account pension a month, the basis, whether awarded


def compute_entitlement(inputs: EntitlementInputs, policy: Policy) -> Entitlement:
    with connect() as con:
        params = pd.DataFrame(
            [
                {
                    "opening_month": policy.opening_month,
                    "run_month": inputs.run_month,
                    "pension_age_male": policy.pension_age_male,
                    "pension_age_female": policy.pension_age_female,
                    "topup_age": policy.topup_age,
                    "funeral_grant_months": policy.funeral_grant_months,
                    "account_divisor": policy.divisor_in(inputs.run_month),
                }
            ]
        )
        for name, table in (
            ("params", params),
            ("rates", policy.rates[["from_month", "base_fen", "topup65_fen"]]),
            ("roster", inputs.roster),
            ("rejected_ids", pd.DataFrame({"id_number": inputs.rejected_ids.astype("str")})),
            ("last_known", inputs.last_known),
            ("deaths", inputs.deaths),
            ("death_conflicts", inputs.death_conflicts),
            ("returns_so_far", inputs.returns_so_far),
            ("bank_returns", inputs.bank_returns),
            ("issued_lines", inputs.issued_lines),
            ("prior_ledger", inputs.prior_ledger),
            ("id_links", inputs.id_links[["old_id_number", "new_id_number"]]),
            ("awards_before", inputs.awards),
            ("account_funds", inputs.account_funds),
        ):
            register(con, f"{name}_as_filed" if name in FOLLOWS_LINKS else name, table)
        for name in FOLLOWS_LINKS:
            _follow_links(con, name)
        if inputs.balances is None:
            materialise(con, "ledger/ledger_sums", "balances_before")
        else:
            register(con, "balances_before", inputs.balances)
        load_macros(con)
        for step in STEPS:
            materialise(con, step, step.split("/")[1])
        return Entitlement(
            people=frame(con, "people"),
            deaths_in_force=frame(con, "deaths_in_force"),
            due=con.table("due_in_force").to_arrow_table(),
            positions=frame(
                con, "positions", where="action = 'hold' or component in ('funeral_grant', 'account_refund')"
            ),
            ledger=LedgerEntry.validate(frame(con, "ledger")),
            bank_lines=BankLine.validate(frame(con, "bank_lines")),
            balances=con.table("balances").to_arrow_table(),
            awards=Award.validate(frame(con, "awards")),
            account_pensions=frame(con, "account_pensions"),
        )


def _follow_links(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The table as filed, with a corrected (old) ID read as its new ID: the new ID's history is
    the old one's (a view: the earlier months' Parquet is still scanned in place)."""
    con.execute(
        f"create or replace view {name} as "
        f"select t.* replace (coalesce(l.new_id_number, t.id_number) as id_number) "
        f"from {name}_as_filed as t left join id_links as l on t.id_number = l.old_id_number"
    )


def register(con: duckdb.DuckDBPyConnection, name: str, table: pd.DataFrame | pa.Table | ds.Dataset) -> None:
    """Tables are scanned in place, never copied: frames and Arrow tables through DuckDB's
    replacement scan, and a Parquet dataset (the earlier months' ledger and bank lines) by
    DuckDB's own Parquet reader, which reads in parallel only the columns and row groups a step
    needs (faster than scanning it through Arrow's dataset API)."""
    if isinstance(table, ds.FileSystemDataset) and table.format.default_extname == "parquet":
        con.read_parquet(table.files).create_view(name)
    else:
        con.register(name, table)
