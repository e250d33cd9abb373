"""Validated bank return lines of the run month: one row per return line that matches an issued
bank-file line exactly (batch, line, account and amount). Anything else is rejected, never money."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.money import yuan_to_fen
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import flagged, passing_rows, rule_failures
from schemas import checks as c
from schemas.bank_return import RESULTS, BankReturn, BankReturnInput, bank_return_rules
from schemas.rejects import Rejects

ISSUED_KEY = ["batch_id", "line_no", "account_number", "amount_fen"]


@dataclass(frozen=True)
class BankReturnResult:
    accepted: DataFrame[BankReturn]
    rejects: DataFrame[Rejects]


def validate_bank_returns(
    raw: pd.DataFrame, *, issued: pd.DataFrame, already_returned: pd.DataFrame
) -> BankReturnResult:
    """issued: every bank-file line ever issued (batch_id, line_no, account_number, amount_fen,
    township_code); already_returned: (batch_id, line_no) processed in earlier months."""
    # cast, not DataFrame[...](...): that would validate the columns once more; rule_failures
    # checks them (the same columns, strict) together with the row rules
    frame = cast(DataFrame[BankReturnInput], raw)
    failures = rule_failures(frame, bank_return_rules())
    well_formed = ~frame.index.isin(failures["index"])
    parsed = _parsed(frame)

    keyed = parsed.reset_index().merge(issued, on=ISSUED_KEY, how="left", indicator=True).set_index("index")
    matched = keyed["_merge"].eq("both").reindex(frame.index, fill_value=False)
    line = parsed[["batch_id", "line_no"]]
    twice = well_formed & line.duplicated(keep=False)
    seen = line.reset_index().merge(already_returned, on=["batch_id", "line_no"]).set_index("index").index
    failures = pd.concat(
        [
            failures,
            flagged(well_formed & ~matched, "RETURN_UNMATCHED"),
            flagged(well_formed & (twice | frame.index.isin(seen)), "RETURN_DUPLICATE"),
        ],
        ignore_index=True,
    )
    township = (
        keyed["township_code"].reindex(frame.index) if "township_code" in keyed else pd.Series("", index=frame.index)
    )
    rejects = reject_rows(raw, failures, kind="bank_returns", township=township)
    accepted = passing_rows(parsed, failures)
    return BankReturnResult(accepted=BankReturn.validate(accepted.reset_index(drop=True)), rejects=rejects)


def _parsed(frame: pd.DataFrame) -> pd.DataFrame:
    """Typed values where they parse (rows that do not are rejected anyway)."""
    amount = frame["amount"].where(c.yuan_ok(frame["amount"]) & ~c.blank(frame["amount"]), "0")
    return pd.DataFrame(
        {
            "batch_id": frame["batch_id"],
            "line_no": pd.to_numeric(frame["line_no"], errors="coerce").fillna(0).astype("int64"),
            "account_number": frame["account_number"],
            "amount_fen": yuan_to_fen(amount),
            "result": frame["result"].str.strip().str.lower().map(RESULTS).fillna(""),
            "reason": frame["reason"],
            "source_file": frame["source_file"],
            "source_row": frame["source_row"],
        },
        index=frame.index,
    )
