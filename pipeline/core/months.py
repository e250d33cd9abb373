"""Months are 'YYYY-MM' text at the edges and first-of-month dates inside DuckDB."""

from __future__ import annotations

import re

# The one month format of inputs, schemas and the command line. [0-9], not \d: \d also matches
# full-width and other Unicode digits (０-９), which a clerk's input method types and which are not
# the month any file or folder is named by.
MONTH_RE = r"^[0-9]{4}-(0[1-9]|1[0-2])$"


def parse_month(text: str) -> tuple[int, int]:
    if not re.fullmatch(MONTH_RE, text or ""):
        raise ValueError(f"'{text}' is not a month; write it as YYYY-MM, e.g. 2021-03")
    return int(text[:4]), int(text[5:7])


def add_months(month: str, n: int) -> str:
    year, mon = parse_month(month)
    index = year * 12 + (mon - 1) + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last, both included."""
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months if first <= last else []
