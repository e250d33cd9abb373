"""Validated death registrations of the run month: one row per accepted registration row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.frames import isin, lookup
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import flagged, passing_rows, rule_failures
from schemas import checks as c
from schemas.death import SOURCES, Death, DeathConflict, DeathInput, death_rules
from schemas.rejects import Rejects


@dataclass(frozen=True)
class DeathResult:
    accepted: DataFrame[Death]
    rejects: DataFrame[Rejects]
    conflicts: DataFrame[DeathConflict]  # id_number, registered_on of registrations rejected together


def validate_deaths(
    raw: pd.DataFrame, *, run_month: str, bank_codes: list[str], participants: pd.DataFrame, max_name_chars: int
) -> DeathResult:
    """participants: id_number -> township_code of everyone on a roster this month or earlier.

    Bad rows are rejected one by one and never stop the run. A death matching nobody is accepted
    and flagged unmatched. Bad payee details do not reject the death (the person must stop being
    paid); the grant then waits for payee details. Registrations of one ID that disagree on the
    death date within one file or one registration day are rejected together (DEATH_CONFLICT):
    row order must not decide who is paid; the person is held until a later registration stands.
    """
    # cast: rule_failures validates these columns (strict) with the row rules
    frame = cast(DataFrame[DeathInput], raw.assign(id_number=idcard.normalise(raw["id_number"])))
    failures = rule_failures(frame, death_rules(run_month))
    conflicting = _conflicting(frame, failures)
    failures = pd.concat([failures, flagged(conflicting, "DEATH_CONFLICT")], ignore_index=True)
    township = lookup(frame["id_number"], participants["id_number"], participants["township_code"])
    rejects = reject_rows(raw, failures, kind="deaths", township=township)
    kept = passing_rows(frame, failures)
    return DeathResult(
        accepted=_typed(kept, bank_codes, participants, max_name_chars),
        rejects=rejects,
        conflicts=_conflicts(frame[conflicting]),
    )


def _conflicting(frame: pd.DataFrame, failures: pd.DataFrame) -> pd.Series:
    """Rows that pass their own rules but disagree with another row of the same ID on the death
    date, in the same file or with the same registration day."""
    valid = frame[~frame.index.isin(failures["index"])]
    died = valid["death_date"]
    same_file = died.groupby([valid["id_number"], valid["source_file"]]).transform("nunique") > 1
    same_day = died.groupby([valid["id_number"], valid["registered_on"]]).transform("nunique") > 1
    return (same_file | same_day).reindex(frame.index, fill_value=False)


def _conflicts(rows: pd.DataFrame) -> DataFrame[DeathConflict]:
    conflicts = pd.DataFrame(
        {"id_number": rows["id_number"], "registered_on": c.to_date(rows["registered_on"])}
    ).drop_duplicates()
    return DeathConflict.validate(conflicts.sort_values(["id_number", "registered_on"], ignore_index=True))


def _typed(
    frame: pd.DataFrame, bank_codes: list[str], participants: pd.DataFrame, max_name_chars: int
) -> DataFrame[Death]:
    given = ~c.blank(frame["payee_name"]) | ~c.blank(frame["payee_bank_code"]) | ~c.blank(frame["payee_account_number"])
    bank = frame["payee_bank_code"].str.upper()
    valid = (
        ~c.blank(frame["payee_name"])
        & c.visible_text(frame["payee_name"])
        & c.at_most_chars(frame["payee_name"], max_name_chars)
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
