"""Validated roster of the run month: one row per accepted participant; every other roster row
becomes a reject with its reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core import idcard
from pipeline.core.frames import isin, map_values
from pipeline.core.money import yuan_to_fen
from pipeline.core.months import MONTH_RE
from pipeline.policy import Policy
from pipeline.validate.reject_rows import reject_rows
from pipeline.validate.rules import flagged, passing_rows, rule_failures
from schemas import checks as c
from schemas.rejects import Rejects
from schemas.roster import PAYABLE_STATUSES, Roster, RosterInput, roster_rules

SEX = {"男": "M", "M": "M", "女": "F", "F": "F"}
HUKOU = {"是": "Y", "Y": "Y", "1": "Y", "否": "N", "N": "N", "0": "N"}
STATUS = {
    "领取": "receiving",
    "缴费": "contributing",
    "暂停": "suspended",
    "终止": "terminated",
    **{s: s for s in ("receiving", "contributing", "suspended", "terminated")},
}


@dataclass(frozen=True)
class Identities:
    """What the month knows about IDs that changed: rows under a corrected (old) ID are never
    accepted again, and a new ID looking like a leaver's is held for the township to confirm."""

    corrected_ids: pd.Series  # old IDs of every accepted correction, this month's included
    new_ids: pd.Series  # their new IDs
    leavers: pd.DataFrame  # id_number, name, account_number, township_code: on last month's roster, on none now
    known_ids: pd.Series  # everyone on an earlier roster

    @classmethod
    def none(cls) -> Identities:
        text = pd.Series([], dtype="str")
        leavers = pd.DataFrame({c: text for c in ("id_number", "name", "account_number", "township_code")})
        return cls(corrected_ids=text, new_ids=text, leavers=leavers, known_ids=text)


@dataclass(frozen=True)
class RosterResult:
    accepted: DataFrame[Roster]
    rejects: DataFrame[Rejects]
    file_townships: pd.Series  # source_file -> township code the file speaks for


def normalise_rosters(raw: pd.DataFrame) -> DataFrame[RosterInput]:
    """Map the accepted spellings onto one vocabulary; unknown spellings are left for the rules."""
    frame = raw.copy()
    frame["id_number"] = idcard.normalise(frame["id_number"])
    frame["township_code"] = _township_code(frame["township_code"])
    frame["sex"] = _vocabulary(frame["sex"].str.upper(), SEX)
    frame["hukou_local"] = _vocabulary(frame["hukou_local"].str.upper(), HUKOU)
    frame["status"] = _vocabulary(frame["status"].str.lower(), STATUS)
    frame["bank_code"] = frame["bank_code"].str.upper()
    # cast, not DataFrame[...](...), which would validate the columns a second time:
    # rule_failures checks them (the same columns, strict) together with the row rules
    return cast(DataFrame[RosterInput], frame)


def _vocabulary(values: pd.Series, mapping: dict[str, str]) -> pd.Series:
    return map_values(values, mapping).fillna(values).astype("str")


def _township_code(codes: pd.Series) -> pd.Series:
    """12-digit village-level form 320281001000 -> 320281001."""
    long_form = codes.str.fullmatch(r"[0-9]{9}000")
    return codes.where(~long_form, codes.str.slice(0, 9))


def validate_rosters(
    raw: pd.DataFrame,
    *,
    policy: Policy,
    run_month: str,
    ever_receiving: pd.Series,
    identities: Identities | None = None,
) -> RosterResult:
    """raw: every roster row of the month as read; ever_receiving: IDs accepted as receiving in
    an earlier month (a status cannot go back to contributing); identities: the ID corrections
    known and last month's leavers."""
    identities = identities or Identities.none()
    frame = normalise_rosters(raw)
    file_townships = _file_townships(frame)
    township = map_values(frame["source_file"], file_townships)
    failures = pd.concat(
        [
            rule_failures(frame, _rules(policy, run_month)),
            _cross_file_failures(frame, policy, run_month, ever_receiving),
            # a known township's person in another township's file: that township must report them
            flagged(
                frame["township_code"].isin(policy.township_codes) & frame["township_code"].ne(township),
                "TOWNSHIP_MISMATCH",
            ),
            flagged(isin(frame["id_number"], identities.corrected_ids), "ID_CORRECTED"),
            flagged(_looks_changed(frame, identities), "ID_CHANGED"),
        ],
        ignore_index=True,
    )
    rejects = reject_rows(raw, failures, kind="rosters", township=township)
    accepted = _typed(passing_rows(frame, failures), run_month)
    return RosterResult(accepted=accepted, rejects=rejects, file_townships=file_townships)


def _looks_changed(frame: pd.DataFrame, identities: Identities) -> pd.Series:
    """A new ID (on no earlier roster, in no correction) with the name, account and township of a
    person who left the roster this month: most likely the same person under a changed number,
    who must not be paid twice (SPEC §3, decided); the township confirms with a correction."""
    new = ~isin(frame["id_number"], identities.known_ids) & ~isin(frame["id_number"], identities.new_ids)
    leavers = identities.leavers
    gone = leavers[
        ~isin(leavers["id_number"], frame["id_number"]) & ~isin(leavers["id_number"], identities.corrected_ids)
    ]
    keys = gone["name"] + "|" + gone["account_number"].fillna("") + "|" + gone["township_code"]
    mine = frame["name"] + "|" + frame["account_number"] + "|" + frame["township_code"]
    return new & isin(mine, keys) & ~c.blank(frame["account_number"])


def _rules(policy: Policy, run_month: str):
    limits = policy.limits_in(run_month)
    return roster_rules(
        policy.township_codes,
        policy.bank_codes,
        run_month,
        max_account_pension_fen=int(limits["max_account_pension_fen"]),
        max_name_chars=int(limits["max_name_chars"]),
    )


def _cross_file_failures(
    frame: pd.DataFrame, policy: Policy, run_month: str, ever_receiving: pd.Series
) -> pd.DataFrame:
    ids = frame["id_number"]
    usable = c.id_usable(ids, c.last_day_of(run_month))
    counted = ids.where(usable)
    in_file = counted.notna() & frame.duplicated(["source_file", "id_number"], keep=False)
    files_of_id = frame.loc[usable, ["id_number", "source_file"]].drop_duplicates()
    across = usable & isin(ids, files_of_id.loc[files_of_id["id_number"].duplicated(), "id_number"])

    age_month = idcard.pension_age_month(
        ids, male_age=policy.pension_age_male, female_age=policy.pension_age_female
    ).where(usable)
    starts = frame["benefit_start"].where(frame["benefit_start"].str.fullmatch(MONTH_RE))
    payable = frame["status"].isin(PAYABLE_STATUSES)
    too_early = payable & starts.notna() & age_month.notna() & (starts < age_month)

    nonlocal_receiving = frame["status"].eq("receiving") & frame["hukou_local"].eq("N")
    backwards = frame["status"].eq("contributing") & isin(ids, ever_receiving)
    return pd.concat(
        [
            flagged(in_file, "DUPLICATE_IN_FILE"),
            flagged(across, "DUPLICATE_ACROSS_TOWNSHIPS"),
            flagged(too_early, "BEFORE_PENSION_AGE"),
            flagged(nonlocal_receiving, "NONLOCAL_RECEIVING"),
            flagged(backwards, "STATUS_BACKWARDS"),
        ],
        ignore_index=True,
    )


def _file_townships(frame: pd.DataFrame) -> pd.Series:
    """The township a roster file speaks for: the code most of its rows carry."""
    counts = frame.groupby(["source_file", "township_code"]).size().reset_index(name="rows")
    counts = counts.sort_values(["source_file", "rows", "township_code"], ascending=[True, False, True])
    return counts.drop_duplicates("source_file").set_index("source_file")["township_code"]


def _typed(frame: pd.DataFrame, run_month: str) -> DataFrame[Roster]:
    def month_or_null(column: str) -> pd.Series:
        return frame[column].where(~c.blank(frame[column]), None)

    typed = pd.DataFrame(
        {
            "id_number": frame["id_number"],
            "name": frame["name"],
            "sex": frame["sex"],
            "birth_date": idcard.birth_dates(frame["id_number"]),
            "township_code": frame["township_code"],
            "village": frame["village"],
            "hukou_local": frame["hukou_local"].eq("Y"),
            "status": frame["status"],
            "benefit_start": month_or_null("benefit_start"),
            "suspended_from": month_or_null("suspended_from"),
            "end_month": month_or_null("end_month"),
            "employee_pension_from": month_or_null("employee_pension_from"),
            "account_pension_fen": yuan_to_fen(frame["account_pension"]),
            "bank_code": month_or_null("bank_code"),
            "account_number": month_or_null("account_number"),
            "account_name": frame["account_name"].where(~c.blank(frame["account_name"]), frame["name"]),
            "source_file": frame["source_file"],
            "source_row": frame["source_row"],
        }
    ).sort_values("id_number", ignore_index=True)
    return Roster.validate(typed)
