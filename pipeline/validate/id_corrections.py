"""Validated ID corrections of the run month: one row per accepted link old ID -> new ID; every
other row becomes a reject with its reasons (never a stop: the file is small)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.frames import isin, lookup
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import flagged, passing_rows, rule_failures
from schemas import checks as c
from schemas.id_correction import IdCorrection, IdCorrectionInput, id_correction_rules
from schemas.rejects import Rejects


@dataclass(frozen=True)
class IdCorrectionResult:
    accepted: DataFrame[IdCorrection]
    rejects: DataFrame[Rejects]


def validate_id_corrections(
    raw: pd.DataFrame, *, participants: pd.DataFrame, known_links: pd.DataFrame
) -> IdCorrectionResult:
    """participants: id_number -> township_code of everyone on a roster this month or earlier;
    known_links: old_id_number -> new_id_number accepted in earlier months.

    A link must be unambiguous: who is paid must never depend on row order, so one old ID with two
    new ones (or two old IDs with one new) rejects every such row (CORRECTION_CONFLICT), and a
    correction of a correction (CORRECTION_CHAIN) is left to the office.
    """
    frame = cast(
        DataFrame[IdCorrectionInput],
        raw.assign(
            old_id_number=idcard.normalise(raw["old_id_number"]), new_id_number=idcard.normalise(raw["new_id_number"])
        ),
    )
    failures = rule_failures(frame, id_correction_rules())
    valid = ~frame.index.isin(failures["index"])
    failures = pd.concat(
        [
            failures,
            flagged(valid & ~isin(frame["old_id_number"], participants["id_number"]), "CORRECTION_OLD_ID_UNKNOWN"),
            flagged(
                valid & _conflicting(frame[valid], known_links).reindex(frame.index, fill_value=False),
                "CORRECTION_CONFLICT",
            ),
            flagged(valid & _chained(frame, frame[valid], known_links), "CORRECTION_CHAIN"),
        ],
        ignore_index=True,
    )
    township = lookup(frame["old_id_number"], participants["id_number"], participants["township_code"])
    shown = raw.assign(id_number=raw["old_id_number"])  # the clerk finds the row by the old ID
    rejects = reject_rows(shown, failures, kind="id_corrections", township=township)
    return IdCorrectionResult(accepted=_typed(passing_rows(frame, failures)), rejects=rejects)


def _conflicting(valid: pd.DataFrame, known: pd.DataFrame) -> pd.Series:
    """Rows whose old ID has another new ID, or whose new ID another old ID, this month or before."""
    pairs = pd.concat(
        [valid[["old_id_number", "new_id_number"]], known[["old_id_number", "new_id_number"]]], ignore_index=True
    ).drop_duplicates()
    news_of_old = pairs.groupby("old_id_number")["new_id_number"].nunique()
    olds_of_new = pairs.groupby("new_id_number")["old_id_number"].nunique()
    return valid["old_id_number"].map(news_of_old).gt(1) | valid["new_id_number"].map(olds_of_new).gt(1)


def _chained(frame: pd.DataFrame, valid: pd.DataFrame, known: pd.DataFrame) -> pd.Series:
    """Rows correcting an ID that is itself a correction's new ID, or naming an old ID as new."""
    news = pd.concat([valid["new_id_number"], known["new_id_number"]], ignore_index=True)
    olds = pd.concat([valid["old_id_number"], known["old_id_number"]], ignore_index=True)
    return isin(frame["old_id_number"], news) | isin(frame["new_id_number"], olds)


def _typed(frame: pd.DataFrame) -> DataFrame[IdCorrection]:
    typed = pd.DataFrame(
        {
            "old_id_number": frame["old_id_number"],
            "new_id_number": frame["new_id_number"],
            "reason": frame["reason"].str.strip(),
            "registered_on": c.to_date(frame["registered_on"]),
            "source_file": frame["source_file"],
            "source_row": frame["source_row"],
        }
    ).drop_duplicates(["old_id_number", "new_id_number"])
    return IdCorrection.validate(typed.reset_index(drop=True))
