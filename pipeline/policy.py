"""The effective-dated policy: one TOML file an operator edits, read into typed values here."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.ingest.columns import HeaderRules
from pipeline.months import parse_month


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
    townships: pd.DataFrame  # code, name, funding, submits_roster
    banks: pd.DataFrame  # code, name, encoding
    raw: dict

    @property
    def township_codes(self) -> list[str]:
        return self.townships["code"].tolist()

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

    @property
    def header_rules(self) -> HeaderRules:
        """The [headers] section: other headers clerks use for known columns, and headers to drop."""
        section = self.raw.get("headers", {})
        try:
            return HeaderRules(synonyms=section.get("synonyms", {}), ignored=section.get("ignored", []))
        except ValueError as err:
            raise PolicyError(f"policy file {self.path}: [headers] {err}") from None

    def budget(self, year: int) -> dict[str, int] | None:
        """The declared budget lines of a year, in 万元, or None when none is configured."""
        return self.raw.get("budget", {}).get(str(year))

    def rate_in(self, month: str) -> pd.Series:
        """The rate row in force in a month."""
        in_force = self.rates[self.rates["from_month"] <= month]
        if in_force.empty:
            raise PolicyError(f"no rate is in force in {month}")
        return in_force.iloc[-1]

    def bank_encoding(self, code: str) -> str:
        return self.banks.set_index("code").at[code, "encoding"]

    def township_name(self, code: str) -> str:
        return self.townships.set_index("code").at[code, "name"]


class PolicyError(ValueError):
    """The policy file is missing or inconsistent: nothing can be computed from it."""


def load_policy(path: Path) -> Policy:
    if not path.is_file():
        raise PolicyError(f"policy file {path} not found")
    data = path.read_bytes()
    raw = tomllib.loads(data.decode("utf-8"))
    try:
        rates = pd.DataFrame(raw["rates"]).rename(columns={"from": "from_month"})
        townships = pd.DataFrame(raw["townships"])
        banks = pd.DataFrame(raw["banks"])
        policy = Policy(
            path=path,
            sha256=hashlib.sha256(data).hexdigest(),
            opening_month=raw["run"]["opening_month"],
            roster_reject_threshold=float(raw["run"]["roster_reject_threshold"]),
            pension_age_male=int(raw["pension_age"]["male"]),
            pension_age_female=int(raw["pension_age"]["female"]),
            topup_age=int(raw["pension_age"]["topup"]),
            funeral_grant_months=int(raw["funeral_grant"]["base_months"]),
            contribution_tiers=int(raw["contributions"]["tiers"]),
            rates=_checked_rates(rates),
            townships=townships.astype({"submits_roster": bool}),
            banks=banks,
            raw=raw,
        )
    except KeyError as missing:
        raise PolicyError(f"policy file {path} lacks the setting {missing}") from None
    parse_month(policy.opening_month)
    return policy


def _checked_rates(rates: pd.DataFrame) -> pd.DataFrame:
    for month in rates["from_month"]:
        parse_month(month)
    if rates["from_month"].duplicated().any():
        raise PolicyError("two rate rows share the same `from` month")
    for column in ("base_fen", "topup65_fen"):
        if not all(isinstance(v, int) and v >= 0 for v in rates[column]):
            raise PolicyError(f"rates.{column} must be whole, non-negative fen")
    return rates.sort_values("from_month", ignore_index=True).astype({"base_fen": "int64", "topup65_fen": "int64"})
