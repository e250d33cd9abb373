"""Validated contributions of a year: one row per accepted payment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.money import yuan_to_fen
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import passing_rows, rule_failures
from schemas import checks as c
from schemas.contribution import Contribution, ContributionInput, contribution_rules
from schemas.rejects import Rejects


@dataclass(frozen=True)
class ContributionResult:
    accepted: DataFrame[Contribution]
    rejects: DataFrame[Rejects]


def validate_contributions(raw: pd.DataFrame, *, year: int, tiers: int) -> ContributionResult:
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
