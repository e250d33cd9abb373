"""Synthetic monthly inboxes in the layout of SPEC §3, deterministic for a seed.

    <root>/YYYY-MM/rosters/<code>_<township>_<YYYY-MM>.csv|.xlsx   one full snapshot per township
    <root>/YYYY-MM/deaths/deaths_YYYY-MM.csv|.xlsx                 registrations received
    <root>/YYYY-MM/id_corrections/id_corrections_YYYY-MM.csv       ID corrections (edge cases only)
    <root>/contributions/YYYY.csv                                  Q4 contributions of the year
    <root>/accounts/opening.csv                                    opening balances (accounts=True)

No bank_returns: those reference batch ids that only the pipeline issues.

The population is drawn once with numpy (see population.py); each month is a vectorised
selection of it, so ten million people are possible with formats="csv".
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pipeline.core.months import month_range
from pipeline.emit.xlsx import data_cell, new_workbook, workbook_bytes
from pipeline.ingest.columns import CONTRIBUTION, DEATH, ID_CORRECTION, OPENING_BALANCE, ROSTER
from pipeline.policy import Policy
from tools.synth.edge import EdgeCases, build_edge_cases
from tools.synth.population import (
    ACCOUNT_TEXTS,
    MONTH_BASE,
    MONTH_TEXTS,
    Population,
    date_text,
    first_day,
    make_population,
    month_number,
    month_text,
    take,
    text_column,
    vocabulary,
)

DEFAULT_MONTHS = tuple(month_range("2021-01", "2021-12"))

# How each township's clerk saves the roster under formats="mixed": (file kind, English headers).
# Kinds: "utf-8", "utf-8-sig" (with BOM), "gb18030" (Excel "CSV" on Chinese Windows), "xlsx".
MIXED_FORMATS = {
    "320281001": ("utf-8", False),
    "320281004": ("utf-8-sig", False),
    "320281005": ("gb18030", False),
    "320281007": ("xlsx", False),
    "320281008": ("utf-8", True),
    "320281009": ("utf-8", False),
    "320281100": ("gb18030", False),
    "320281102": ("utf-8-sig", False),
    "320281103": ("xlsx", False),
    "320281104": ("utf-8", False),
    "320281107": ("utf-8", False),
    "320281108": ("gb18030", False),
    "320281109": ("utf-8-sig", True),
    "320281110": ("utf-8", False),
    "320281111": ("xlsx", False),
    "320281112": ("utf-8", False),
    "320281400": ("utf-8", False),
    "320281404": ("gb18030", False),
}
# Townships not in the table above (another policy) cycle through this pattern.
FALLBACK_PATTERN = (
    ("utf-8", False),
    ("utf-8-sig", False),
    ("gb18030", False),
    ("utf-8", False),
    ("xlsx", False),
    ("utf-8", True),
)
DEATHS_XLSX_MONTH_INDEX = 5  # under "mixed", the sixth month's deaths file is an .xlsx

CONTRIBUTION_TIERS_YUAN = (300, 400, 500, 600, 800, 1000, 1500, 2000)  # made up
CONTRIBUTION_TIER_SHARE = (0.40, 0.20, 0.12, 0.10, 0.08, 0.05, 0.03, 0.02)
SUBSIDY_YUAN = 120  # seed: 缴费人数2.5万人*120元/人
PAID_SHARE = 0.96  # seed: 续缴率 > 95%
YEARS_SAVED_BEFORE = 10  # a saver's opening balance holds 0..9 yearly payments before the last year's

ENGLISH_VALUES = {"sex": ("M", "F"), "status": ("receiving", "contributing"), "hukou": "Y"}
CHINESE_VALUES = {"sex": ("男", "女"), "status": ("领取", "缴费"), "hukou": "是"}


@dataclass(frozen=True)
class SynthReport:
    root: Path
    files: tuple[str, ...]  # paths relative to root, POSIX style, sorted
    people: int  # participants at the start
    joiners: int  # contributors joining after the first month
    deaths: int  # deaths dated within the months made (random population)
    death_registrations: int  # rows in the deaths files, edge rows included
    roster_rows: dict[str, int] = field(default_factory=dict)  # month -> rows in all rosters
    contribution_rows: int = 0
    opening_rows: int = 0  # rows of accounts/opening.csv (0 without accounts)
    township_formats: dict[str, str] = field(default_factory=dict)  # code -> "utf-8/zh", ...
    edge_cases: int = 0  # catalogue entries (0 without edge_cases)

    def __str__(self) -> str:
        months = list(self.roster_rows)
        span = f"{months[0]}..{months[-1]}" if months else "no months"
        rows = sum(self.roster_rows.values())
        return (
            f"synthetic inbox {self.root}: {len(self.files)} files, {span}; "
            f"{self.people} people at the start, {self.joiners} joining, {self.deaths} deaths "
            f"({self.death_registrations} registration rows); {rows} roster rows in all; "
            f"{self.contribution_rows} contribution rows; {self.edge_cases} edge cases"
        )


def township_formats(codes: Sequence[str], formats: str) -> dict[str, tuple[str, bool]]:
    if formats == "csv":
        return {code: ("utf-8", False) for code in codes}
    out = {}
    for index, code in enumerate(codes):
        out[code] = MIXED_FORMATS.get(code, FALLBACK_PATTERN[index % len(FALLBACK_PATTERN)])
    return out


def synthesize_inbox(
    root: Path,
    *,
    policy: Policy,
    seed: int = 2021,
    people: int = 3000,
    months: Sequence[str] = DEFAULT_MONTHS,
    edge_cases: bool = False,
    formats: str = "mixed",
    accounts: bool = False,
) -> SynthReport:
    """Write a synthetic inbox for `months` under `root`; same arguments, same bytes. With
    `accounts`, also the personal accounts' inputs (SPEC §5a): the opening balances of the people
    on the first month's roster, and the contributions of the year before the first month (in
    those balances: the pipeline never credits them again; the indicators read them as last
    year's contributors)."""
    months = list(months)
    if not months or months != month_range(months[0], months[-1]):
        raise ValueError("months must be consecutive YYYY-MM months, oldest first")
    if formats not in ("mixed", "csv"):
        raise ValueError(f"formats must be 'mixed' or 'csv', not {formats!r}")
    root = Path(root)
    edges = build_edge_cases() if edge_cases else EdgeCases()
    if edge_cases:
        missing = [c for c in edges.townships() if c not in policy.rostering_townships]
        if missing:
            raise ValueError(f"edge cases need these townships to submit rosters: {missing}")

    pop = make_population(policy, seed, people, months)
    codes = pop.townships
    kinds = township_formats(codes, formats)
    bounds = np.searchsorted(pop.township, np.arange(len(codes) + 1))
    start = month_number(months[0])
    written: list[Path] = []
    roster_rows: dict[str, int] = {}
    death_rows = 0

    for i, month in enumerate(months):
        folder = root / month / "rosters"
        folder.mkdir(parents=True, exist_ok=True)
        active = (pop.join <= i) & (pop.registration >= i)
        receiving = pop.receiving_at_start | (pop.pension_month <= start + i)
        total = 0
        for t, code in enumerate(codes):
            kind, english = kinds[code]
            lo, hi = bounds[t], bounds[t + 1]
            idx = lo + np.flatnonzero(active[lo:hi])
            table = _roster_table(pop, idx, receiving[idx], code, english)
            extra = edges.rows_for(month, code)
            numeric = {}
            if extra:
                edge_table = pa.Table.from_pylist([r.values for r in extra], schema=table.schema)
                for offset, row in enumerate(extra):
                    if row.numeric_id is not None:
                        numeric[table.num_rows + offset] = row.numeric_id
                table = pa.concat_tables([table, edge_table])
            total += table.num_rows
            headers = [c.name if english else c.chinese for c in ROSTER]
            table = table.rename_columns(headers)
            name = f"{code}_{policy.township_name(code)}_{month}"
            if kind == "xlsx":
                path = folder / f"{name}.xlsx"
                _write_xlsx_table(table, path, headers[0], numeric)
            else:
                path = folder / f"{name}.csv"
                table = _numbers_as_csv_text(table, headers[0], numeric)
                _write_csv(table, path, kind)
            written.append(path)
        roster_rows[month] = total

        deaths = _deaths_table(pop, i, start, edges.deaths_for(month))
        if deaths.num_rows:
            folder = root / month / "deaths"
            folder.mkdir(parents=True, exist_ok=True)
            deaths = deaths.rename_columns([c.chinese for c in DEATH])
            if formats == "mixed" and i == DEATHS_XLSX_MONTH_INDEX:
                path = folder / f"deaths_{month}.xlsx"
                _write_xlsx_table(deaths, path, None, {})
            else:
                path = folder / f"deaths_{month}.csv"
                _write_csv(deaths, path, "utf-8")
            written.append(path)
            death_rows += deaths.num_rows

        corrections = edges.corrections_for(month)
        if corrections:
            folder = root / month / "id_corrections"
            folder.mkdir(parents=True, exist_ok=True)
            table = pa.Table.from_pylist([c.values for c in corrections])
            path = folder / f"id_corrections_{month}.csv"
            _write_csv(table.rename_columns([c.chinese for c in ID_CORRECTION]), path, "utf-8")
            written.append(path)

    contribution_rows = 0
    first_year = int(months[0][:4])
    years = sorted({int(m[:4]) for m in months} | ({first_year - 1} if accounts else set()))
    for year in years:
        folder = root / "contributions"
        folder.mkdir(parents=True, exist_ok=True)
        table = _contributions_table(pop, year, seed, start, edges.contributions_for(year))
        path = folder / f"{year}.csv"
        _write_csv(table, path, "utf-8")
        written.append(path)
        contribution_rows += table.num_rows

    opening_rows = 0
    if accounts:
        folder = root / "accounts"
        folder.mkdir(parents=True, exist_ok=True)
        table = _opening_table(pop, seed, start, policy.divisor_in(months[0]), edges.opening_rows)
        path = folder / "opening.csv"
        _write_csv(table, path, "utf-8")
        written.append(path)
        opening_rows = table.num_rows

    return SynthReport(
        root=root,
        files=tuple(sorted(p.relative_to(root).as_posix() for p in written)),
        people=people,
        joiners=int((pop.join > 0).sum()),
        deaths=int(pop.deaths["person"].size),
        death_registrations=death_rows,
        roster_rows=roster_rows,
        contribution_rows=contribution_rows,
        opening_rows=opening_rows,
        township_formats={c: f"{k}/{'en' if e else 'zh'}" for c, (k, e) in kinds.items()},
        edge_cases=len(edges.catalogue),
    )


# ------------------------------------------------------------------------------- the tables


def _roster_table(pop: Population, idx: np.ndarray, receiving: np.ndarray, code: str, english: bool) -> pa.Table:
    words = ENGLISH_VALUES if english else CHINESE_VALUES
    n = idx.size
    male = pop.male[idx]
    contributing = ~receiving
    banked = receiving | pop.bank_while_contributing[idx]
    cents = pop.account_cents[idx]
    benefit = pop.benefit_start[idx].astype(np.int64) - MONTH_BASE
    nothing = pa.nulls(n, pa.string())
    columns = {
        "id_number": text_column(pop.id_number[idx]),
        "name": text_column(pop.name[idx]),
        "sex": take(vocabulary(words["sex"]), np.where(male, 0, 1)),
        "birth_date": text_column(date_text(pop.birth[idx]), mask=~pop.birth_listed[idx]),
        "township_code": take(vocabulary([code, code + "000"]), pop.code12[idx]),
        "village": take(vocabulary(pop.village_names), pop.village[idx]),
        "hukou_local": take(vocabulary([words["hukou"]]), np.zeros(n, dtype=np.int64)),
        "status": take(vocabulary(words["status"]), contributing),
        "benefit_start": take(MONTH_TEXTS, benefit, mask=contributing),
        "suspended_from": nothing,
        "end_month": nothing,
        "employee_pension_from": nothing,
        "account_pension": take(ACCOUNT_TEXTS, np.maximum(cents, 0), mask=contributing | (cents < 0)),
        "bank_code": take(vocabulary(pop.bank_codes), pop.bank[idx], mask=~banked),
        "account_number": text_column(pop.account[idx], mask=~banked),
        "account_name": text_column(pop.name[idx], mask=~pop.account_name_listed[idx]),
    }
    return pa.table([columns[c.name] for c in ROSTER], names=[c.name for c in ROSTER])


def _deaths_table(pop: Population, i: int, start: int, extra) -> pa.Table:
    """Registrations received in month i: first registrations, and the next of kin coming in a
    month later with the payee details a first registration lacked (a correcting registration)."""
    d = pop.deaths
    first = np.flatnonzero(d["registration"] == i)
    follow_up = np.flatnonzero(~d["has_payee"] & (d["registration"] + 1 == i))
    rows = np.concatenate([first, follow_up])
    person = d["person"][rows]
    payee = np.concatenate([d["has_payee"][first], np.ones(follow_up.size, dtype=bool)])
    ninth = first_day(np.full(follow_up.size, start + i, dtype=np.int64)) + np.timedelta64(9, "D")
    registered_on = np.concatenate([d["registered_on"][first], ninth])
    names = [c.name for c in DEATH]
    table = pa.table(
        [
            text_column(pop.id_number[person]),
            text_column(pop.name[person]),
            text_column(date_text(d["death_date"][rows])),
            text_column(date_text(registered_on)),
            take(vocabulary(d["source_names"]), d["source"][rows]),
            text_column(d["payee_name"][rows], mask=~payee),
            take(vocabulary(pop.bank_codes), d["payee_bank"][rows], mask=~payee),
            text_column(d["payee_account"][rows], mask=~payee),
        ],
        names=names,
    )
    if extra:
        edge = pa.Table.from_pylist([e.values for e in extra], schema=table.schema)
        table = pa.concat_tables([table, edge])
    if table.num_rows:
        table = table.take(
            pc.sort_indices(table, sort_keys=[("registered_on", "ascending"), ("id_number", "ascending")])
        )
    return table


def _contributions_paid(pop: Population, year: int, seed: int, start: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who pays in Q4 of `year` (about 96% of the people contributing in its December; for a year
    before the first month, of the contributors on the first roster), in the order of paid_on:
    (rows, tier index per person, paid_on per person)."""
    rng = np.random.default_rng([seed, year, 7])
    december = year * 12 + 11
    listed = (pop.join == 0) if december < start else (start + pop.join.astype(np.int64) <= december)
    candidate = ~pop.receiving_at_start & (pop.pension_month > december) & listed
    n = pop.size
    paid = candidate & (rng.random(n) < PAID_SHARE)
    tier = rng.choice(len(CONTRIBUTION_TIERS_YUAN), size=n, p=CONTRIBUTION_TIER_SHARE)
    october = first_day(year * 12 + 9)
    paid_on = october + (rng.random(n) * 81).astype("timedelta64[D]")
    # The dead do not pay after their death.
    death_day = np.full(n, np.datetime64("2200-01-01"), dtype="datetime64[D]")
    death_day[pop.deaths["person"]] = pop.deaths["death_date"]
    paid &= death_day >= paid_on
    rows = np.flatnonzero(paid)
    return rows[np.argsort(paid_on[rows], kind="stable")], tier, paid_on


def _contributions_table(pop: Population, year: int, seed: int, start: int, extra: list[dict]) -> pa.Table:
    """Q4 payments of `year`, then the edge cases' rows of that year."""
    rows, tier, paid_on = _contributions_paid(pop, year, seed, start)
    m = rows.size
    tiers = vocabulary(str(t) for t in range(1, len(CONTRIBUTION_TIERS_YUAN) + 1))
    personal = vocabulary(f"{y}.00" for y in CONTRIBUTION_TIERS_YUAN)
    columns = [
        text_column(pop.id_number[rows]),
        take(vocabulary([str(year)]), np.zeros(m, dtype=np.int64)),
        take(tiers, tier[rows]),
        take(personal, tier[rows]),
        take(vocabulary([f"{SUBSIDY_YUAN}.00"]), np.zeros(m, dtype=np.int64)),
        text_column(date_text(paid_on[rows])),
    ]
    table = pa.table(columns, names=[c.name for c in CONTRIBUTION])
    if extra:
        table = pa.concat_tables([table, pa.Table.from_pylist(extra, schema=table.schema)])
    return table.rename_columns([c.chinese for c in CONTRIBUTION])


def _opening_table(pop: Population, seed: int, start: int, divisor: int, extra: list[dict]) -> pa.Table:
    """The balances the previous system hands over for everyone on the first roster, in yuan:
    - paid a pension in the first month (awarded by the previous system): what is left of the
      account pension's `divisor` months after the months it has paid (0 once they are used up);
    - reaching pension age within the months made: `divisor` months of the account pension the
      roster will show, so that the award computed from the balance equals it;
    - other contributors: 0..9 earlier yearly payments of one tier plus last year's payment (the
      year before the first month's contributions file), each with the subsidy.
    A person whose roster leaves the account pension empty has no account handed over (no row)."""
    rng = np.random.default_rng([seed, start, 11])
    n = pop.size
    cents = pop.account_cents.astype(np.int64)
    first = pop.join == 0
    paid_first = pop.receiving_at_start | (pop.pension_month <= start)
    awarded_later = ~paid_first & (pop.pension_month < start + len(pop.months))
    saver = first & ~paid_first & ~awarded_later
    months_paid = np.maximum(start - pop.benefit_start.astype(np.int64), 0)
    yearly = (np.array(CONTRIBUTION_TIERS_YUAN, dtype=np.int64) + SUBSIDY_YUAN) * 100
    tier = rng.choice(len(CONTRIBUTION_TIERS_YUAN), size=n, p=CONTRIBUTION_TIER_SHARE)
    years = rng.integers(0, YEARS_SAVED_BEFORE, size=n)
    last_rows, last_tier, _ = _contributions_paid(pop, start // 12 - 1, seed, start)
    last_year = np.zeros(n, dtype=np.int64)
    last_year[last_rows] = yearly[last_tier[last_rows]]
    balance = np.where(
        paid_first,
        cents * np.maximum(divisor - months_paid, 0),
        np.where(awarded_later, cents * divisor, years * yearly[tier] + last_year),
    )
    rows = np.flatnonzero(first & ((cents >= 0) | saver))
    fen = pa.array(balance[rows], type=pa.int64())
    whole = pc.divide(fen, 100)  # integer division: the balances are never negative
    cents_text = pc.utf8_lpad(pc.cast(pc.subtract(fen, pc.multiply(whole, 100)), pa.string()), 2, "0")
    yuan = pc.binary_join_element_wise(pc.cast(whole, pa.string()), cents_text, ".")
    m = rows.size
    table = pa.table(
        [
            text_column(pop.id_number[rows]),
            yuan,
            take(vocabulary([month_text(start)]), np.zeros(m, dtype=np.int64)),
        ],
        names=[c.name for c in OPENING_BALANCE],
    )
    if extra:
        table = pa.concat_tables([table, pa.Table.from_pylist(extra, schema=table.schema)])
    return table.rename_columns([c.chinese for c in OPENING_BALANCE])


# ------------------------------------------------------------------------------------ writing


def _numbers_as_csv_text(table: pa.Table, column: str, numeric: dict[int, float]) -> pa.Table:
    """In a CSV, an ID Excel turned into a number reads as Excel shows it: 3.20281E+17."""
    if not numeric:
        return table
    values = table.column(column).to_pylist()
    for row, number in numeric.items():
        values[row] = f"{number:.5E}"
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, type=pa.string()))


def _write_xlsx_table(table: pa.Table, path: Path, column: str | None, numeric: dict[int, float]) -> None:
    """A clerk's workbook: every cell text, except in `column` the rows whose ID the clerk's Excel
    turned into a number (row -> that number), which the pipeline must reject."""
    workbook = new_workbook()
    sheet = workbook.create_sheet(title="Sheet1")
    sheet.append([data_cell(sheet, name) for name in table.column_names])
    at = table.column_names.index(column) if column is not None else None
    for i, row in enumerate(table.to_pandas().itertuples(index=False, name=None)):
        cells = [data_cell(sheet, value) for value in row]
        if i in numeric:
            cells[at] = data_cell(sheet, numeric[i], numeric=True)
        sheet.append(cells)
    path.write_bytes(workbook_bytes(workbook))


def _write_csv(table: pa.Table, path: Path, kind: str) -> None:
    """A whole table at once; minimal quoting; GB18030 files get Windows line ends."""
    eol = "\r\n" if kind == "gb18030" else "\n"
    buffer = io.BytesIO()
    try:
        pacsv.write_csv(
            table,
            buffer,
            pacsv.WriteOptions(quoting_style="none", quoting_header="none", eol=eol),
        )
        data = buffer.getvalue()
    except pa.ArrowInvalid:  # a cell with a comma or quote: quote only where needed
        text = table.to_pandas().to_csv(index=False, lineterminator=eol)
        data = text.encode("utf-8")
    if kind == "utf-8-sig":
        data = b"\xef\xbb\xbf" + data
    elif kind == "gb18030":
        data = data.decode("utf-8").encode("gb18030")
    path.write_bytes(data)
