"""The money of a month, computed set-based in DuckDB from validated tables (no I/O, no clock).

Steps, each a SQL file producing one table: people -> deaths_in_force -> failed_accounts -> due
-> reversals -> positions -> entries -> bank_lines -> ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline.policy import Policy
from pipeline.sql import connect, materialise
from schemas.ledger import BankLine, LedgerEntry


@dataclass(frozen=True)
class MoneyInputs:
    run_month: str
    roster: pd.DataFrame  # Roster: this month's accepted participants
    rejected_ids: pd.Series  # IDs whose roster row was rejected this month
    last_known: pd.DataFrame  # Roster + run_month: latest accepted row of each person, earlier months
    deaths: pd.DataFrame  # Death + run_month: every accepted registration so far, this month included
    returns_so_far: pd.DataFrame  # BankReturn + run_month: accepted return lines, this month included
    bank_returns: pd.DataFrame  # BankReturn: this month's accepted return lines
    issued_lines: pd.DataFrame  # BankLine + run_month: every line issued by earlier months
    prior_ledger: pd.DataFrame  # LedgerEntry: every entry of earlier months


@dataclass(frozen=True)
class Money:
    people: pd.DataFrame
    deaths_in_force: pd.DataFrame
    due: pd.DataFrame
    positions: pd.DataFrame
    ledger: pd.DataFrame
    bank_lines: pd.DataFrame


def compute_money(inputs: MoneyInputs, policy: Policy) -> Money:
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
                }
            ]
        )
        for name, frame in (
            ("params", params),
            ("rates", policy.rates[["from_month", "base_fen", "topup65_fen"]]),
            ("roster", inputs.roster),
            ("rejected_ids", pd.DataFrame({"id_number": inputs.rejected_ids.astype("str")})),
            ("last_known", inputs.last_known),
            ("deaths", inputs.deaths),
            ("returns_so_far", inputs.returns_so_far),
            ("bank_returns", inputs.bank_returns),
            ("issued_lines", inputs.issued_lines),
            ("prior_ledger", inputs.prior_ledger),
        ):
            con.register(f"{name}_frame", frame)
            con.execute(f"create table {name} as select * from {name}_frame")
            con.unregister(f"{name}_frame")
        people = materialise(con, "entitlement/people", "people")
        deaths_in_force = materialise(con, "entitlement/deaths_in_force", "deaths_in_force")
        materialise(con, "entitlement/failed_accounts", "failed_accounts")
        due = materialise(con, "entitlement/due", "due")
        materialise(con, "entitlement/reversals", "reversals")
        positions = materialise(con, "entitlement/positions", "positions")
        materialise(con, "ledger/entries", "entries")
        bank_lines = materialise(con, "emit/bank_lines", "bank_lines")
        ledger = materialise(con, "ledger/ledger", "ledger")
    return Money(
        people=people,
        deaths_in_force=deaths_in_force,
        due=due,
        positions=positions,
        ledger=LedgerEntry.validate(ledger),
        bank_lines=BankLine.validate(bank_lines),
    )
