"""Validated opening balances of the personal accounts: one row per accepted account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.money import yuan_to_fen
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import passing_rows, rule_failures
from schemas.account import OpeningBalance, OpeningBalanceInput, opening_balance_rules
from schemas.rejects import Rejects


@dataclass(frozen=True)
class OpeningBalanceResult:
    accepted: DataFrame[OpeningBalance]
    rejects: DataFrame[Rejects]


def validate_opening_balances(raw: pd.DataFrame, *, opening_month: str) -> OpeningBalanceResult:
    # cast: rule_failures validates these columns (strict) with the row rules
    frame = cast(DataFrame[OpeningBalanceInput], raw.assign(id_number=idcard.normalise(raw["id_number"])))
    failures = rule_failures(frame, opening_balance_rules(opening_month))
    rejects = reject_rows(raw, failures, kind="opening_balances", township=pd.Series("", index=raw.index))
    kept = passing_rows(frame, failures)
    typed = pd.DataFrame(
        {
            "id_number": kept["id_number"],
            "balance_fen": yuan_to_fen(kept["balance_yuan"]),
            "as_of_month": kept["as_of_month"].str.strip(),
            "source_file": kept["source_file"],
            "source_row": kept["source_row"],
        }
    )
    return OpeningBalanceResult(accepted=OpeningBalance.validate(typed.reset_index(drop=True)), rejects=rejects)
