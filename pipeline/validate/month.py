"""The month's inputs validated together: accepted tables, every reject, the per-file row
accounting, and the checks that stop a run before anything is written."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.errors import RunStopped
from pipeline.core.frames import isin, map_values
from pipeline.core.idcard import normalise
from pipeline.ingest.inputs import RawInputs
from pipeline.policy import Policy
from pipeline.validate.bank_returns import validate_bank_returns
from pipeline.validate.deaths import validate_deaths
from pipeline.validate.id_corrections import validate_id_corrections
from pipeline.validate.opening_balances import validate_opening_balances
from pipeline.validate.rosters import Identities, RosterResult, validate_rosters
from schemas.account import OpeningBalance
from schemas.bank_return import BankReturn
from schemas.death import Death, DeathConflict
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.rejects import Rejects
from schemas.roster import Roster


@dataclass(frozen=True)
class PastMonths:
    """What earlier months left behind that this month's rules need."""

    ever_receiving: pd.Series  # IDs accepted as receiving in any earlier month
    participants: pd.DataFrame  # id_number, township_code: everyone on an earlier roster
    issued_lines: pd.DataFrame  # batch_id, line_no, account_number, amount_fen, township_code
    returned_lines: pd.DataFrame  # batch_id, line_no already processed from bank returns
    # IdCorrection + run_month: every correction accepted in an earlier month
    id_links: pd.DataFrame = field(default_factory=lambda: empty_frame(IdCorrection, run_month="str"))
    # id_number, name, account_number, township_code: last month's roster rows
    last_rows: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            {c: pd.Series([], dtype="str") for c in ("id_number", "name", "account_number", "township_code")}
        )
    )

    @classmethod
    def empty(cls) -> PastMonths:
        return cls(
            ever_receiving=pd.Series([], dtype="str"),
            participants=pd.DataFrame(
                {"id_number": pd.Series([], dtype="str"), "township_code": pd.Series([], dtype="str")}
            ),
            issued_lines=pd.DataFrame(
                {
                    "batch_id": pd.Series([], dtype="str"),
                    "line_no": pd.Series([], dtype="int64"),
                    "account_number": pd.Series([], dtype="str"),
                    "amount_fen": pd.Series([], dtype="int64"),
                    "township_code": pd.Series([], dtype="str"),
                }
            ),
            returned_lines=pd.DataFrame(
                {"batch_id": pd.Series([], dtype="str"), "line_no": pd.Series([], dtype="int64")}
            ),
        )


@dataclass(frozen=True)
class ValidatedMonth:
    roster: DataFrame[Roster]
    deaths: DataFrame[Death]
    death_conflicts: DataFrame[DeathConflict]
    bank_returns: DataFrame[BankReturn]
    rejects: DataFrame[Rejects]
    row_counts: pd.DataFrame  # kind, source_file, township_code, rows_read, accepted, rejected
    id_corrections: DataFrame[IdCorrection] = field(default_factory=lambda: empty_frame(IdCorrection))
    opening_balances: DataFrame[OpeningBalance] = field(default_factory=lambda: empty_frame(OpeningBalance))


def validate_month(raw: RawInputs, *, history: PastMonths, policy: Policy, run_month: str) -> ValidatedMonth:
    corrections = validate_id_corrections(
        raw.id_corrections, participants=_known_people(raw.rosters, history), known_links=history.id_links
    )
    rosters = validate_rosters(
        raw.rosters,
        policy=policy,
        run_month=run_month,
        ever_receiving=history.ever_receiving,
        identities=_identities(raw.rosters, history, corrections.accepted),
    )
    stop_on_unusable_rosters(rosters, raw.rows_read, policy)
    deaths = validate_deaths(
        raw.deaths,
        run_month=run_month,
        bank_codes=policy.bank_codes,
        participants=_participants(raw.rosters, rosters, history),
        max_name_chars=int(policy.limits_in(run_month)["max_name_chars"]),
    )
    stop_on_deaths_before_every_rate(deaths.accepted, policy)
    returns = validate_bank_returns(
        raw.bank_returns, issued=history.issued_lines, already_returned=history.returned_lines
    )
    openings = validate_opening_balances(raw.opening_balances, opening_month=policy.opening_month)
    rejects = pd.concat(
        [rosters.rejects, deaths.rejects, returns.rejects, corrections.rejects, openings.rejects], ignore_index=True
    )
    rejects = DataFrame[Rejects](rejects.sort_values(["input_kind", "source_file", "source_row"], ignore_index=True))
    return ValidatedMonth(
        roster=rosters.accepted,
        deaths=deaths.accepted,
        death_conflicts=deaths.conflicts,
        bank_returns=returns.accepted,
        rejects=rejects,
        row_counts=row_counts(raw.rows_read, rejects, rosters.file_townships),
        id_corrections=corrections.accepted,
        opening_balances=openings.accepted,
    )


def _known_people(raw_rosters: pd.DataFrame, history: PastMonths) -> pd.DataFrame:
    """Everyone on a roster this month (as written) or earlier: who an ID correction may name."""
    this_month = pd.DataFrame(
        {"id_number": normalise(raw_rosters["id_number"]), "township_code": raw_rosters["township_code"].astype("str")}
    )
    return pd.concat([this_month, history.participants], ignore_index=True).drop_duplicates("id_number")


def _identities(raw_rosters: pd.DataFrame, history: PastMonths, accepted: pd.DataFrame) -> Identities:
    links = pd.concat([history.id_links, accepted], ignore_index=True)
    return Identities(
        corrected_ids=links["old_id_number"].astype("str"),
        new_ids=links["new_id_number"].astype("str"),
        leavers=history.last_rows[~isin(history.last_rows["id_number"], normalise(raw_rosters["id_number"]))],
        known_ids=history.participants["id_number"].astype("str"),
    )


def row_counts(rows_read: pd.DataFrame, rejects: pd.DataFrame, file_townships: pd.Series) -> pd.DataFrame:
    """Per file: rows read = accepted + rejected."""
    rejected = rejects.groupby(["input_kind", "source_file"]).size().rename("rejected")
    counts = rows_read.rename(columns={"kind": "input_kind", "rows": "rows_read"}).join(
        rejected, on=["input_kind", "source_file"]
    )
    counts["rejected"] = counts["rejected"].fillna(0).astype("int64")
    counts["accepted"] = counts["rows_read"] - counts["rejected"]
    counts["township_code"] = counts["source_file"].map(file_townships).fillna("")
    columns = ["input_kind", "source_file", "township_code", "rows_read", "accepted", "rejected"]
    return counts[columns].sort_values(["input_kind", "source_file"], ignore_index=True)


def stop_on_unusable_rosters(rosters: RosterResult, rows_read: pd.DataFrame, policy: Policy) -> None:
    """Stop when a township is missing, sends two rosters, or a roster is mostly rejects."""
    per_file = rows_read[rows_read["kind"] == "rosters"].set_index("source_file")["rows"]
    empty = per_file.index[per_file == 0]
    if len(empty):  # before the township checks, which cannot tell which file is empty
        raise RunStopped(
            "the roster has a header but no participant rows.",
            file=empty[0],
            action="send the full roster of the township and rerun.",
        )
    townships = rosters.file_townships
    blank = townships[townships.eq("")]
    if not blank.empty:  # before the missing-township check, which would blame the township
        raise RunStopped(
            "the township code column 镇街代码 (township_code) is blank on most rows, so the file "
            "cannot be assigned to its township.",
            file=blank.index[0],
            action="fill in the 9-digit township code (e.g. 320281001) on every row and rerun.",
        )
    doubled = townships[townships.duplicated(keep=False)]
    if not doubled.empty:
        raise RunStopped(
            f"township {doubled.iloc[0]} sent more than one roster this month: {', '.join(doubled.index)}.",
            action="keep the one full snapshot of the township's participants in rosters/ and rerun.",
        )
    missing = sorted(set(policy.rostering_townships) - set(townships))
    if missing:
        names = ", ".join(f"{code} {policy.township_name(code)}" for code in missing)
        raise RunStopped(
            f"no roster this month from {names}.",
            action="ask the township for its roster and put it in the month's rosters/ folder, then rerun.",
        )
    rejected = rosters.rejects.groupby("source_file").size().reindex(per_file.index, fill_value=0)
    share = rejected / per_file
    for source_file in per_file.index:
        if share[source_file] > policy.roster_reject_threshold:
            top = rosters.rejects[rosters.rejects["source_file"] == source_file]["reason_code"].value_counts().head(3)
            reasons = ", ".join(f"{code} ×{n}" for code, n in top.items())
            raise RunStopped(
                f"{rejected[source_file]} of {per_file[source_file]} rows ({share[source_file]:.1%}) fail "
                f"validation, above the {policy.roster_reject_threshold:.0%} limit (most common: {reasons}).",
                file=source_file,
                action="the township should correct the file (or resend the right one); "
                "`payout validate --month` lists every bad row.",
            )


def stop_on_deaths_before_every_rate(deaths: pd.DataFrame, policy: Policy) -> None:
    """A participant's funeral grant is owed at the base rate of the month of death, however long
    ago (the office's decision for deaths before the opening month): that month needs a rate row,
    never the nearest one."""
    earliest = policy.rates["from_month"].min()
    months = deaths["death_date"].dt.strftime("%Y-%m")
    early = deaths[deaths["matched"] & (months < earliest)]
    if not early.empty:
        first = early.iloc[0]
        month = first["death_date"].strftime("%Y-%m")
        raise RunStopped(
            f"row {first['source_row']} registers a participant's death in {month}, but the policy has no "
            f"base rate in force then (its earliest [[rates]] row is from {earliest}); the funeral grant is "
            "6 months of the rate in force in the month of death.",
            file=first["source_file"],
            action=f'add a [[rates]] row with from = "{month}" or earlier (the rate of that time, with its '
            "source) to the policy file and rerun.",
        )


def _participants(raw_rosters: pd.DataFrame, rosters: RosterResult, history: PastMonths) -> pd.DataFrame:
    """Everyone on a roster this month (accepted or not) or earlier, with their latest township."""
    this_month = pd.DataFrame(
        {
            "id_number": normalise(raw_rosters["id_number"]),
            "township_code": map_values(raw_rosters["source_file"], rosters.file_townships),
        }
    )
    everyone = pd.concat([this_month, history.participants], ignore_index=True)
    return everyone.drop_duplicates("id_number", keep="first")
