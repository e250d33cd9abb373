"""ID corrections (身份证号更正): a participant registered under a wrong ID number (a wrong birth
date, say) is linked to the corrected number; the history moves to the new ID."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from schemas import checks as c
from schemas.checks import rule, with_checks


class IdCorrectionInput(pa.DataFrameModel):
    """One row per row of an ID-correction file, every cell text as read (IDs upgraded)."""

    old_id_number: Series[str]
    new_id_number: Series[str]
    reason: Series[str]
    registered_on: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class IdCorrection(pa.DataFrameModel):
    """One row per accepted correction: the old ID is never paid again, its history is the new
    ID's."""

    old_id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    new_id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    reason: Series[str]
    registered_on: Series[pa.DateTime]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


def _valid_id(ids):
    return c.id_valid(ids) & idcard.birth_dates(ids).notna()


def id_correction_rules() -> pa.DataFrameSchema:
    return with_checks(
        IdCorrectionInput,
        [
            rule("CORRECTION_OLD_ID_INVALID", lambda d: _valid_id(d["old_id_number"])),
            rule("CORRECTION_NEW_ID_INVALID", lambda d: _valid_id(d["new_id_number"])),
            rule("CORRECTION_SAME_ID", lambda d: d["old_id_number"].ne(d["new_id_number"])),
            rule("CORRECTION_REASON_MISSING", lambda d: ~c.blank(d["reason"].str.strip())),
            rule("REGISTERED_ON_INVALID", lambda d: ~c.blank(d["registered_on"]) & c.date_ok(d["registered_on"])),
        ],
    )
