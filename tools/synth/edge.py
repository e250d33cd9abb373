"""Hand-made people and rows added on top of the random population (``edge_cases=True``).

Each named case is one TOML file, ``cases/<kind>/NN_<key>.toml``, holding its person, the months
and townships whose rosters list them (and how the row differs there), their death registrations
and ID corrections, their personal account (an `[account]` opening balance, `[[contribution]]`
rows of the contributions files), what the input holds and what the pipeline must do with it.
A scenario person receiving on the opening month's roster with an account pension and no
`[account]` table opens with DEFAULT_ACCOUNT_MONTHS months of that pension, so that the named
people's accounts look like the random population's (none runs out by accident). IDs use the
sequence numbers 980-999 (the random population never uses those), so tests can find them in any
seed. The sample's README and ``edge_cases.json`` are written from this catalogue.

Cases are read kind by kind, in file-name order: that is the order of their rows in a roster
file. The scenario months are fixed (2021); rows for months that are not generated are left out.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from pipeline.core.months import month_range

CASES = Path(__file__).parent / "cases"
KINDS = ("scenario", "bad_roster_row", "bad_death_row")

ROSTER_FIELDS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "township_code",
    "village",
    "hukou_local",
    "status",
    "benefit_start",
    "suspended_from",
    "end_month",
    "employee_pension_from",
    "account_pension",
    "bank_code",
    "account_number",
    "account_name",
)
DEATH_FIELDS = (
    "id_number",
    "name",
    "death_date",
    "registered_on",
    "source",
    "payee_name",
    "payee_bank_code",
    "payee_account_number",
)
CORRECTION_FIELDS = ("old_id_number", "new_id_number", "reason", "registered_on")
OPENING_FIELDS = ("id_number", "balance_yuan", "as_of_month")
CONTRIBUTION_FIELDS = ("id_number", "year", "tier", "personal_yuan", "subsidy_yuan", "paid_on")
CONTRIBUTION_KEYS = set(CONTRIBUTION_FIELDS) - {"id_number"}
ACCOUNT_KEYS = {"opening_yuan"}
DEFAULT_ACCOUNT_MONTHS = 60
OPENING_MONTH = "2021-01"  # the scenario months are fixed (2021), and so is the sample's opening month
RECEIVING = ("领取", "暂停", "receiving", "suspended")

# What a case file may hold; anything else is a typo that would silently drop a value.
CASE_KEYS = {
    *("name", "id_number", "input", "expected", "expected_rejects", "facts"),
    *("person", "roster", "death", "id_correction", "account", "contribution"),
}
SPELL_KEYS = {"from", "to", "file", "copies", "id_as_number", "set"}


@dataclass
class EdgeRow:
    month: str
    file_township: str  # whose roster file holds the row
    values: dict  # roster field -> text or None
    numeric_id: float | None = None  # the ID cell is stored as an Excel number


@dataclass
class EdgeDeath:
    month: str
    values: dict


@dataclass
class EdgeCases:
    roster_rows: list[EdgeRow] = field(default_factory=list)
    death_rows: list[EdgeDeath] = field(default_factory=list)
    catalogue: dict = field(default_factory=dict)
    correction_rows: list[EdgeDeath] = field(default_factory=list)  # month + ID-correction values
    opening_rows: list[dict] = field(default_factory=list)  # OPENING_FIELDS -> text
    contribution_rows: list[dict] = field(default_factory=list)  # CONTRIBUTION_FIELDS -> text

    def contributions_for(self, year: int) -> list[dict]:
        return [c for c in self.contribution_rows if c["year"] == str(year)]

    def corrections_for(self, month: str) -> list[EdgeDeath]:
        return [c for c in self.correction_rows if c.month == month]

    def rows_for(self, month: str, township: str) -> list[EdgeRow]:
        return [r for r in self.roster_rows if r.month == month and r.file_township == township]

    def deaths_for(self, month: str) -> list[EdgeDeath]:
        return [d for d in self.death_rows if d.month == month]

    def townships(self) -> list[str]:
        """Townships whose roster files hold edge rows: all must submit rosters in the policy used."""
        return sorted({r.file_township for r in self.roster_rows})


def build_edge_cases(folder: Path = CASES) -> EdgeCases:
    cases = EdgeCases()
    for kind in KINDS:
        for path in sorted((folder / kind).glob("*.toml")):
            add_case(cases, path.stem.split("_", 1)[1], kind, tomllib.loads(path.read_text(encoding="utf-8")), path)
    return cases


def add_case(cases: EdgeCases, key: str, kind: str, case: dict, path: Path) -> None:
    """The case's rows, and its catalogue entry: the roster months and townships are those of
    the rows under the case's own ID."""
    _check_keys(case, CASE_KEYS, path)
    person = {"id_number": case["id_number"], "name": case["name"], **case.get("person", {})}
    rows = []
    for spell in case.get("roster", []):
        _check_keys(spell, SPELL_KEYS, path)
        values = _clean({**person, **spell.get("set", {})}, ROSTER_FIELDS)
        township = spell.get("file", person["township_code"])
        for month in month_range(spell["from"], spell["to"]):
            rows += [EdgeRow(month, township, values, spell.get("id_as_number"))] * spell.get("copies", 1)
    cases.roster_rows += rows
    for death in case.get("death", []):
        cases.death_rows.append(EdgeDeath(death["month"], _clean({**person, **death}, DEATH_FIELDS)))
    for correction in case.get("id_correction", []):
        cases.correction_rows.append(EdgeDeath(correction["month"], _clean(correction, CORRECTION_FIELDS)))
    opening = _opening_yuan(case, kind, rows, path)
    if opening is not None:
        # under the ID the opening month's roster gives (the previous system's: a wrong one for
        # a person whose ID is corrected later, as the rosters give it)
        first = next((r.values["id_number"] for r in rows if r.month == OPENING_MONTH), case["id_number"])
        cases.opening_rows.append({"id_number": first, "balance_yuan": opening, "as_of_month": OPENING_MONTH})
    for contribution in case.get("contribution", []):
        _check_keys(contribution, CONTRIBUTION_KEYS, path)
        cases.contribution_rows.append(_clean({"id_number": case["id_number"], **contribution}, CONTRIBUTION_FIELDS))
    own = [r for r in rows if r.values["id_number"] == case["id_number"]]
    townships = sorted({r.file_township for r in own})
    cases.catalogue[key] = {
        "kind": kind,
        "name": case["name"],
        "id_number": case["id_number"],
        "township_code": townships[0] if townships else None,
        "roster_townships": townships,
        "roster_months": sorted({r.month for r in own}),
        "input": case["input"],
        "expected": case["expected"],
        "expected_rejects": case.get("expected_rejects", []),
        **({"opening_yuan": opening} if opening is not None else {}),
        **case.get("facts", {}),
    }


def _opening_yuan(case: dict, kind: str, rows: list[EdgeRow], path: Path) -> str | None:
    """The case's opening balance (yuan text): its `[account]`, else for a scenario person
    receiving in the opening month with an account pension, DEFAULT_ACCOUNT_MONTHS of it."""
    if "account" in case:
        _check_keys(case["account"], ACCOUNT_KEYS, path)
        return str(case["account"]["opening_yuan"])
    first = [r for r in rows if r.month == OPENING_MONTH]
    if kind != "scenario" or not first or first[0].values["status"] not in RECEIVING:
        return None
    pension = first[0].values["account_pension"]
    if pension is None:
        return None
    fen = round(Decimal(pension) * 100) * DEFAULT_ACCOUNT_MONTHS
    return f"{fen // 100}.{fen % 100:02d}"


def _check_keys(table: dict, allowed: set[str], path: Path) -> None:
    unknown = set(table) - allowed
    if unknown:
        raise ValueError(f"{path.name}: unknown keys {sorted(unknown)}")


def _clean(values: dict, fields) -> dict:
    """Only `fields`, as text; a missing or empty value is an empty cell (TOML has no null)."""
    return {f: (None if values.get(f) in (None, "") else str(values[f])) for f in fields}
