"""The sample inbox (data/sample/inbox), validated month after month as a run would see it:
every row accounted for, and exactly the catalogued bad rows rejected, with the right reason.

What earlier months left behind is carried here the way pipeline.state.read_history rebuilds it from
the accepted rosters of earlier months (receiving IDs, participants); no bank lines are issued,
so a bank return file in the sample is only checked for row accounting.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd
import pytest

from pipeline.core.months import month_range
from pipeline.ingest.inputs import read_month
from pipeline.paths import DEFAULT_INBOX, Inbox
from pipeline.validate.month import PastMonths, validate_month

CATALOGUE = DEFAULT_INBOX.parent / "edge_cases.json"

# catalogue key -> the reason code its rejected rows must carry
ROSTER_CODES = {
    "bad_check_char": "ID_CHECKSUM",
    "bad_id_length": "ID_FORMAT",
    "bad_birth_digits": "ID_BIRTH_INVALID",
    "bad_sex": "SEX_MISMATCH_ID",
    "bad_birth_date": "BIRTH_DATE_MISMATCH_ID",
    "bad_township": "TOWNSHIP_UNKNOWN",
    "bad_hukou": "HUKOU_INVALID",
    "bad_status": "STATUS_INVALID",
    "receiving_no_start": "BENEFIT_START_MISSING",
    "suspended_no_from": "SUSPENDED_FROM_MISSING",
    "future_birth": "ID_BIRTH_FUTURE",
    "terminated_no_end": "END_MONTH_MISSING",
    "month_slash": "MONTH_FORMAT",
    "negative_pension": "ACCOUNT_PENSION_INVALID",
    "three_decimals": "ACCOUNT_PENSION_INVALID",
    "month_13": "MONTH_FORMAT",
    "unknown_bank": "BANK_UNKNOWN",
    "no_account": "BANK_MISSING",
    "short_account": "ACCOUNT_INVALID",
    "dup_in_file": "DUPLICATE_IN_FILE",
    "too_young": "BEFORE_PENSION_AGE",
    "nonlocal_receiving": "NONLOCAL_RECEIVING",
    "empty_name": "NAME_MISSING",
    "duplicate_townships": "DUPLICATE_ACROSS_TOWNSHIPS",
    "status_backwards": "STATUS_BACKWARDS",
    "numeric_id_1": "ID_EXCEL_NUMBER",
    "numeric_id_2": "ID_EXCEL_NUMBER",
    "numeric_id_3": "ID_EXCEL_NUMBER",
}
DEATH_CODES = {
    "death_not_a_date": "DEATH_DATE_INVALID",
    "death_after_month": "DEATH_IN_FUTURE",
    "death_before_birth": "DEATH_BEFORE_BIRTH",
    "death_unknown_source": "DEATH_SOURCE_INVALID",
}

pytestmark = pytest.mark.sample


def sample_months() -> list[str]:
    months = sorted(p.name for p in DEFAULT_INBOX.iterdir() if p.is_dir() and p.name[:2] == "20")
    return month_range(months[0], months[-1])


@pytest.fixture(scope="module")
def validated(policy):
    """{month: (raw, ValidatedMonth)} for every sample month, in sequence."""
    if not DEFAULT_INBOX.is_dir() or not CATALOGUE.is_file():
        pytest.skip("data/sample/inbox is not generated yet")
    empty = PastMonths.empty()
    ever_receiving: set[str] = set()
    participants: dict[str, str] = {}
    months = {}
    for month in sample_months():
        history = PastMonths(
            ever_receiving=pd.Series(sorted(ever_receiving), dtype="str"),
            participants=pd.DataFrame(
                {"id_number": list(participants), "township_code": list(participants.values())},
                dtype="str",
            ),
            issued_lines=empty.issued_lines,
            returned_lines=empty.returned_lines,
        )
        raw = read_month(Inbox(DEFAULT_INBOX), month)
        result = validate_month(raw, history=history, policy=policy, run_month=month)
        roster = result.roster
        ever_receiving |= set(roster.loc[roster["status"] == "receiving", "id_number"])
        participants.update(zip(roster["id_number"], roster["township_code"], strict=True))
        months[month] = (raw, result)
    return months


@pytest.fixture(scope="module")
def catalogue() -> dict:
    if not CATALOGUE.is_file():
        pytest.skip("data/sample/edge_cases.json is not generated yet")
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def keys(frame: pd.DataFrame) -> Counter:
    return Counter(zip(frame["source_file"], frame["source_row"].astype(int), strict=True))


def test_every_row_of_every_month_is_accounted_for(validated):
    assert len(validated) >= 2
    for month, (raw, result) in validated.items():
        counts = result.row_counts
        assert (counts["rows_read"] == counts["accepted"] + counts["rejected"]).all(), month
        assert sorted(counts["source_file"]) == sorted(str(p.relative_to(DEFAULT_INBOX)) for p in raw.files)
        inputs = keys(raw.rosters) + keys(raw.deaths) + keys(raw.bank_returns) + keys(raw.id_corrections)
        accepted = keys(result.roster) + keys(result.deaths) + keys(result.bank_returns) + keys(result.id_corrections)
        rejected = keys(result.rejects)
        assert max(inputs.values()) == 1
        assert not set(accepted) & set(rejected), month
        assert accepted + rejected == inputs, month
        per_file = pd.Series(Counter(f for f, _ in accepted)).reindex(counts["source_file"], fill_value=0)
        assert per_file.tolist() == counts["accepted"].tolist(), month


def test_roster_rejects_are_exactly_the_catalogued_rows(validated, catalogue):
    expected = Counter()
    for key, entry in catalogue.items():
        for where in entry.get("expected_rejects", []):
            assert key in ROSTER_CODES, f"catalogue entry {key} rejects rows: add its reason code here"
            expected[(where["month"], where["file_township"], entry["name"], ROSTER_CODES[key])] += where["rows"]
    actual = Counter()
    for month, (_, result) in validated.items():
        rejects = result.rejects[result.rejects["input_kind"] == "rosters"]
        for row in rejects.itertuples():
            actual[(month, row.township_code, row.name, row.reason_code)] += 1
    assert actual == expected


def test_numeric_ids_in_the_sample_xlsx_are_rejected_as_excel_numbers(validated, catalogue):
    numeric = [entry for key, entry in catalogue.items() if key.startswith("numeric_id")]
    assert numeric, "the sample has no Excel-number IDs"
    for entry in numeric:
        (where,) = entry["expected_rejects"]
        _, result = validated[where["month"]]
        rejects = result.rejects[result.rejects["name"] == entry["name"]]
        assert rejects["reason_codes"].tolist() == ["ID_EXCEL_NUMBER"]
        assert rejects["id_number"].str.fullmatch(r"3\.20281E\+17").all()
        assert rejects["source_file"].str.endswith(".xlsx").all()
        # accepted in the months around it
        for month, (_, other) in validated.items():
            if month != where["month"]:
                assert entry["id_number"] in set(other.roster["id_number"]), month


def test_death_rejects_and_unmatched_deaths(validated, catalogue):
    expected = Counter(
        (entry["death_file_month"], entry["id_number"], DEATH_CODES[key])
        for key, entry in catalogue.items()
        if entry["kind"] == "bad_death_row"
    )
    actual = Counter()
    for month, (_, result) in validated.items():
        rejects = result.rejects[result.rejects["input_kind"] == "deaths"]
        actual.update((month, r.id_number, r.reason_code) for r in rejects.itertuples())
    assert actual == expected
    unmatched = catalogue["unmatched_death"]
    _, feb = validated[unmatched["death_registered"]]
    deaths = feb.deaths.set_index("id_number")
    assert not deaths.loc[unmatched["id_number"], "matched"]
    assert deaths["matched"].sum() == len(deaths) - 1  # every other death is of a participant


def test_legacy_id_is_upgraded_every_month(validated, catalogue):
    legacy = catalogue["legacy_id"]
    for month, (_, result) in validated.items():
        assert legacy["id_number_18"] in set(result.roster["id_number"]), month
