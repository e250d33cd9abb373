"""The counties' results as one month's: tables concatenated in the order the single-process
steps sort them, and the bank lines renumbered as one run numbers them (per batch, by township
then ID), their ledger entries pointing at the new numbers."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import pyarrow as pa

from pipeline.accounts import Accounts
from pipeline.entitlement import Entitlement
from pipeline.partition.county import CountyResult
from schemas.account import AccountBalance, AccountEntry, Award
from schemas.ledger import BankLine, LedgerEntry

# the order of each table as its SQL step sorts it (people: the step leaves it open, so by person)
PERSON_PERIOD = ["id_number", "period", "component"]
LEDGER_ORDER = ["id_number", "period", "component", "kind", "settlement", "entry_id"]
ACCOUNT_ORDER = ["id_number", "component", "year", "period"]
ACCOUNT_BALANCE_ORDER = ["id_number", "component", "year"]
# bank_lines.sql numbers the lines of a batch by township then ID (account: a tie it leaves open)
LINE_ORDER = ["batch_id", "township_code", "id_number", "account_number"]


def merge_counties(results: Sequence[CountyResult]) -> tuple[Entitlement, Accounts, pd.DataFrame]:
    """(entitlement, accounts, the account funds the money step read) of the whole month."""
    results = sorted(results, key=lambda r: r.county)
    parts = [r.entitlement for r in results]
    bank_lines, ledger = renumbered(results)
    entitlement = Entitlement(
        people=_concat([p.people for p in parts], ["id_number"]),
        deaths_in_force=_concat([p.deaths_in_force for p in parts], ["id_number"]),
        due=_concat_arrow([p.due for p in parts], PERSON_PERIOD),
        positions=_concat([p.positions for p in parts], PERSON_PERIOD),
        ledger=LedgerEntry.validate(ledger),
        bank_lines=BankLine.validate(bank_lines),
        balances=_concat_arrow([p.balances for p in parts], PERSON_PERIOD),  # rewritten by the merge step
        awards=Award.validate(_concat([p.awards for p in parts], ["id_number"])),
        account_pensions=_concat([p.account_pensions for p in parts], ["id_number"]),
        due_inputs=_concat_arrow([p.due_inputs for p in parts], ["id_number"]),
        due_rates=parts[0].due_rates,  # the policy's rates, the same in every county
        recomputed_people=_concat([p.recomputed_people for p in parts], ["id_number"]),
        # the months whose rates changed, the same in every county (a county with none computes every one)
        repriced_periods=_concat([p.repriced_periods for p in parts], ["period"]).drop_duplicates(ignore_index=True),
    )
    accounts = Accounts(
        entries=AccountEntry.validate(_concat([r.accounts.entries for r in results], ACCOUNT_ORDER)),
        balances=AccountBalance.validate(_concat([r.accounts.balances for r in results], ACCOUNT_BALANCE_ORDER)),
    )
    funds = _concat([r.credits.funds for r in results], ["id_number"])
    return entitlement, accounts, funds


def renumbered(results: Sequence[CountyResult]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(bank lines, ledger entries) of every county, each line numbered within its batch across
    the counties; a ledger entry keeps its line (county, batch, the county's number)."""
    lines = pd.concat([r.entitlement.bank_lines.assign(county=r.county) for r in results], ignore_index=True)
    ordered = lines.sort_values(LINE_ORDER, na_position="last", kind="stable")
    lines["merged_line_no"] = (ordered.groupby("batch_id").cumcount() + 1).reindex(lines.index).astype("int64")
    numbers = lines[["county", "batch_id", "line_no", "merged_line_no"]]
    ledger = pd.concat([r.entitlement.ledger.assign(county=r.county) for r in results], ignore_index=True)
    ledger = ledger.merge(numbers, how="left", on=["county", "batch_id", "line_no"], validate="many_to_one")
    ledger["line_no"] = ledger["merged_line_no"].astype("Int64")
    ledger = ledger.drop(columns=["county", "merged_line_no"])
    lines = lines.assign(line_no=lines["merged_line_no"]).drop(columns=["county", "merged_line_no"])
    return (
        lines.sort_values(["batch_id", "line_no"], ignore_index=True),
        ledger.sort_values(LEDGER_ORDER, kind="stable", ignore_index=True),
    )


def _concat(frames: list[pd.DataFrame], order: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True).sort_values(order, kind="stable", ignore_index=True)


def _concat_arrow(tables: list[pa.Table], order: list[str]) -> pa.Table:
    return pa.concat_tables(tables).sort_by([(column, "ascending") for column in order])
