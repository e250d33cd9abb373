"""The lists a clerk receives, each as a CSV and its .xlsx twin written by one writer, for the
whole county and, where a township acts on its own rows, one pair per township.

The xlsx twin holds the CSV's cells (IDs, accounts and codes as text, so Excel keeps every digit;
amounts as numbers) under a title row naming the list, month, township and status, with a total
row below. The month's draft writes them saying "draft"; closing the month restates the title of
each workbook as "closed" (restated), every other byte as the draft wrote it, and records the
new hashes; an interrupted close restates them back, byte for byte.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

from pipeline.emit.files import write_csv
from pipeline.emit.funeral_grants import AMOUNTS as GRANT_AMOUNTS
from pipeline.emit.office_lists import HOLD_AMOUNTS, MISMATCH_AMOUNTS, RECOVERY_AMOUNTS
from pipeline.emit.xlsx import list_xlsx_bytes, write_list_xlsx

TOWNSHIP_COLUMN = "镇街代码 township_code"
ALL_TOWNSHIPS = "全部镇街 all townships"
DRAFT = "草稿 draft（未发放 not yet released）"
CLOSED = "已关账 closed（已发放 released to the bank）"
STATUS_MARK = " · 状态 status: "


def list_title(label: str, month: str, township: str = ALL_TOWNSHIPS, status: str = DRAFT) -> str:
    return f"{label} · {month} · {township}{STATUS_MARK}{status}"


def list_workbooks(folder: Path) -> list[Path]:
    """The clerks' list workbooks of a month folder (the bank's own files are not lists)."""
    return sorted(p for p in folder.rglob("*.xlsx") if p.is_file() and "bank" not in p.relative_to(folder).parts)


def restated(folder: Path, status: str) -> dict[Path, bytes]:
    """The list workbooks of the month whose title states another status, as they are with
    `status` in their title instead (written by the same writer: the rest is byte for byte)."""
    changed = {}
    for path in list_workbooks(folder):
        data = path.read_bytes()
        title, sheet_name, frame, amounts = _list_of(data)
        head, mark, stated = title.rpartition(STATUS_MARK)
        if mark and stated != status:
            changed[path] = list_xlsx_bytes(
                frame, title=head + mark + status, sheet_name=sheet_name, amount_columns=amounts
            )
    return changed


def _list_of(data: bytes) -> tuple[str, str, pd.DataFrame, list[str]]:
    """A list workbook read back: title, sheet, the cells as the writer was given them (amounts as
    yuan text with two decimals, the numbers of the total row marking the amount columns)."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    header, lines, total = [str(c) for c in rows[1]], rows[2:-1], rows[-1]
    amounts = [c for c, value in zip(header, total, strict=False) if isinstance(value, (int, float))]
    frame = pd.DataFrame(lines, columns=header, dtype=object) if lines else pd.DataFrame(columns=header, dtype=object)
    for column in amounts:
        frame[column] = [f"{v:.2f}" if isinstance(v, (int, float)) else v for v in frame[column]]
    return str(rows[0][0]), book.sheet_names[0], frame, amounts


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
    account_mismatches: pd.DataFrame,
) -> list[Path]:
    """The month's lists for the office (and the funeral grants and the account mismatches once
    more per township: each township corrects its own roster's column)."""
    grant = {"label": "丧葬补助费 funeral grants", "month": month, "amounts": GRANT_AMOUNTS}
    mismatch = {"label": "个人账户养老金不符 account mismatches", "month": month, "amounts": MISMATCH_AMOUNTS}
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
        *write_list(account_mismatches, folder / "account_mismatches.csv", **mismatch),
        *write_per_township(
            account_mismatches,
            folder / "account_mismatches",
            "account_mismatches",
            township_names=policy.township_name,
            **mismatch,
        ),
    ]
