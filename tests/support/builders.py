"""Small, valid inputs for tests: ID numbers, roster/death/bank-return rows, input files in the
encodings and formats clerks send, and a complete inbox for a month.

Everything built here is valid unless a test changes it, so a test states only what it breaks.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import pandas as pd

from pipeline.core.idcard import with_checksum
from pipeline.ingest.columns import COLUMNS, SOURCE_FILE, SOURCE_ROW
from pipeline.policy import Policy

REGION = "320281"
MONTH = "2021-01"  # the sample's opening month

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英桂兰志强海燕文华玉珍国平丽娟永福"


# -- identity numbers --------------------------------------------------------------------------


def id_body(birth: str, sex: str = "M", seq: int = 1, region: str = REGION) -> str:
    """The first 17 digits: region, birth date (YYYY-MM-DD or YYYYMMDD), order code whose last
    digit is odd for men and even for women. seq (0..499) keeps people of one birthday apart."""
    if sex not in ("M", "F"):
        raise ValueError(f"sex must be M or F, not {sex!r}")
    if not 0 <= seq < 500:
        raise ValueError("seq must be in 0..499")
    digits = birth.replace("-", "")
    order = f"{seq // 5:02d}{2 * (seq % 5) + (1 if sex == 'M' else 0)}"
    return f"{region}{digits}{order}"


def make_id(birth: str = "1950-03-15", sex: str = "M", seq: int = 1, region: str = REGION) -> str:
    """A valid 18-character ID (GB 11643 check character) for a birth date and sex: the one way
    tests make an ID. seq keeps people of one birthday apart, in the order of their IDs."""
    return with_checksum(id_body(birth, sex, seq, region))


def with_wrong_check(id_number: str) -> str:
    """The same ID with a check character that is wrong."""
    right = id_number[-1]
    wrong = "0" if right != "0" else "1"
    return id_number[:-1] + wrong


def excel_shown(id_number: str) -> str:
    """What Excel shows for an ID stored as a number: 3.20281E+17."""
    return f"{float(id_number[:17] + ('0' if id_number[-1] == 'X' else id_number[-1])):.6G}"


def account_for(n: int, prefix: str = "6228480") -> str:
    """A 19-digit bank account number, distinct for each n."""
    return f"{prefix}{n:012d}"


# -- rows ----------------------------------------------------------------------------------------


def chinese(row: Mapping[str, str], kind: str = "rosters") -> dict[str, str]:
    """The same row keyed by the Chinese headers clerks use."""
    names = {c.name: c.chinese for c in COLUMNS[kind]}
    return {names.get(key, key): value for key, value in row.items()}


def roster_row(
    id_number: str | None = None,
    *,
    birth: str = "1950-03-15",
    sex: str = "M",
    seq: int = 1,
    name: str = "王建国",
    township: str = "320281001",
    status: str = "领取",
    n: int = 1,
    headers: str = "english",
    **changes: str,
) -> dict[str, str]:
    """A valid roster row of a receiving pensioner (by default a man born 1950-03-15, receiving
    since his 60th-birthday month). Keyword changes override any canonical column."""
    id_number = id_number or make_id(birth, sex, seq)
    age = 60 if sex == "M" else 55
    row = {
        "id_number": id_number,
        "name": name,
        "sex": "男" if sex == "M" else "女",
        "birth_date": "",
        "township_code": township,
        "village": "城东社区",
        "hukou_local": "是",
        "status": status,
        "benefit_start": f"{int(birth[:4]) + age:04d}-{birth[5:7]}" if status in ("领取", "暂停") else "",
        "suspended_from": "",
        "end_month": "",
        "employee_pension_from": "",
        "account_pension": "12.50",
        "bank_code": "JRCB" if status in ("领取", "暂停") else "",
        "account_number": account_for(n) if status in ("领取", "暂停") else "",
        "account_name": "",
    }
    unknown = set(changes) - set(row)
    if unknown:
        raise KeyError(f"not roster columns: {sorted(unknown)}")
    row.update(changes)
    return chinese(row) if headers == "chinese" else row


def death_row(
    id_number: str,
    *,
    name: str = "王建国",
    death_date: str = "2021-01-10",
    registered_on: str = "2021-01-15",
    source: str = "公安",
    **changes: str,
) -> dict[str, str]:
    """A valid death registration with complete payee details."""
    row = {
        "id_number": id_number,
        "name": name,
        "death_date": death_date,
        "registered_on": registered_on,
        "source": source,
        "payee_name": "王小明",
        "payee_bank_code": "ICBC",
        "payee_account_number": account_for(9, "6222"),
    }
    row.update(changes)
    return row


def bank_return_row(
    batch_id: str,
    line_no: int,
    account_number: str,
    amount: str,
    result: str = "失败",
    reason: str = "账户已销户",
) -> dict[str, str]:
    return {
        "batch_id": batch_id,
        "line_no": str(line_no),
        "account_number": account_number,
        "amount": amount,
        "result": result,
        "reason": reason,
    }


def raw_table(
    rows: Iterable[Mapping[str, str]], kind: str, source_file: str = "f.csv", first_row: int = 2
) -> pd.DataFrame:
    """Rows as the readers return them: every canonical column as text ('' when absent), plus
    source_file and source_row (the header is row 1)."""
    rows = list(rows)
    columns = [c.name for c in COLUMNS[kind]]
    frame = pd.DataFrame({c: pd.Series([r.get(c, "") for r in rows], dtype="str") for c in columns})
    frame[SOURCE_FILE] = pd.Series([source_file] * len(rows), dtype="str")
    frame[SOURCE_ROW] = pd.Series(range(first_row, first_row + len(rows)), dtype="int64")
    return frame


def concat_raw(*frames: pd.DataFrame) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True)


# -- files ---------------------------------------------------------------------------------------


def header_of(rows: list[Mapping[str, object]]) -> list[str]:
    header: list[str] = []
    for row in rows:
        header += [k for k in row if k not in header]
    return header


def write_csv(
    path: Path,
    rows: list[Mapping[str, object]],
    *,
    encoding: str = "utf-8",
    header: list[str] | None = None,
) -> Path:
    """A CSV as a clerk's tool saves it: 'utf-8', 'utf-8-sig' (BOM) or 'gb18030'."""
    header = header or header_of(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in header])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(
    path: Path,
    rows: list[Mapping[str, object]],
    *,
    header: list[str] | None = None,
    numeric_ids: bool | Collection[int] = False,
    id_columns: tuple[str, ...] = ("id_number", "身份证号"),
) -> Path:
    """An .xlsx with text cells (number format '@'), as a careful clerk keeps IDs.

    numeric_ids=True stores every ID as an Excel number; a collection of row positions (0-based,
    among `rows`) stores only those rows' IDs as numbers: what happens when the column is not text.
    """
    header = header or header_of(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for position, row in enumerate(rows):
        as_number = numeric_ids is True or (not isinstance(numeric_ids, bool) and position in numeric_ids)
        values = []
        for h in header:
            value = row.get(h, "")
            if as_number and h in id_columns and value:
                text = str(value)
                value = int(text[:-1] + ("0" if text[-1] == "X" else text[-1]))
            values.append(value)
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.number_format = "@"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_sheets(
    path: Path, sheets: Mapping[str, list[list[object]]], *, states: Mapping[str, str] | None = None
) -> Path:
    """A workbook of several sheets (name -> rows of cells, header included), in this order.
    states: sheet name -> 'hidden' or 'veryHidden', as Excel's 隐藏 (and VBA) leave them."""
    states = states or {}
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for values in rows:
            sheet.append(values)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.number_format = "@"
        sheet.sheet_state = states.get(name, "visible")
    book.active = next(i for i, name in enumerate(sheets) if states.get(name, "visible") == "visible")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def sheet_rows(rows: list[Mapping[str, object]], header: list[str] | None = None) -> list[list[object]]:
    """Rows (dicts) as a sheet's rows of cells, the header first."""
    header = header or header_of(rows)
    return [header] + [[row.get(h, "") for h in header] for row in rows]


def write_rows(path: Path, rows: list[Mapping[str, object]], *, fmt: str = "utf-8", **options) -> Path:
    """Write rows as fmt: 'utf-8', 'utf-8-sig', 'gb18030' (CSV) or 'xlsx'."""
    if fmt == "xlsx":
        return write_xlsx(path.with_suffix(".xlsx"), rows, **options)
    return write_csv(path.with_suffix(".csv"), rows, encoding=fmt, **options)


# -- a month's inbox -----------------------------------------------------------------------------


def township_people(township: str, t: int, count: int = 10, month: str = MONTH) -> list[dict[str, str]]:
    """count valid people of one township (t: the township's position, keeps IDs unique across
    townships): mostly receiving men and women past pension age, some contributing, one
    suspended, one terminated."""
    rows = []
    year = int(month[:4])
    for k in range(count):
        sex = "M" if k % 2 == 0 else "F"
        name = SURNAMES[(t + k) % len(SURNAMES)] + GIVEN[(2 * k) % len(GIVEN)] + GIVEN[(2 * k + 1) % len(GIVEN)]
        kind = k % 10
        if kind in (8, 9):  # contributing, not yet of pension age
            birth = f"{year - 40 - k % 7:04d}-{k % 12 + 1:02d}-{t % 28 + 1:02d}"
            status = "缴费"
        else:
            birth = f"{year - 66 - (t + k) % 15:04d}-{k % 12 + 1:02d}-{t % 28 + 1:02d}"
            status = {6: "暂停", 7: "终止"}.get(kind, "领取")
        row = roster_row(
            birth=birth,
            sex=sex,
            seq=(t * 50 + k) % 500,
            name=name,
            township=township,
            status=status,
            n=t * 1000 + k,
        )
        if status == "暂停":
            row["suspended_from"] = f"{year - 1:04d}-06"
        if status == "终止":
            row.update(end_month=f"{year - 1:04d}-03", bank_code="", account_number="")
        rows.append(row)
    return rows


@dataclass
class BuiltInbox:
    root: Path  # the inbox folder (holding YYYY-MM/)
    month: str
    rosters: dict[str, list[dict[str, str]]]  # township code -> rows written (English keys)
    files: dict[str, Path] = field(default_factory=dict)  # township code -> roster file
    formats: dict[str, str] = field(default_factory=dict)  # township code -> file format
    headers: str = "chinese"
    deaths: list[dict[str, str]] = field(default_factory=list)

    @property
    def month_dir(self) -> Path:
        return self.root / self.month

    def label(self, township: str) -> str:
        """How outputs name the township's roster: its path relative to the inbox."""
        return str(self.files[township].relative_to(self.root))

    def rewrite_roster(self, township: str, rows: list[dict[str, str]], **options) -> Path:
        """Replace one township's roster by rows (English keys), same name, format and headers."""
        path = self.files[township]
        path.unlink()
        self.rosters[township] = rows
        written = [chinese(r) for r in rows] if self.headers == "chinese" else rows
        self.files[township] = write_rows(path.with_suffix(""), written, fmt=self.formats[township], **options)
        return self.files[township]

    def all_people(self) -> list[dict[str, str]]:
        return [row for rows in self.rosters.values() for row in rows]


def build_inbox(
    root: Path,
    policy: Policy,
    *,
    month: str = MONTH,
    people: int = 10,
    deaths: list[dict[str, str]] | None = None,
    bank_returns: list[dict[str, str]] | None = None,
    formats: Mapping[str, str] | None = None,
    headers: str = "chinese",
) -> BuiltInbox:
    """A complete valid inbox: one roster per township that submits one (policy), `people`
    valid people each. formats: township code -> 'utf-8' | 'utf-8-sig' | 'gb18030' | 'xlsx'
    (default utf-8 CSV). headers: 'chinese' or 'english'."""
    built = BuiltInbox(root=root, month=month, rosters={}, headers=headers)
    for t, code in enumerate(policy.rostering_townships):
        rows = township_people(code, t, people, month)
        built.rosters[code] = rows
        built.formats[code] = (formats or {}).get(code, "utf-8")
        written = [chinese(r) for r in rows] if headers == "chinese" else rows
        name = f"{code}_{policy.township_name(code)}_{month}"
        built.files[code] = write_rows(root / month / "rosters" / name, written, fmt=built.formats[code])
    (root / month / "deaths").mkdir(parents=True, exist_ok=True)
    (root / month / "bank_returns").mkdir(parents=True, exist_ok=True)
    if deaths:
        built.deaths = deaths
        write_csv(root / month / "deaths" / f"deaths_{month}.csv", [chinese(d, "deaths") for d in deaths])
    if bank_returns:
        write_csv(root / month / "bank_returns" / f"returns_{month}.csv", bank_returns)
    return built


def write_policy(folder: Path, text: str) -> Path:
    """A policy file in `folder` with the bank layouts beside it (config/banks/), as a deployment
    keeps them: the layouts named in [[banks]] are read from the policy file's own folder."""
    from pipeline.paths import DEFAULT_POLICY

    folder.mkdir(parents=True, exist_ok=True)
    banks = folder / "banks"
    if not banks.exists():
        shutil.copytree(DEFAULT_POLICY.parent / "banks", banks)
    path = folder / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path
