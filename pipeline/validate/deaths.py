"""Validated death registrations of the run month: one row per accepted registration row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.frames import isin, lookup
from pipeline.validate import idcard
from pipeline.validate.rejects import reject_rows
from pipeline.validate.rules import passing_rows, rule_failures
from schemas import _checks as c
from schemas.death import SOURCES, Death, DeathInput, death_rules
from schemas.rejects import Rejects


@dataclass(frozen=True)
class DeathResult:
    accepted: DataFrame[Death]
    rejects: DataFrame[Rejects]


def validate_deaths(
    raw: pd.DataFrame, *, run_month: str, bank_codes: list[str], participants: pd.DataFrame
) -> DeathResult:
    """participants: id_number -> township_code of everyone on a roster this month or earlier.

    Bad rows are rejected one by one and never stop the run. A death matching nobody is accepted
    and flagged unmatched. Bad payee details do not reject the death (the person must stop being
    paid); the grant then waits for payee details.
    """
    # cast: rule_failures validates these columns (strict) with the row rules
    frame = cast(DataFrame[DeathInput], raw.assign(id_number=idcard.normalise(raw["id_number"])))
    failures = rule_failures(frame, death_rules(run_month))
    township = lookup(frame["id_number"], participants["id_number"], participants["township_code"])
    rejects = reject_rows(raw, failures, kind="deaths", township=township)
    kept = passing_rows(frame, failures)
    return DeathResult(accepted=_typed(kept, bank_codes, participants), rejects=rejects)


def _typed(frame: pd.DataFrame, bank_codes: list[str], participants: pd.DataFrame) -> DataFrame[Death]:
    given = ~c.blank(frame["payee_name"]) | ~c.blank(frame["payee_bank_code"]) | ~c.blank(frame["payee_account_number"])
    bank = frame["payee_bank_code"].str.upper()
    valid = (
        ~c.blank(frame["payee_name"])
        & bank.isin(bank_codes)
        & frame["payee_account_number"].str.fullmatch(c.ACCOUNT_RE)
    )
    status = pd.Series("missing", index=frame.index).mask(given, "invalid").mask(valid, "complete")
    typed = pd.DataFrame(
        {
            "id_number": frame["id_number"],
            "name": frame["name"],
            "death_date": c.to_date(frame["death_date"]),
            "registered_on": c.to_date(frame["registered_on"]),
            "source": frame["source"].map(SOURCES),
            "payee_name": frame["payee_name"].where(valid, None),
            "payee_bank_code": bank.where(valid, None),
            "payee_account_number": frame["payee_account_number"].where(valid, None),
            "payee_status": status,
            "matched": isin(frame["id_number"], participants["id_number"]),
            "source_file": frame["source_file"],
            "source_row": frame["source_row"],
        }
    )
    return Death.validate(typed.reset_index(drop=True))
