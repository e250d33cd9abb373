"""The month validated as a whole: every row in exactly one place, and the stops."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core.errors import RunStopped
from pipeline.ingest.inputs import read_month
from pipeline.paths import Inbox
from pipeline.validate.month import PastMonths, validate_month
from tests.support.builders import (
    MONTH,
    account_for,
    bank_return_row,
    build_inbox,
    chinese,
    death_row,
    make_id,
    write_csv,
)


def validate(root, policy, history: PastMonths | None = None, month: str = MONTH):
    raw = read_month(Inbox(root), month)
    return raw, validate_month(raw, history=history or PastMonths.empty(), policy=policy, run_month=month)


def keys(frame: pd.DataFrame) -> list[tuple[str, int]]:
    return list(zip(frame["source_file"], frame["source_row"].astype(int), strict=True))


@pytest.fixture
def messy_inbox(tmp_path, policy):
    """A month with bad rows in several files (never above the 10% limit), in several formats."""
    codes = policy.rostering_townships
    formats = {codes[1]: "xlsx", codes[2]: "gb18030", codes[3]: "utf-8-sig"}
    someone = make_id("1941-02-03", "F", seq=321)
    deaths = [
        death_row(make_id("1938-01-01", "M", seq=400)),  # unmatched: accepted
        death_row(someone, death_date="2021-03-01"),  # in the future: rejected
        death_row(make_id("1939-09-09", "M", seq=401), source="医院"),  # rejected
    ]
    returns = [
        bank_return_row("JRCB-2020-12-pension", 1, account_for(1), "392.00"),
        bank_return_row("JRCB-2020-12-pension", 2, account_for(2), "abc"),
    ]
    built = build_inbox(tmp_path / "inbox", policy, deaths=deaths, bank_returns=returns, formats=formats)
    # the first death is a participant of township 0
    built.deaths[0]["id_number"] = built.rosters[codes[0]][0]["id_number"]
    write_csv(
        built.month_dir / "deaths" / f"deaths_{MONTH}.csv",
        [chinese(d, "deaths") for d in built.deaths],
    )

    bad = {
        codes[0]: {"sex": "女" if built.rosters[codes[0]][2]["sex"] == "男" else "男"},
        codes[1]: {"bank_code": "HSBC"},
        codes[2]: {"id_number": "3.20281E+17"},
        codes[4]: {"status": "死亡"},
    }
    for code, change in bad.items():
        rows = [dict(r) for r in built.rosters[code]]
        rows[2].update(change)
        built.rewrite_roster(code, rows)
    # the same person on two townships' rosters
    twin = dict(built.rosters[codes[5]][3], township_code=codes[6])
    rows6 = [dict(r) for r in built.rosters[codes[6]]] + [twin]
    built.rewrite_roster(codes[6], rows6)
    return built


def test_every_row_ends_in_exactly_one_place(messy_inbox, policy):
    raw, month = validate(messy_inbox.root, policy)
    inputs = keys(raw.rosters) + keys(raw.deaths) + keys(raw.bank_returns)
    accepted = keys(month.roster) + keys(month.deaths) + keys(month.bank_returns)
    rejected = keys(month.rejects)
    assert len(set(inputs)) == len(inputs)
    assert len(set(accepted)) == len(accepted)
    assert len(set(rejected)) == len(rejected)
    assert not set(accepted) & set(rejected)
    assert sorted(accepted + rejected) == sorted(inputs)
    # and the bad rows are those we broke
    assert len(month.rejects[month.rejects["input_kind"] == "rosters"]) == 6
    assert sorted(month.rejects[month.rejects["input_kind"] == "rosters"]["reason_code"]) == sorted(
        [
            "SEX_MISMATCH_ID",
            "BANK_UNKNOWN",
            "ID_EXCEL_NUMBER",
            "STATUS_INVALID",
            "DUPLICATE_ACROSS_TOWNSHIPS",
            "DUPLICATE_ACROSS_TOWNSHIPS",
        ]
    )
    assert len(month.rejects[month.rejects["input_kind"] == "deaths"]) == 2
    assert len(month.rejects[month.rejects["input_kind"] == "bank_returns"]) == 2
    assert month.deaths["matched"].tolist() == [True]


def test_row_counts_reconcile_per_file(messy_inbox, policy):
    raw, month = validate(messy_inbox.root, policy)
    counts = month.row_counts
    assert (counts["rows_read"] == counts["accepted"] + counts["rejected"]).all()
    assert len(counts) == len(raw.files)
    actual_accepted = pd.concat(
        [
            month.roster["source_file"],
            month.deaths["source_file"],
            month.bank_returns["source_file"],
        ]
    ).value_counts()
    actual_rejected = month.rejects["source_file"].value_counts()
    indexed = counts.set_index("source_file")
    assert indexed["accepted"].to_dict() == actual_accepted.reindex(indexed.index, fill_value=0).to_dict()
    assert indexed["rejected"].to_dict() == actual_rejected.reindex(indexed.index, fill_value=0).to_dict()
    assert indexed["rows_read"].sum() == len(raw.rosters) + len(raw.deaths) + len(raw.bank_returns)
    rosters = counts[counts["input_kind"] == "rosters"]
    assert sorted(rosters["township_code"]) == sorted(policy.rostering_townships)
    assert set(counts.loc[counts["input_kind"] != "rosters", "township_code"]) == {""}


def test_rejects_are_sorted_and_carry_the_township(messy_inbox, policy):
    _, month = validate(messy_inbox.root, policy)
    rejects = month.rejects
    ordered = rejects.sort_values(["input_kind", "source_file", "source_row"], ignore_index=True)
    pd.testing.assert_frame_equal(rejects, ordered)
    roster_rejects = rejects[rejects["input_kind"] == "rosters"]
    assert (roster_rejects["township_code"] != "").all()
    assert all(
        code in f for code, f in zip(roster_rejects["township_code"], roster_rejects["source_file"], strict=True)
    )


def test_deaths_match_history_participants(inbox, policy):
    gone = make_id("1930-03-03", "M", seq=444)
    write_csv(inbox.month_dir / "deaths" / "d.csv", [chinese(death_row(gone), "deaths")])
    history = PastMonths.empty()
    earlier = PastMonths(
        ever_receiving=pd.Series([gone], dtype="str"),
        participants=pd.DataFrame({"id_number": [gone], "township_code": ["320281100"]}, dtype="str"),
        issued_lines=history.issued_lines,
        returned_lines=history.returned_lines,
    )
    _, unmatched = validate(inbox.root, policy)
    _, matched = validate(inbox.root, policy, history=earlier)
    assert unmatched.deaths["matched"].tolist() == [False]
    assert matched.deaths["matched"].tolist() == [True]


# -- stops at the level of the month (the CLI tests check the messages end to end) ---------------


def break_rows(built, code: str, count: int) -> None:
    rows = [dict(r) for r in built.rosters[code]]
    for row in rows[:count]:
        row["bank_code"] = "HSBC"
    built.rewrite_roster(code, rows)


def test_reject_share_at_the_threshold_passes(inbox, policy):
    code = policy.rostering_townships[0]
    break_rows(inbox, code, 1)  # 1 of 10 = 10%: not above the limit
    _, month = validate(inbox.root, policy)
    assert len(month.rejects) == 1


def test_reject_share_above_the_threshold_stops(inbox, policy):
    code = policy.rostering_townships[0]
    break_rows(inbox, code, 2)
    with pytest.raises(RunStopped, match=r"2 of 10 rows \(20.0%\).*BANK_UNKNOWN ×2") as stop:
        validate(inbox.root, policy)
    assert stop.value.file == inbox.label(code)


def test_empty_month_without_rosters_stops_cleanly(tmp_path, policy):
    (tmp_path / MONTH / "rosters").mkdir(parents=True)
    with pytest.raises(RunStopped, match="no roster this month from 320281001 澄江街道"):
        validate(tmp_path, policy)
