"""Resident identity numbers (GB 11643-1999), checked and upgraded a whole column at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipeline.core.frames import memoised

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK_CHARS = np.array(list("10X98765432"))

# [0-9], not \d: \d also matches full-width and other Unicode digits (０-９), which are not
# ASCII and would break the digit arithmetic below; such IDs are rejected as malformed.
ID18 = r"^[0-9]{17}[0-9X]$"
ID15 = r"^[0-9]{15}$"


def _digit_matrix(bodies: pd.Series) -> np.ndarray:
    """17-digit strings -> (n, 17) matrix of digit values, without a Python loop."""
    raw = "".join(bodies.tolist()).encode("ascii")
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 17).astype(np.int64) - 48


def check_chars(bodies: pd.Series) -> pd.Series:
    """The 18th character owed by each 17-digit body."""
    if bodies.empty:
        return pd.Series([], index=bodies.index, dtype="str")
    sums = _digit_matrix(bodies) @ WEIGHTS
    return pd.Series(CHECK_CHARS[sums % 11], index=bodies.index, dtype="str")


def with_checksum(body: str) -> str:
    """A 17-digit body completed with its check character: a valid 18-character ID number."""
    return body + check_chars(pd.Series([body], dtype="str")).iloc[0]


def normalise(ids: pd.Series) -> pd.Series:
    """Trim, upper-case a final x, and upgrade 15-digit legacy numbers to 18 digits.

    Anything else is returned trimmed, for the checks to reject.
    """
    ids = ids.fillna("").astype("str").str.strip().str.upper()
    legacy = ids.str.fullmatch(ID15)
    if legacy.any():
        old = ids[legacy]
        body = old.str.slice(0, 6) + "19" + old.str.slice(6, 15)
        ids = ids.copy()
        ids[legacy] = body + check_chars(body)
    return ids


@memoised
def checksum_ok(ids: pd.Series) -> pd.Series:
    """True where an 18-character ID has the right check character (False if not well-formed)."""
    ids = ids.fillna("").astype("str")
    ok = pd.Series(False, index=ids.index)
    formed = ids.str.fullmatch(ID18)
    if formed.any():
        good = ids[formed]
        ok[formed] = check_chars(good.str.slice(0, 17)).to_numpy() == good.str.slice(17).to_numpy()
    return ok


@memoised
def birth_dates(ids: pd.Series) -> pd.Series:
    """Birth date encoded in digits 7-14 (NaT when the ID is malformed or the date unreal)."""
    digits = ids.fillna("").astype("str").str.slice(6, 14)
    return pd.to_datetime(digits, format="%Y%m%d", errors="coerce")


@memoised
def sexes(ids: pd.Series) -> pd.Series:
    """'M' where the 17th digit is odd, 'F' where even, '' where it is not a digit."""
    seventeenth = ids.fillna("").astype("str").str.slice(16, 17)
    odd = seventeenth.isin(list("13579")).to_numpy(dtype=bool)
    even = seventeenth.isin(list("02468")).to_numpy(dtype=bool)
    return pd.Series(np.where(odd, "M", np.where(even, "F", "")), index=ids.index, dtype="str")


def pension_age_month(ids: pd.Series, *, male_age: int, female_age: int) -> pd.Series:
    """'YYYY-MM' of the pension-age birthday (male_age for men, female_age for women), from the
    ID: the ID's sex decides (NA where the ID gives no birth date or sex).

    The money steps and the indicators compute the same month in SQL, with the `month_at_age`
    macro of pipeline/sql/macros.sql: a change here must be made there too."""
    births = birth_dates(ids)
    # float64: on an empty column map() would keep the str dtype and the sum below would fail
    age = sexes(ids).map({"M": male_age, "F": female_age}).astype("float64")
    year = births.dt.year + age
    text = (
        year.astype("Int64").astype("str").str.zfill(4)
        + "-"
        + births.dt.month.astype("Int64").astype("str").str.zfill(2)
    )
    return text.where(births.notna() & age.notna())


def mask(ids: pd.Series) -> pd.Series:
    """320281********123X: keep the region and the last four characters, for logs and artifacts.
    The one masker of personal numbers (errors.masked applies it to free text too)."""
    ids = ids.fillna("").astype("str")
    return ids.str.slice(0, 6) + "********" + ids.str.slice(-4)
