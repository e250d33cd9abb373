"""Township rosters (名册): one row per participant per township file per month."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.core import idcard
from pipeline.core.money import yuan_to_fen
from pipeline.core.months import MONTH_RE
from schemas import checks as c
from schemas.checks import rule, with_checks

STATUSES = ("receiving", "contributing", "suspended", "terminated")
PAYABLE_STATUSES = ("receiving", "suspended")


class RosterInput(pa.DataFrameModel):
    """One row per row of a roster file, every cell text as read, vocabularies normalised
    (sex M/F, hukou Y/N, status in English, township 9 digits, ID upgraded to 18)."""

    id_number: Series[str]
    name: Series[str]
    sex: Series[str]
    birth_date: Series[str]
    township_code: Series[str]
    village: Series[str]
    hukou_local: Series[str]
    status: Series[str]
    benefit_start: Series[str]
    suspended_from: Series[str]
    end_month: Series[str]
    employee_pension_from: Series[str]
    account_pension: Series[str]
    bank_code: Series[str]
    account_number: Series[str]
    account_name: Series[str]
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True


class Roster(pa.DataFrameModel):
    """One row per accepted participant of the run month (the month's latest truth)."""

    id_number: Series[str] = pa.Field(unique=True, str_matches=idcard.ID18)
    name: Series[str]
    sex: Series[str] = pa.Field(isin=["M", "F"])
    birth_date: Series[pa.DateTime]  # from the ID (a given birth_date must agree with it)
    # a 9-digit division code; which townships exist is the policy's (a province has several counties)
    township_code: Series[str] = pa.Field(str_matches=r"^[0-9]{9}$")
    village: Series[str]
    hukou_local: Series[bool]
    status: Series[str] = pa.Field(isin=list(STATUSES))
    benefit_start: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)  # YYYY-MM
    suspended_from: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    end_month: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    employee_pension_from: Series[str] = pa.Field(nullable=True, str_matches=MONTH_RE)
    account_pension_fen: Series[int] = pa.Field(ge=0)  # personal-account pension, fen/month
    bank_code: Series[str] = pa.Field(nullable=True)
    account_number: Series[str] = pa.Field(nullable=True, str_matches=c.ACCOUNT_RE)
    account_name: Series[str]  # defaults to name
    source_file: Series[str]
    source_row: Series[int]

    class Config:
        strict = True
        coerce = True


def roster_rules(
    township_codes: list[str],
    bank_codes: list[str],
    run_month: str,
    *,
    max_account_pension_fen: int,
    max_name_chars: int,
) -> pa.DataFrameSchema:
    """Row rules of a roster: each check is named after the reason code it rejects with. The
    limits are the policy's plausibility limits in force in the run month.

    Checks are guarded so that one mistake gives one reason (an Excel-number ID is not also
    reported as malformed, a malformed ID is not also reported as a wrong checksum).
    """
    last_day = c.last_day_of(run_month)
    payable = lambda d: d["status"].isin(PAYABLE_STATUSES)  # noqa: E731

    def birth_given_agrees(d):
        given = c.to_date(d["birth_date"])
        usable = c.id_usable(d["id_number"], last_day)
        return given.isna() | ~usable | (given == idcard.birth_dates(d["id_number"]))

    def sex_agrees(d):
        usable = c.id_usable(d["id_number"], last_day)
        return ~usable | ~d["sex"].isin(["M", "F"]) | (d["sex"] == idcard.sexes(d["id_number"]))

    def account_pension_plausible(d):
        written = d["account_pension"].where(c.yuan_ok(d["account_pension"]), "")  # invalid: its own code
        return yuan_to_fen(written) <= max_account_pension_fen

    def months_ok(d):
        cols = ["benefit_start", "suspended_from", "end_month", "employee_pension_from"]
        return pd.concat([c.month_ok(d[col]) for col in cols], axis=1).all(axis=1)

    return with_checks(
        RosterInput,
        [
            *c.id_number_rules(),
            rule("ID_BIRTH_INVALID", lambda d: c.id_birth_ok(d["id_number"])),
            rule("ID_BIRTH_FUTURE", lambda d: c.id_birth_not_after(d["id_number"], last_day)),
            rule("NAME_MISSING", lambda d: ~c.blank(d["name"])),
            rule(
                "TEXT_INVISIBLE_CHARS",
                lambda d: c.visible_text(d["name"]) & c.visible_text(d["account_name"]) & c.visible_text(d["village"]),
            ),
            rule(
                "NAME_TOO_LONG",
                lambda d: (
                    c.at_most_chars(d["name"], max_name_chars) & c.at_most_chars(d["account_name"], max_name_chars)
                ),
            ),
            rule("SEX_INVALID", lambda d: d["sex"].isin(["M", "F"])),
            rule("SEX_MISMATCH_ID", sex_agrees),
            rule("BIRTH_DATE_INVALID", lambda d: c.date_ok(d["birth_date"])),
            rule("BIRTH_DATE_MISMATCH_ID", birth_given_agrees),
            rule("TOWNSHIP_UNKNOWN", lambda d: d["township_code"].isin(township_codes)),
            rule("HUKOU_INVALID", lambda d: d["hukou_local"].isin(["Y", "N"])),
            rule("STATUS_INVALID", lambda d: d["status"].isin(STATUSES)),
            rule("MONTH_FORMAT", months_ok),
            rule("BENEFIT_START_MISSING", lambda d: ~payable(d) | ~c.blank(d["benefit_start"])),
            rule(
                "SUSPENDED_FROM_MISSING",
                lambda d: d["status"].ne("suspended") | ~c.blank(d["suspended_from"]),
            ),
            rule("END_MONTH_MISSING", lambda d: d["status"].ne("terminated") | ~c.blank(d["end_month"])),
            rule("ACCOUNT_PENSION_INVALID", lambda d: c.yuan_ok(d["account_pension"])),
            rule("ACCOUNT_PENSION_IMPLAUSIBLE", account_pension_plausible),
            rule("BANK_MISSING", lambda d: ~payable(d) | ~c.blank(d["bank_code"])),
            rule("BANK_UNKNOWN", lambda d: c.blank(d["bank_code"]) | d["bank_code"].isin(bank_codes)),
            rule("ACCOUNT_MISSING", lambda d: ~payable(d) | ~c.blank(d["account_number"])),
            rule("ACCOUNT_EXCEL_NUMBER", lambda d: ~c.excel_number(d["account_number"])),
            rule("ACCOUNT_INVALID", lambda d: c.account_ok(d["account_number"])),
        ],
    )
