"""Validated contributions: one row per accepted payment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.money import yuan_to_fen
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import passing_rows, rule_failures
from schemas import checks as c
from schemas.contribution import Contribution, ContributionInput, contribution_rules
from schemas.empty import empty_frame
from schemas.rejects import Rejects


@dataclass(frozen=True)
class ContributionResult:
    accepted: DataFrame[Contribution]
    rejects: DataFrame[Rejects]


def validate_contributions(raw: pd.DataFrame, *, year: int | pd.Series, tiers: int) -> ContributionResult:
    """year: the file's year (a row of another year is rejected), or one per row (aligned on the
    index) when several years' files are validated at once."""
    # cast: rule_failures validates these columns (strict) with the row rules
    frame = cast(DataFrame[ContributionInput], raw.assign(id_number=idcard.normalise(raw["id_number"])))
    failures = rule_failures(frame, contribution_rules(year, tiers))
    rejects = reject_rows(raw, failures, kind="contributions", township=pd.Series("", index=raw.index))
    kept = passing_rows(frame, failures)
    typed = pd.DataFrame(
        {
            "id_number": kept["id_number"],
            "year": kept["year"].astype("int64"),
            "tier": kept["tier"].astype("int64"),
            "personal_fen": yuan_to_fen(kept["personal_yuan"]),
            "subsidy_fen": yuan_to_fen(kept["subsidy_yuan"]),
            "paid_on": c.to_date(kept["paid_on"]),
            "source_file": kept["source_file"],
            "source_row": kept["source_row"],
        }
    )
    return ContributionResult(accepted=Contribution.validate(typed.reset_index(drop=True)), rejects=rejects)


def accepted_contributions(by_year: Mapping[int, pd.DataFrame], *, tiers: int) -> DataFrame[Contribution]:
    """The accepted rows of every year's contributions file, validated in one pass (the monthly run
    reads each year's from the opening year on: a pass per year made a decade's month pay for ten),
    in year then file order. Their rejects are the year's indicators' to report (SPEC §5a)."""
    years = sorted(by_year)
    if not years:
        return empty_frame(Contribution)
    raw = pd.concat([by_year[y] for y in years], ignore_index=True)
    file_year = pd.Series(np.repeat(years, [len(by_year[y]) for y in years]), index=raw.index)
    return validate_contributions(raw, year=file_year, tiers=tiers).accepted
