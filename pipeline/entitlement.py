"""The money of a month, computed set-based in DuckDB from validated tables (no I/O, no clock).

Steps, each a SQL file producing one table: people -> deaths_in_force -> failed_accounts ->
reversals -> base_paid_before -> account_pensions -> due_inputs -> due_rates -> recomputed_people
-> repriced_periods -> due -> earlier_balances -> paid -> account_refunds -> due_in_force ->
positions -> entries -> bank_lines -> ledger -> balances -> awards.

Due is computed only where it can change (SPEC §5), the month's scope: for the people whose
inputs of due differ from the month before's (due_inputs), who were held or whose money came back,
in every month; for everyone in the months whose rates differ (due_rates) and the run month; every
funeral grant and account refund. Every other key's due is the latest month's whose scope held it
(due as of a month, SPEC §6), and had no gap: it is not read. Without the month before's inputs and
rates, or when the rules computing due changed (RULES_SHA256), everything is computed again: the
reference path of `payout verify` always does. The month's due, recomputed people and repriced
months are what its state stores.

The account component due is the award's account pension (SPEC §5a): the awards of earlier
months, and for a person not yet awarded the one this month would fix (account_pensions); the
people the month first pays a base pension are awarded it (awards).

What was paid and is still owed comes from the balances the month before carried (one table),
not from the whole ledger; without them (the reference path of `payout verify`, or a month
before balances were carried) the earlier entries are summed into the same table (ledger_sums).
Only the month's scope of them is read in (earlier_balances: the keys whose gap it judges or
settles), once the scope is known; before it, the people ever paid a base pension
(base_paid_before) are all the account pension needs of them.

A corrected ID (an ID correction links an old ID to a new one) is the new ID everywhere here: the
earlier months' entries, lines and death registrations of the old ID are read as the new ID's
(FOLLOWS_LINKS), and people.sql gives the old ID's last known row to the new ID.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.policy import Policy
from pipeline.sql.runner import connect, frame, literal, load_macros, materialise, sql_text
from schemas.account import AccountFunds, Award
from schemas.due_inputs import DueInput, DueRate, RecomputedPerson, RepricedPeriod
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.ledger import BankLine, LedgerEntry
from schemas.positions import Hold

STEPS = (
    "staging/people",
    "staging/deaths_in_force",
    "staging/failed_accounts",
    "ledger/reversals",
    "ledger/base_paid_before",
    "entitlement/account_pensions",
    "entitlement/due_inputs",
    "entitlement/due_rates",
    "entitlement/recomputed_people",
    "entitlement/repriced_periods",
    "entitlement/due",
    "ledger/earlier_balances",
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


def step_table(step: str) -> str:
    return step.split("/")[1]


def released_after(steps: tuple[str, ...] = STEPS) -> dict[str, tuple[str, ...]]:
    """step -> the tables no later step reads: once it has run they leave DuckDB (a result read
    out first), so that its memory holds only what is still to be read (at a December, due and
    the balances hold every period so far). A table's name anywhere in a later step's code (a CTE
    of that name too) keeps it."""
    last_reader = {step_table(step): step for step in steps}  # a table no step reads goes at once
    for step in steps:
        code = re.sub(r"--[^\n]*", "", sql_text(step)).lower()  # a word in a comment reads nothing
        words = set(re.findall(r"[a-z_][a-z0-9_]*", code))
        for earlier in steps[: steps.index(step)]:
            if step_table(earlier) in words:
                last_reader[step_table(earlier)] = step
    return {step: tuple(t for t, last in last_reader.items() if last == step) for step in steps}


RELEASED_AFTER = released_after()

# Tables of earlier months (and this month's registrations) whose id_number follows ID corrections.
FOLLOWS_LINKS = ("deaths", "death_conflicts", "issued_lines", "prior_ledger", "awards_before")

# Everything the due of a month is computed by: a month before computed under other rules is no
# basis to carry its due from.
RULES_SHA256 = hashlib.sha256("\0".join(sql_text(s) for s in ("macros", *STEPS)).encode()).hexdigest()


@dataclass(frozen=True)
class DueBefore:
    """What the month before computed due from: the basis to judge where due can change (SPEC §5)."""

    inputs: pd.DataFrame | pa.Table | ds.Dataset  # DueInput + run_month
    rates: pd.DataFrame  # DueRate + run_month
    holds: pd.DataFrame  # Hold (+ run_month): the gaps it left unsettled

    def carries_rules(self, rules_sha256: str) -> bool:
        return len(self.rates) > 0 and set(self.rates["rules_sha256"]) == {rules_sha256}


@dataclass(frozen=True)
class CarriedBalances:
    """The payment balances as a month carried them, on disk: each month's balances file holds
    only the periods its entries touched, so each period is read from the latest of these files
    holding it (SPEC §6)."""

    files: tuple[tuple[str, str], ...]  # (run month, its balances file), the months up to `month`
    month: str  # the run month whose balances these are


@dataclass(frozen=True)
class CarriedDue:
    """Due in force as a month left it, on disk: each month's due file holds only its scope (its
    recomputed people's keys, its repriced months' keys, every funeral grant and account refund),
    so each key is read from the latest month whose scope held it (macro due_as_of, SPEC §6)."""

    due_files: tuple[str, ...]  # every month's due file up to `month`
    recomputed_files: tuple[str, ...]  # their recomputed_people files
    repriced_files: tuple[str, ...]  # their repriced_periods files
    month: str


def due_as_of(result: Entitlement, before: CarriedDue | pa.Table | None) -> pa.Table:
    """A month's due (its scope) with every other key as the months before left it (before: on
    disk, or every key as of the month before; None: there are none): due in force as of the
    month, every key, in the order the step writes it."""
    if before is None:
        return result.due
    with connect() as con:
        load_macros(con)
        if isinstance(before, CarriedDue):
            due, recomputed, repriced = (
                "[" + ", ".join(literal(path) for path in group) + "]"
                for group in (before.due_files, before.recomputed_files, before.repriced_files)
            )
            con.execute(
                "create view before_due as "
                f"select * from due_as_of({due}, {recomputed}, {repriced}, {literal(before.month)})"
            )
        else:
            register(con, "before_due", before)
        register(con, "rewritten", result.due)
        register(con, "recomputed_people", result.recomputed_people)
        register(con, "repriced_periods", result.repriced_periods)
        columns = ", ".join(result.due.column_names)
        return con.sql(
            f"select {columns} from before_due "
            "where component not in ('funeral_grant', 'account_refund') "
            "and id_number not in (select id_number from recomputed_people) "
            "and period not in (select period from repriced_periods) "
            f"union all select {columns} from rewritten order by id_number, period, component"
        ).to_arrow_table()


def carried_query(con: duckdb.DuckDBPyConnection, balances: CarriedBalances) -> str:
    """A query of the balances as of balances.month (Balance + run_month: the month that last
    rewrote the row's period). Which month holds each period is found first (two columns read)
    and written into the query as a list of a row per period, which picks the rows (the auditors'
    macro carried_as_of finds them in one query, joining every row to a grouping of them: slower)."""
    files = ", ".join(literal(path) for _, path in balances.files)
    held = con.execute(
        f"select period, max(run_month) from read_parquet([{files}]) where run_month <= ? group by period "
        "order by period",
        [balances.month],
    ).fetchall()
    if not held:
        return f"select * from read_parquet([{files}]) where false"
    periods = ", ".join(f"({literal(period)}, {literal(month)})" for period, month in held)
    return (
        f"select * from read_parquet([{files}]) "
        f"semi join (values {periods}) as held(period, run_month) using (period, run_month)"
    )


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
    # Balance (+ run_month): the balances the month before carried (rows, or its files); None: sum
    # prior_ledger instead
    balances: pd.DataFrame | pa.Table | CarriedBalances | None = None
    # Award (+ run_month): every award of an account pension the month before carried
    awards: pd.DataFrame | pa.Table | ds.Dataset = field(default_factory=lambda: empty_frame(Award, run_month="str"))
    # AccountFunds: each account's balance once the month's credits are booked (pipeline/accounts.py)
    account_funds: pd.DataFrame = field(default_factory=lambda: empty_frame(AccountFunds))
    # the month before's due and what it was computed from; None: compute every key again
    due_before: DueBefore | None = None


@dataclass(frozen=True)
class Entitlement:
    people: pd.DataFrame
    deaths_in_force: pd.DataFrame
    due: pa.Table  # due_in_force: the scope's person x period x component due (kept in Arrow)
    recomputed_people: pd.DataFrame  # RecomputedPerson: the people whose due was computed in every month
    repriced_periods: pd.DataFrame  # RepricedPeriod: the months whose due was computed for everyone
    positions: pd.DataFrame  # the gaps the office acts on: holds and funeral grants (the rest is in the ledger)
    ledger: pd.DataFrame
    bank_lines: pd.DataFrame
    # Balance: the ledger's sums up to this month of the periods its entries touched, carried to the next
    balances: pa.Table
    awards: pd.DataFrame  # Award: every award so far, this month's new ones included
    account_pensions: pd.DataFrame  # each person's account pension a month, the basis, whether awarded
    due_inputs: pa.Table  # DueInput: what due read of each person, for the next month to compare
    due_rates: pd.DataFrame  # DueRate: the rates due was computed at, each month


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
                    "rules_sha256": RULES_SHA256,
                    "balances_in_full": inputs.balances is None,
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
            *due_basis(inputs.due_before).items(),
        ):
            register(con, f"{name}_as_filed" if name in FOLLOWS_LINKS else name, table)
        for name in FOLLOWS_LINKS:
            _follow_links(con, name)
        _balances_before(con, inputs.balances)
        load_macros(con)
        results = {}
        for step in STEPS:
            materialise(con, step, step_table(step))
            for table in RELEASED_AFTER[step]:
                if table in READ_OUT:
                    results[table] = READ_OUT[table](con, table)  # a copy
                con.execute(f"drop table {table}")
        return Entitlement(
            people=results["people"],
            deaths_in_force=results["deaths_in_force"],
            due=results["due_in_force"],
            positions=results["positions"],
            ledger=LedgerEntry.validate(results["ledger"]),
            bank_lines=BankLine.validate(results["bank_lines"]),
            balances=results["balances"],
            awards=Award.validate(results["awards"]),
            account_pensions=results["account_pensions"],
            due_inputs=results["due_inputs"],
            due_rates=DueRate.validate(results["due_rates"]),
            recomputed_people=RecomputedPerson.validate(results["recomputed_people"]),
            repriced_periods=RepricedPeriod.validate(results["repriced_periods"]),
        )


def _balances_before(
    con: duckdb.DuckDBPyConnection, balances: pd.DataFrame | pa.Table | CarriedBalances | None
) -> None:
    """balances_before: as the month before carried it, or summed from prior_ledger_as_filed."""
    if balances is None:
        materialise(con, "ledger/ledger_sums", "balances_before")
    else:
        register(con, "balances_before", balances)


def month_balances(ledger: pd.DataFrame, inputs: EntitlementInputs) -> pa.Table:
    """The balances step alone, over a month's whole ledger (the partitioned run's merge: a
    county's entries touch periods another county's may not, and the month rewrites them all)."""
    with connect() as con:
        register(con, "params", pd.DataFrame([{"balances_in_full": inputs.balances is None}]))
        register(con, "ledger", ledger)
        if inputs.balances is None:  # summed from the earlier ledger
            register(con, "prior_ledger_as_filed", inputs.prior_ledger)
        _balances_before(con, inputs.balances)
        return con.sql(sql_text("ledger/balances")).to_arrow_table()


def carried_rows(balances: CarriedBalances) -> pa.Table:
    """The balances as a month carried them, every period (Balance + run_month)."""
    with connect() as con:
        return con.sql(carried_query(con, balances)).to_arrow_table()


def balances_as_of(rewritten: pa.Table, before: pd.DataFrame | pa.Table | None) -> pa.Table:
    """A month's balances (the periods it rewrote) with every other period as the month before
    carried it (before: every period, or None when it carried none): the balances as of the month,
    as the next month reads them, in the order the step writes them."""
    if before is None:
        return rewritten
    with connect() as con:
        register(con, "rewritten", rewritten)
        register(con, "before", before)
        columns = ", ".join(rewritten.column_names)
        return con.sql(
            f"select {columns} from before where period not in (select period from rewritten) "
            f"union all select {columns} from rewritten order by id_number, period, component"
        ).to_arrow_table()


def _arrow(con: duckdb.DuckDBPyConnection, name: str) -> pa.Table:
    return con.table(name).to_arrow_table()


def _holds_and_grants(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    """The gaps the office acts on; the rest of the positions are in the ledger."""
    held_or_grant = "action = 'hold' or component in ('funeral_grant', 'account_refund')"
    return frame(con, name, where=held_or_grant, order_by="id_number, period, component")


# The step tables the result is read from, and how each leaves DuckDB (large ones as Arrow)
READ_OUT: dict[str, Callable[[duckdb.DuckDBPyConnection, str], pd.DataFrame | pa.Table]] = {
    "people": frame,
    "deaths_in_force": frame,
    "due_in_force": _arrow,
    "positions": _holds_and_grants,
    "ledger": frame,
    "bank_lines": frame,
    "balances": _arrow,
    "awards": frame,
    "account_pensions": frame,
    "due_inputs": _arrow,
    "due_rates": frame,
    "recomputed_people": partial(frame, order_by="id_number"),
    "repriced_periods": partial(frame, order_by="period"),
}


def due_carried_by(result: Entitlement, run_month: str) -> DueBefore:
    """What the month after judges due's scope from, as the month's state stores it (pipeline/state.py)."""
    return DueBefore(
        inputs=result.due_inputs.append_column(
            "run_month", pa.array([run_month] * result.due_inputs.num_rows, pa.string())
        ),
        rates=result.due_rates.assign(run_month=run_month),
        holds=result.positions.loc[result.positions["action"] == "hold", ["id_number"]],
    )


def due_basis(before: DueBefore | None) -> dict[str, pd.DataFrame | pa.Table | ds.Dataset]:
    """The month before's inputs, rates and holds to judge due's scope from; empty (every key is
    computed again) without them or when they were computed under other rules."""
    if before is None or not before.carries_rules(RULES_SHA256):
        before = DueBefore(
            inputs=empty_frame(DueInput, run_month="str"),
            rates=empty_frame(DueRate, run_month="str"),
            holds=empty_frame(Hold, run_month="str"),
        )
    return {
        "due_inputs_before": before.inputs,
        "due_rates_before": before.rates,
        "holds_before": before.holds,
    }


def _follow_links(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """The table as filed, with a corrected (old) ID read as its new ID: the new ID's history is
    the old one's (a view: the earlier months' Parquet is still scanned in place)."""
    con.execute(
        f"create or replace view {name} as "
        f"select t.* replace (coalesce(l.new_id_number, t.id_number) as id_number) "
        f"from {name}_as_filed as t left join id_links as l on t.id_number = l.old_id_number"
    )


def register(
    con: duckdb.DuckDBPyConnection, name: str, table: pd.DataFrame | pa.Table | ds.Dataset | CarriedBalances
) -> None:
    """Tables are scanned in place, never copied: frames and Arrow tables through DuckDB's
    replacement scan, and a Parquet dataset (the earlier months' ledger and bank lines) by
    DuckDB's own Parquet reader, which reads in parallel only the columns and row groups a step
    needs (faster than scanning it through Arrow's dataset API). Carried balances: each period
    from the latest file holding it."""
    if isinstance(table, CarriedBalances):
        con.execute(f"create or replace view {name} as {carried_query(con, table)}")
    elif isinstance(table, ds.FileSystemDataset) and table.format.default_extname == "parquet":
        con.read_parquet(table.files).create_view(name)
    else:
        con.register(name, table)
