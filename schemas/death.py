"""Death registrations (死亡登记): one row per registration row received in a month."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from schemas import checks as c
from schemas.checks import rule, with_checks

SOURCES = {
    "公安": "公安",
    "民政": "民政",
    "卫健": "卫健",
    "镇街": "镇街",
    "police": "公安",
    "civil_affairs": "民政",
    "health": "卫健",
    "township": "镇街",
}


class DeathInput(pa.DataFrameModel):
    """One row per row of a death-registration file, every cell text as read (ID upgraded)."""

    id_number: Series[str]
    name: Series[str]
    death_date: Series[str]
    registered_on: Series[str]
    source: Series[str]
    payee_name: Series[str]
    payee_bank_code: Series[str]
    payee_account_number: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class Death(pa.DataFrameModel):
    """One row per accepted registration. Several rows of one ID: the latest registration
    (registered_on, then run month, file and row) is the one in force."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    name: Series[str]
    death_date: Series[pa.DateTime]
    registered_on: Series[pa.DateTime]
    source: Series[str] = pa.Field(isin=sorted(set(SOURCES.values())))
    payee_name: Series[str] = pa.Field(nullable=True)  # next of kin who receives the grant
    payee_bank_code: Series[str] = pa.Field(nullable=True)
    payee_account_number: Series[str] = pa.Field(nullable=True, str_matches=c.ACCOUNT_RE)
    payee_status: Series[str] = pa.Field(isin=["complete", "missing", "invalid"])
    matched: Series[bool]  # on some roster, this month or earlier
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


class DeathConflict(pa.DataFrameModel):
    """One row per ID and registration day whose registrations disagree on the death date (all
    rejected DEATH_CONFLICT). The person is held until a registration with a later day stands."""

    id_number: Series[str] = pa.Field(str_matches=idcard.ID18)
    registered_on: Series[pa.DateTime]

    class Config:
        strict = True
        coerce = True


def death_rules(run_month: str) -> pa.DataFrameSchema:
    last_day = c.last_day_of(run_month)

    def before_birth_ok(d):
        died = c.to_date(d["death_date"])
        born = idcard.birth_dates(d["id_number"])
        return ~c.id_valid(d["id_number"]) | died.isna() | born.isna() | (died >= born)

    return with_checks(
        DeathInput,
        [
            *c.id_number_rules(),
            rule("ID_BIRTH_INVALID", lambda d: c.id_birth_ok(d["id_number"])),
            rule("NAME_MISSING", lambda d: ~c.blank(d["name"])),
            rule("DEATH_DATE_INVALID", lambda d: ~c.blank(d["death_date"]) & c.date_ok(d["death_date"])),
            rule("REGISTERED_ON_INVALID", lambda d: ~c.blank(d["registered_on"]) & c.date_ok(d["registered_on"])),
            rule("DEATH_IN_FUTURE", lambda d: ~(c.to_date(d["death_date"]) > last_day)),
            rule("DEATH_BEFORE_BIRTH", before_birth_ok),
            rule("DEATH_SOURCE_INVALID", lambda d: d["source"].isin(list(SOURCES))),
        ],
    )
