"""Vectorised building blocks shared by the row rules of several input tables (and by the
validators that apply the rules across rows and files)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.core import idcard
from pipeline.core.frames import memoised
from pipeline.core.money import YUAN_RE
from pipeline.core.months import MONTH_RE

# ASCII digits only ([0-9], not \d, which also matches full-width digits such as ０-９).
DATE_RE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
ACCOUNT_RE = r"^[0-9]{12,25}$"
EXCEL_NUMBER_RE = r"^[0-9](\.[0-9]+)?E\+[0-9]+$"
# Control characters (NUL, tab, line breaks) and invisible format characters (zero-width space
# and joiners, bidirectional marks, BOM, soft hyphen): a name holding one is not the name the
# clerk sees, and a bank matches 户名 byte for byte. The characters themselves are in the pattern
# (not regex escapes), so Python's re and Arrow's RE2 read it alike.
INVISIBLE_RE = (
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


def blank(s: pd.Series) -> pd.Series:
    return s.eq("")


def visible_text(s: pd.Series) -> pd.Series:
    return ~s.str.contains(INVISIBLE_RE)


def at_most_chars(s: pd.Series, limit: int) -> pd.Series:
    return s.str.len() <= limit


def excel_number(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(EXCEL_NUMBER_RE, case=False)


def id_present_and_not_excel(s: pd.Series) -> pd.Series:
    return ~blank(s) & ~excel_number(s)


def id_format_ok(s: pd.Series) -> pd.Series:
    """Only judged where the ID is present and not an Excel number (those have their own code)."""
    return ~id_present_and_not_excel(s) | s.str.fullmatch(idcard.ID18)


def id_well_formed(s: pd.Series) -> pd.Series:
    return s.str.fullmatch(idcard.ID18)


def id_checksum_ok(s: pd.Series) -> pd.Series:
    return ~id_well_formed(s) | idcard.checksum_ok(s)


def id_valid(s: pd.Series) -> pd.Series:
    """A well-formed ID with the right check character (birth date not yet judged)."""
    return idcard.checksum_ok(s)


def id_birth_ok(s: pd.Series) -> pd.Series:
    return ~id_valid(s) | idcard.birth_dates(s).notna()


def id_birth_not_after(s: pd.Series, last_day: pd.Timestamp) -> pd.Series:
    births = idcard.birth_dates(s)
    return ~id_valid(s) | births.isna() | (births <= last_day)


def id_usable(s: pd.Series, last_day: pd.Timestamp) -> pd.Series:
    """Valid ID with a real birth date not after the run month: safe to derive birth and sex."""
    births = idcard.birth_dates(s)
    return id_valid(s) & births.notna() & (births <= last_day)


def month_ok(s: pd.Series) -> pd.Series:
    return blank(s) | s.str.fullmatch(MONTH_RE)


def date_ok(s: pd.Series) -> pd.Series:
    """Blank, or YYYY-MM-DD naming a real day."""
    return blank(s) | to_date(s).notna()


@memoised
def to_date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.where(s.str.fullmatch(DATE_RE), None), format="%Y-%m-%d", errors="coerce")


def yuan_ok(s: pd.Series) -> pd.Series:
    return blank(s) | s.str.fullmatch(YUAN_RE)


def account_ok(s: pd.Series) -> pd.Series:
    return blank(s) | excel_number(s) | s.str.fullmatch(ACCOUNT_RE)


def last_day_of(month: str) -> pd.Timestamp:
    return pd.Timestamp(f"{month}-01") + pd.offsets.MonthEnd(0)


def with_checks(model: type[pa.DataFrameModel], checks: list[pa.Check]) -> pa.DataFrameSchema:
    """The model's columns plus row rules that depend on the run (month, configured codes)."""
    base = model.to_schema()
    return pa.DataFrameSchema(columns=base.columns, checks=checks, strict=True, name=base.name)


def rule(name: str, fn) -> pa.Check:
    """A row rule: fn(frame) -> bool per row; the check's name is the reject reason code."""
    return pa.Check(fn, name=name, error=name)


def id_number_rules() -> list[pa.Check]:
    """The rules every input's id_number column passes: present, not an Excel number, 18
    characters (or a legacy 15-digit number, upgraded before), with the right check character."""
    return [
        rule("ID_MISSING", lambda d: ~blank(d["id_number"])),
        rule("ID_EXCEL_NUMBER", lambda d: ~excel_number(d["id_number"])),
        rule("ID_FORMAT", lambda d: id_format_ok(d["id_number"])),
        rule("ID_CHECKSUM", lambda d: id_checksum_ok(d["id_number"])),
    ]
