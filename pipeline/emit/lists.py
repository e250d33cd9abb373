"""The lists a clerk receives, each as a CSV and its .xlsx twin written by one writer, for the
whole county and, where a township acts on its own rows, one pair per township.

The xlsx twin holds the CSV's cells (IDs, accounts and codes as text, so Excel keeps every digit;
amounts as numbers) under a title row naming the list, month, township and status, with a total
row below. Files are written when the month is drafted and never rewritten (closing a month
records their hashes), so the status they state is the draft's.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.emit.files import write_csv
from pipeline.emit.funeral_grants import AMOUNTS as GRANT_AMOUNTS
from pipeline.emit.office_lists import HOLD_AMOUNTS, RECOVERY_AMOUNTS
from pipeline.emit.xlsx import write_list_xlsx

TOWNSHIP_COLUMN = "镇街代码 township_code"
ALL_TOWNSHIPS = "全部镇街 all townships"
DRAFT = "草稿 draft（未发放 not yet released）"


def list_title(label: str, month: str, township: str = ALL_TOWNSHIPS, status: str = DRAFT) -> str:
    return f"{label} · {month} · {township} · 状态 status: {status}"


def write_list(
    frame: pd.DataFrame,
    path: Path,
    *,
    label: str,
    month: str,
    township: str = ALL_TOWNSHIPS,
    amounts: tuple[str, ...] = (),
) -> list[Path]:
    """path (.csv) and its .xlsx twin; the two hold the same cells."""
    twin = path.with_suffix(".xlsx")
    write_csv(frame, path)
    write_list_xlsx(
        frame,
        twin,
        title=list_title(label, month, township),
        sheet_name=label.split(" ")[0][:31],
        amount_columns=amounts,
    )
    return [path, twin]


def write_per_township(
    frame: pd.DataFrame,
    folder: Path,
    stem: str,
    *,
    label: str,
    month: str,
    township_names,
    amounts: tuple[str, ...] = (),
    column: str = TOWNSHIP_COLUMN,
) -> list[Path]:
    """folder/<code>_<name>_<stem>.csv and .xlsx for each township with rows."""
    written = []
    for code, rows in frame.groupby(column, sort=True):
        if code:
            name = township_names(code)
            path = folder / f"{code}_{name}_{stem}.csv"
            written += write_list(
                rows.reset_index(drop=True), path, label=label, month=month, township=f"{code} {name}", amounts=amounts
            )
    return written


def write_office_lists(
    folder: Path,
    month: str,
    policy,
    *,
    grants: pd.DataFrame,
    recoveries: pd.DataFrame,
    holds: pd.DataFrame,
    changes: pd.DataFrame,
) -> list[Path]:
    """The month's lists for the office (and the funeral grants once more per township)."""
    grant = {"label": "丧葬补助费 funeral grants", "month": month, "amounts": GRANT_AMOUNTS}
    return [
        *write_list(grants, folder / "funeral_grants.csv", **grant),
        *write_per_township(
            grants, folder / "funeral_grants", "funeral_grants", township_names=policy.township_name, **grant
        ),
        *write_list(
            recoveries, folder / "recoveries.csv", label="追回名单 recoveries", month=month, amounts=RECOVERY_AMOUNTS
        ),
        *write_list(holds, folder / "holds.csv", label="暂缓发放名单 holds", month=month, amounts=HOLD_AMOUNTS),
        *write_list(changes, folder / "changes.csv", label="人员变动 changes", month=month),
    ]
