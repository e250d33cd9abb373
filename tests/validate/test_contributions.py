"""Yearly contributions: tiers from the policy, amounts to integer fen."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate.contributions import accepted_contributions, validate_contributions
from tests.support.builders import excel_shown, make_id, raw_table, with_wrong_check

FILE = "contributions/2021.csv"
PAYER = make_id("1975-04-04", "F", seq=1)


def row(**changes) -> dict[str, str]:
    values = {
        "id_number": PAYER,
        "year": "2021",
        "tier": "3",
        "personal_yuan": "300",
        "subsidy_yuan": "40.5",
        "paid_on": "2021-11-03",
    }
    return {**values, **changes}


def validate(rows, tiers: int = 8):
    return validate_contributions(raw_table(rows, "contributions", FILE), year=2021, tiers=tiers)


def test_valid_rows_to_fen():
    result = validate(
        [
            row(),
            row(
                id_number=make_id("1980-01-01", "M", seq=2),
                tier="8",
                personal_yuan="1000.05",
                subsidy_yuan="",
            ),
        ]
    )
    assert result.rejects.empty
    got = result.accepted
    assert got["tier"].tolist() == [3, 8]
    assert got["personal_fen"].tolist() == [30000, 100005]
    assert got["subsidy_fen"].tolist() == [4050, 0]
    assert got["personal_fen"].dtype == "int64"
    assert got["paid_on"].tolist() == [pd.Timestamp("2021-11-03")] * 2
    assert got["year"].tolist() == [2021, 2021]


@pytest.mark.parametrize("tier", ["0", "9", "", "一", "3.0", "-1"])
def test_tier_outside_the_policy_tiers(tier, policy):
    result = validate(
        [row(tier=tier), row(id_number=make_id("1980-01-01", "M", seq=2))],
        tiers=policy.contribution_tiers,
    )
    assert result.rejects[["source_row", "reason_codes"]].values.tolist() == [[2, "TIER_INVALID"]]
    assert len(result.accepted) == 1


def test_tiers_come_from_the_policy():
    assert validate([row(tier="5")], tiers=4).rejects["reason_code"].tolist() == ["TIER_INVALID"]
    assert validate([row(tier="4")], tiers=4).rejects.empty


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"year": "2020"}, "YEAR_INVALID"),
        ({"year": "21"}, "YEAR_INVALID"),
        ({"personal_yuan": "300.001"}, "AMOUNT_INVALID"),
        ({"personal_yuan": ""}, "AMOUNT_INVALID"),
        ({"subsidy_yuan": "-1"}, "AMOUNT_INVALID"),
        ({"paid_on": "2021-13-01"}, "PAID_ON_INVALID"),
        ({"paid_on": ""}, "PAID_ON_INVALID"),
        ({"id_number": ""}, "ID_MISSING"),
        ({"id_number": excel_shown(PAYER)}, "ID_EXCEL_NUMBER"),
        ({"id_number": "1234"}, "ID_FORMAT"),
        ({"id_number": with_wrong_check(PAYER)}, "ID_CHECKSUM"),
    ],
)
def test_bad_rows(changes, code):
    result = validate([row(**changes)])
    assert result.rejects["reason_codes"].tolist() == [code]
    assert result.rejects["input_kind"].tolist() == ["contributions"]
    assert result.accepted.empty


def test_legacy_id_upgraded():
    legacy = PAYER[:6] + PAYER[8:17]
    assert validate([row(id_number=legacy)]).accepted["id_number"].tolist() == [PAYER]


def test_every_years_file_in_one_pass_keeps_each_files_year():
    """The monthly run validates every year's file at once: a row is still judged against the year
    of the file it came from (a 2021 row in the 2022 file is rejected), and the accepted rows come
    in year then file order."""
    other = make_id("1980-01-01", "M", seq=2)
    by_year = {
        2022: raw_table(
            [row(year="2022", paid_on="2022-10-01"), row(id_number=other)], "contributions", "contributions/2022.csv"
        ),
        2021: raw_table([row(), row(id_number=other, personal_yuan="100")], "contributions", FILE),
    }
    got = accepted_contributions(by_year, tiers=8)
    assert got[["id_number", "year", "personal_fen", "source_file", "source_row"]].values.tolist() == [
        [PAYER, 2021, 30000, FILE, 2],
        [other, 2021, 10000, FILE, 3],
        [PAYER, 2022, 30000, "contributions/2022.csv", 2],
    ]
    assert accepted_contributions({}, tiers=8).empty
