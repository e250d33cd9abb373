"""The effective-dated policy: one TOML file an operator edits, validated as a whole by one typed
model before anything runs, then read into the values the steps use.

Every mistake in the file is a stop naming the key, its line and what is allowed; a file that
validates holds no value that could pay wrong money silently (a threshold of 10 instead of
0.10, a string "false" read as true, a codec that does not exist, a month without a rate)."""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.bank_layouts import BankLayout, Encoding, default_layout
from pipeline.core.months import MONTH_RE
from pipeline.ingest.columns import HeaderRules

DEFAULT_BANK_ENCODING = "gb18030"  # SPEC §2: what a bank reads unless its agreement says otherwise

Month = Annotated[str, Field(pattern=MONTH_RE, description="a month written YYYY-MM, e.g. 2021-03")]
Fen = Annotated[int, Field(ge=0, description="whole fen (分), 392 yuan = 39200")]
RATE_PLACES = 8  # decimal places of an interest rate: the SQL computes with DECIMAL(18, 8)
Share = Annotated[float, Field(gt=0, lt=1, description="a share strictly between 0 and 1, e.g. 0.10 for 10%")]


class Section(BaseModel):
    """Strict: a string is never read as a number or a boolean, and an unknown key (a typo) is
    an error, not a setting silently ignored."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class RunSettings(Section):
    opening_month: Month
    roster_reject_threshold: Share


class PensionAge(Section):
    male: Annotated[int, Field(ge=40, le=80)]
    female: Annotated[int, Field(ge=40, le=80)]
    topup: Annotated[int, Field(ge=40, le=100)]


class FuneralGrant(Section):
    base_months: Annotated[int, Field(ge=1, le=60)]


class Contributions(Section):
    tiers: Annotated[int, Field(ge=1, le=30)]
    subsidy_per_person_fen: Fen


class BudgetYear(Section):
    base_pension_wan: Annotated[int, Field(ge=0)]
    topup65_wan: Annotated[int, Field(ge=0)]
    funeral_grant_wan: Annotated[int, Field(ge=0)]
    contribution_subsidy_wan: Annotated[int, Field(ge=0)]
    central_subsidy_wan: Annotated[int, Field(ge=0)]


class Indicators(Section):
    timely_share: Annotated[float, Field(gt=0, le=1)]


class RateRow(Section):
    from_month: Month = Field(alias="from")
    base_fen: Fen
    topup65_fen: Fen
    source: Annotated[str, Field(min_length=1)]


class InterestRow(Section):
    """The personal accounts' interest rate of one year (SPEC §5a)."""

    year: Annotated[int, Field(ge=1990, le=2200)]
    rate: Annotated[float, Field(ge=0, lt=1, description="a fraction, e.g. 0.015 for 1.5%")]
    source: Annotated[str, Field(min_length=1)]

    @model_validator(mode="after")
    def _exact(self) -> InterestRow:
        # the rate is applied as the decimal written in the file; more places than this would be
        # a typo (1.5 written as 0.0000015?) and would not survive DECIMAL(18, 8) exactly
        if -Decimal(repr(self.rate)).as_tuple().exponent > RATE_PLACES:
            raise ValueError(f"rate {self.rate!r} has more than {RATE_PLACES} decimal places")
        return self


class DivisorRow(Section):
    """The divisor of the account pension at award (计发月数), effective-dated by the award month."""

    from_month: Month = Field(alias="from")
    months: Annotated[int, Field(ge=1, le=600)]
    source: Annotated[str, Field(min_length=1)]


class LimitRow(Section):
    """Plausibility limits, effective-dated like the rates: a value beyond them is a clerk's typo
    or a broken file until someone at the office says otherwise."""

    from_month: Month = Field(alias="from")
    max_account_pension_fen: Annotated[int, Field(gt=0)]
    max_bank_line_fen: Annotated[int, Field(gt=0)]
    max_name_chars: Annotated[int, Field(ge=2, le=200)]
    max_total_change_share: Share


class County(Section):
    code: Annotated[str, Field(pattern=r"^[0-9]{6}$", description="the 6-digit NBS division code")]
    name: Annotated[str, Field(min_length=1)]


class Township(Section):
    code: Annotated[str, Field(pattern=r"^[0-9]{9}$", description="the 9-digit NBS division code")]
    name: Annotated[str, Field(min_length=1)]
    funding: Literal["self", "split"]
    submits_roster: bool


class Bank(Section):
    code: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]{1,11}$", description="upper-case letters and digits")]
    name: Annotated[str, Field(min_length=1)]
    encoding: Encoding = DEFAULT_BANK_ENCODING
    # the file config/banks/<layout>.toml beside the policy file; none: SPEC §7's CSV
    layout: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")] | None = None


class Headers(Section):
    """Header spellings clerks use beyond the canonical Chinese and English names."""

    synonyms: dict[str, str] = {}
    ignored: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Headers:
        self.rules()  # a synonym of an unknown column, or one both a synonym and ignored
        return self

    def rules(self) -> HeaderRules:
        return HeaderRules(synonyms=self.synonyms, ignored=frozenset(self.ignored))


class PolicyFile(Section):
    run: RunSettings
    pension_age: PensionAge
    funeral_grant: FuneralGrant
    contributions: Contributions
    budget: dict[Annotated[str, Field(pattern=r"^[0-9]{4}$")], BudgetYear] = {}
    indicators: Indicators
    rates: Annotated[list[RateRow], Field(min_length=1)]
    limits: Annotated[list[LimitRow], Field(min_length=1)]
    account_interest: list[InterestRow] = []
    account_divisor: Annotated[list[DivisorRow], Field(min_length=1)]
    counties: Annotated[list[County], Field(min_length=1)]
    townships: Annotated[list[Township], Field(min_length=1)]
    banks: Annotated[list[Bank], Field(min_length=1)]
    headers: Headers = Headers()

    @model_validator(mode="after")
    def _whole_file(self) -> PolicyFile:
        problems = [
            *_duplicates("rates", [r.from_month for r in self.rates], "from"),
            *_duplicates("limits", [r.from_month for r in self.limits], "from"),
            *_duplicates("account_interest", [str(r.year) for r in self.account_interest], "year"),
            *_duplicates("account_divisor", [r.from_month for r in self.account_divisor], "from"),
            *_duplicates("counties", [c.code for c in self.counties], "code"),
            *_duplicates("townships", [t.code for t in self.townships], "code"),
            *_counties_of_townships([c.code for c in self.counties], [t.code for t in self.townships]),
            *_duplicates("banks", [b.code for b in self.banks], "code"),
            *_in_force_from_opening("rates", [r.from_month for r in self.rates], self.run.opening_month),
            *_in_force_from_opening("limits", [r.from_month for r in self.limits], self.run.opening_month),
            *_in_force_from_opening(
                "account_divisor", [r.from_month for r in self.account_divisor], self.run.opening_month
            ),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def _duplicates(table: str, keys: list[str], key: str) -> list[str]:
    seen, doubled = set(), []
    for value in keys:
        if value in seen and value not in doubled:
            doubled.append(value)
        seen.add(value)
    return [f'[[{table}]] lists {key} = "{value}" more than once: keep one row' for value in doubled]


def _counties_of_townships(counties: list[str], townships: list[str]) -> list[str]:
    """A township belongs to the county its code begins with (NBS codes nest): one outside every
    listed county would be partitioned nowhere, a county without a township is a typo."""
    problems = [
        f'[[townships]] code = "{code}" begins with no [[counties]] code: add its county '
        f'(code = "{code[:6]}") or correct the township code'
        for code in townships
        if code[:6] not in counties
    ]
    problems += [
        f'[[counties]] code = "{code}" has no township (no [[townships]] code begins with it): remove it or '
        "add its townships"
        for code in dict.fromkeys(counties)
        if not any(t[:6] == code for t in townships)
    ]
    return problems


def _in_force_from_opening(table: str, froms: list[str], opening_month: str) -> list[str]:
    if froms and min(froms) > opening_month:
        return [
            f"no [[{table}]] row is in force in the opening month {opening_month} (the earliest is "
            f"from {min(froms)}): every month from the opening month on needs one"
        ]
    return []


@dataclass(frozen=True)
class Policy:
    path: Path
    sha256: str
    opening_month: str
    roster_reject_threshold: float
    pension_age_male: int
    pension_age_female: int
    topup_age: int
    funeral_grant_months: int
    contribution_tiers: int
    rates: pd.DataFrame  # from_month, base_fen, topup65_fen, source; sorted by from_month
    limits: pd.DataFrame  # from_month, max_*; sorted by from_month
    account_interest: pd.DataFrame  # year, rate (exact decimal text), source; sorted by year
    account_divisors: pd.DataFrame  # from_month, months, source; sorted by from_month
    counties: pd.DataFrame  # code, name
    townships: pd.DataFrame  # code, name, funding, submits_roster, county
    banks: pd.DataFrame  # code, name, encoding
    header_rules: HeaderRules  # [headers]: other headers clerks use, headers to drop
    bank_layouts: dict[str, BankLayout]  # bank code -> its file layout (config/banks/, or SPEC §7's CSV)
    layout_files: dict[str, str]  # layout file name -> sha256, for the manifest
    raw: dict

    @property
    def township_codes(self) -> list[str]:
        return self.townships["code"].tolist()

    @property
    def county_codes(self) -> list[str]:
        return self.counties["code"].tolist()

    @property
    def rostering_townships(self) -> list[str]:
        return self.townships.loc[self.townships["submits_roster"], "code"].tolist()

    @property
    def bank_codes(self) -> list[str]:
        return self.banks["code"].tolist()

    @property
    def subsidy_per_person_fen(self) -> int:
        return int(self.raw["contributions"]["subsidy_per_person_fen"])

    @property
    def timely_share(self) -> float:
        return float(self.raw["indicators"]["timely_share"])

    def budget(self, year: int) -> dict[str, int] | None:
        """The declared budget lines of a year, in 万元, or None when none is configured."""
        return self.raw.get("budget", {}).get(str(year))

    def rate_in(self, month: str) -> pd.Series:
        """The rate row in force in a month."""
        return _row_in_force(self.rates, month, "rates")

    def limits_in(self, month: str) -> pd.Series:
        """The plausibility limits in force in a month."""
        return _row_in_force(self.limits, month, "limits")

    def divisor_in(self, month: str) -> int:
        """The account-pension divisor for an award in a month."""
        return int(_row_in_force(self.account_divisors, month, "account_divisor")["months"])

    def interest_rate(self, year: int) -> str:
        """The accounts' interest rate of a year as exact decimal text (it is applied in SQL as a
        DECIMAL, never as a binary float)."""
        rows = self.account_interest[self.account_interest["year"] == year]
        if rows.empty:
            raise PolicyError(
                f"no [[account_interest]] row of the policy file gives the interest rate of {year}, which the "
                f"close of {year}-12 credits; add a row with year = {year}, its rate and its source"
            )
        return str(rows["rate"].iloc[0])

    def bank_encoding(self, code: str) -> str:
        return self.banks.set_index("code").at[code, "encoding"]

    def bank_name(self, code: str) -> str:
        return self.banks.set_index("code").at[code, "name"]

    def return_encoding(self, code: str) -> str:
        returns = self.bank_layouts[code].returns
        return (returns.encoding if returns else None) or self.bank_encoding(code)

    def township_name(self, code: str) -> str:
        return self.townships.set_index("code").at[code, "name"]


def _row_in_force(table: pd.DataFrame, month: str, name: str) -> pd.Series:
    in_force = table[table["from_month"] <= month]
    if in_force.empty:
        raise PolicyError(
            f"no [[{name}]] row of the policy file is in force in {month} (the earliest is from "
            f'{table["from_month"].min()}); add a row with from = "{month}" or earlier'
        )
    return in_force.iloc[-1]


class PolicyError(ValueError):
    """The policy file is missing or inconsistent: nothing can be computed from it."""


def load_policy(path: Path) -> Policy:
    data, text, raw = _read_toml(path)
    try:
        checked = PolicyFile.model_validate(raw)
    except ValidationError as err:
        raise PolicyError(_explain(err, path, text)) from None
    layouts, layout_files = _bank_layouts(checked.banks, path.parent / "banks")
    return Policy(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        opening_month=checked.run.opening_month,
        roster_reject_threshold=checked.run.roster_reject_threshold,
        pension_age_male=checked.pension_age.male,
        pension_age_female=checked.pension_age.female,
        topup_age=checked.pension_age.topup,
        funeral_grant_months=checked.funeral_grant.base_months,
        contribution_tiers=checked.contributions.tiers,
        rates=_dated_table([r.model_dump() for r in checked.rates], ("base_fen", "topup65_fen")),
        limits=_dated_table(
            [r.model_dump() for r in checked.limits],
            ("max_account_pension_fen", "max_bank_line_fen", "max_name_chars"),
        ),
        account_interest=pd.DataFrame(
            {
                "year": pd.Series([r.year for r in checked.account_interest], dtype="int64"),
                "rate": pd.Series([repr(r.rate) for r in checked.account_interest], dtype="str"),
                "source": pd.Series([r.source for r in checked.account_interest], dtype="str"),
            }
        ).sort_values("year", ignore_index=True),
        account_divisors=_dated_table([r.model_dump() for r in checked.account_divisor], ("months",)),
        counties=pd.DataFrame([c.model_dump() for c in checked.counties]).sort_values("code", ignore_index=True),
        townships=pd.DataFrame([t.model_dump() | {"county": t.code[:6]} for t in checked.townships]).astype(
            {"submits_roster": bool}
        ),
        banks=pd.DataFrame([b.model_dump() for b in checked.banks]),
        header_rules=checked.headers.rules(),
        bank_layouts=layouts,
        layout_files=layout_files,
        raw=raw,
    )


def _bank_layouts(banks: list[Bank], folder: Path) -> tuple[dict[str, BankLayout], dict[str, str]]:
    """Each bank's layout, read and validated from folder/<layout>.toml (the same stops as the
    policy file: the file, the key, its line)."""
    layouts, files = {}, {}
    for bank in banks:
        if bank.layout is None:
            layouts[bank.code] = default_layout()
            continue
        path = folder / f"{bank.layout}.toml"
        data, text, raw = _read_toml(path)
        try:
            layouts[bank.code] = BankLayout.model_validate(raw)
        except ValidationError as err:
            raise PolicyError(_explain(err, path, text)) from None
        files[path.name] = hashlib.sha256(data).hexdigest()
    return layouts, files


def _read_toml(path: Path) -> tuple[bytes, str, dict]:
    """The file's bytes (hashed as read: the manifest names exactly what was applied), its text
    and its parsed TOML."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError(f"{_file_kind(path)} {path} not found") from None
    except OSError as err:
        raise PolicyError(f"{_file_kind(path)} {path} cannot be read ({err.strerror})") from None
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise PolicyError(
            f"{_file_kind(path)} {path}, line {line}: the file is not UTF-8 text (saved as GBK or another "
            "encoding?). It must be UTF-8: save it again as UTF-8 and rerun."
        ) from None
    try:
        return data, text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(
            f"{_file_kind(path)} {path}: it is not valid TOML ({err}). Fix that line (a missing quote, "
            "bracket or '=') and rerun."
        ) from None


def _dated_table(rows: list[dict], whole: tuple[str, ...]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    return table.sort_values("from_month", ignore_index=True).astype(dict.fromkeys(whole, "int64"))


def _explain(err: ValidationError, path: Path, text: str) -> str:
    """One sentence per problem: the key as written in the file, its line, what is allowed."""
    problems = []
    for problem in err.errors(include_url=False):
        location = tuple("from" if part == "from_month" else part for part in problem["loc"])
        key = _key_text(location)
        line = _line_of(text, location)
        where = f"line {line}, " if line else ""
        whole_table = isinstance(problem["input"], dict | list)  # the problem is the table's, not a value's
        got = "" if problem["type"] == "missing" or whole_table else f" = {problem['input']!r}"
        key = f"[{key}]" if whole_table and key and problem["type"] == "value_error" else key
        problems.append(f"{where}{key or 'the file'}{got}: {_allowed(problem)}")
    shown = problems[:10] + ([f"and {len(problems) - 10} more"] if len(problems) > 10 else [])
    return (
        f"{_file_kind(path)} {path} has {len(problems)} problem(s): " + "; ".join(shown) + ". Fix the file and rerun."
    )


def _file_kind(path: Path) -> str:
    return "bank layout file" if path.parent.name == "banks" else "policy file"


def _allowed(problem: dict) -> str:
    kind = problem["type"]
    if kind == "missing":
        return "this setting is required but missing"
    if kind == "extra_forbidden":
        return "not a setting the pipeline knows (a typo?); remove or correct it"
    if kind == "string_pattern_mismatch":
        pattern = problem["ctx"]["pattern"]
        return "must be a month written YYYY-MM (e.g. 2021-03)" if pattern == MONTH_RE else f"must match {pattern}"
    if kind in ("float_type", "int_type", "bool_type", "string_type", "list_type", "dict_type", "model_type"):
        wanted = {
            "float_type": "a number (e.g. 0.10, no quotes or %)",
            "int_type": "a whole number without quotes",
            "bool_type": "true or false, without quotes",
            "string_type": "text in quotes",
            "list_type": "a list [...]",
            "dict_type": "a table",
            "model_type": "a table",
        }[kind]
        return f"must be {wanted}"
    if kind == "value_error":
        return problem["msg"].removeprefix("Value error, ")
    return problem["msg"]


def _key_text(location: tuple) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"^\s*(\"[^\"]+\"|[A-Za-z0-9_-]+)\s*=")


def _line_of(text: str, location: tuple) -> int | None:
    """The line (1-based) of the key at `location` (e.g. ('townships', 3, 'funding')); else the
    header of the deepest table holding it (a missing key); None when it cannot be placed."""
    counts: dict[str, int] = {}
    table: tuple = ()
    header_line, header_depth = None, 0
    for number, line in enumerate(text.splitlines(), start=1):
        header = _HEADER.match(line)
        if header:
            name = header.group(2)
            table = tuple(name.split("."))
            if header.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = (*table, counts[name])
            if location[: len(table)] == table and len(table) > header_depth:
                header_line, header_depth = number, len(table)
            continue
        key = _KEY.match(line)
        if key and (*table, key.group(1).strip('"')) == location:
            return number
    return header_line
