"""Death registrations: bad rows rejected one by one, unmatched deaths accepted, payee status."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.validate.deaths import validate_deaths
from tests.support.builders import MONTH, death_row, excel_shown, make_id, raw_table, with_wrong_check

FILE = "2021-01/deaths/deaths_2021-01.csv"
KNOWN = make_id("1940-05-05", "M", seq=1)  # on a roster
KNOWN_WOMAN = make_id("1945-06-06", "F", seq=2)
STRANGER = make_id("1938-01-01", "M", seq=3)  # on no roster, ever
PARTICIPANTS = pd.DataFrame(
    {"id_number": [KNOWN, KNOWN_WOMAN], "township_code": ["320281001", "320281004"]}, dtype="str"
)
BANKS = ["JRCB", "ICBC", "ABC", "BOC", "CCB", "PSBC"]


def validate(rows, month: str = MONTH):
    return validate_deaths(
        raw_table(rows, "deaths", FILE),
        run_month=month,
        bank_codes=BANKS,
        participants=PARTICIPANTS,
        max_name_chars=50,
    )


def test_valid_registration_is_accepted_with_typed_values():
    result = validate([death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15")])
    assert result.rejects.empty
    got = result.accepted.iloc[0]
    assert got["id_number"] == KNOWN
    assert got["death_date"] == pd.Timestamp("2021-01-10")
    assert got["registered_on"] == pd.Timestamp("2021-01-15")
    assert got["source"] == "公安"
    assert got["payee_status"] == "complete"
    assert got["payee_bank_code"] == "ICBC"
    assert bool(got["matched"]) is True
    assert got["source_row"] == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"death_date": "2021-02-01"}, "DEATH_IN_FUTURE"),  # after the run month
        ({"death_date": "2030-01-01"}, "DEATH_IN_FUTURE"),
        ({"death_date": "1940-05-04"}, "DEATH_BEFORE_BIRTH"),
        ({"death_date": "2021-02-30"}, "DEATH_DATE_INVALID"),
        ({"death_date": "2021/01/10"}, "DEATH_DATE_INVALID"),
        ({"death_date": ""}, "DEATH_DATE_INVALID"),
        ({"registered_on": "15.01.2021"}, "REGISTERED_ON_INVALID"),
        ({"source": "医院"}, "DEATH_SOURCE_INVALID"),
        ({"source": ""}, "DEATH_SOURCE_INVALID"),
        ({"id_number": ""}, "ID_MISSING"),
        ({"id_number": excel_shown(KNOWN)}, "ID_EXCEL_NUMBER"),
        ({"id_number": KNOWN[:16]}, "ID_FORMAT"),
        ({"id_number": with_wrong_check(KNOWN)}, "ID_CHECKSUM"),
        ({"name": ""}, "NAME_MISSING"),
    ],
)
def test_bad_rows_are_rejected_one_by_one(changes, code):
    rows = [
        death_row(KNOWN_WOMAN, name="李秀英"),
        {**death_row(KNOWN), **changes},
        death_row(STRANGER),
    ]
    result = validate(rows)
    assert result.rejects[["source_row", "reason_codes"]].values.tolist() == [[3, code]]
    assert result.rejects["input_kind"].tolist() == ["deaths"]
    assert sorted(result.accepted["id_number"]) == sorted([KNOWN_WOMAN, STRANGER])


def test_death_on_the_last_day_of_the_run_month_and_on_the_birthday_are_accepted():
    rows = [
        death_row(KNOWN, death_date="2021-01-31"),
        death_row(KNOWN_WOMAN, death_date="1945-06-06"),
    ]
    result = validate(rows)
    assert result.rejects.empty
    assert len(result.accepted) == 2


def test_reject_names_the_participants_township():
    result = validate([death_row(KNOWN_WOMAN, source="医院"), death_row(STRANGER, source="医院")])
    assert result.rejects.sort_values("source_row")["township_code"].tolist() == ["320281004", ""]


def test_unmatched_death_is_accepted_and_flagged():
    result = validate([death_row(STRANGER), death_row(KNOWN)])
    assert result.rejects.empty
    matched = result.accepted.set_index("id_number")["matched"].to_dict()
    assert matched == {STRANGER: False, KNOWN: True}


@pytest.mark.parametrize(
    ("payee", "status"),
    [
        ({}, "complete"),
        ({"payee_bank_code": "icbc"}, "complete"),
        ({"payee_name": "", "payee_bank_code": "", "payee_account_number": ""}, "missing"),
        ({"payee_bank_code": "HSBC"}, "invalid"),
        ({"payee_account_number": "12345"}, "invalid"),
        ({"payee_account_number": "6.22848E+18"}, "invalid"),
        ({"payee_name": ""}, "invalid"),
        ({"payee_name": "王小明", "payee_bank_code": "", "payee_account_number": ""}, "invalid"),
    ],
)
def test_payee_details_never_reject_the_death(payee, status):
    result = validate([death_row(KNOWN, **payee)])
    assert result.rejects.empty
    got = result.accepted.iloc[0]
    assert got["payee_status"] == status
    if status == "complete":
        assert got["payee_bank_code"] == "ICBC"
    else:  # bad or missing details are not passed on as if they could be paid
        assert pd.isna(got["payee_bank_code"]) and pd.isna(got["payee_account_number"])


def test_legacy_id_is_upgraded_and_matched():
    legacy = KNOWN[:6] + KNOWN[8:17]
    result = validate([death_row(legacy)])
    assert result.accepted["id_number"].tolist() == [KNOWN]
    assert result.accepted["matched"].tolist() == [True]


def test_english_sources_accepted():
    result = validate([death_row(KNOWN, source="civil_affairs")])
    assert result.accepted["source"].tolist() == ["民政"]


def test_no_deaths():
    result = validate([])
    assert result.accepted.empty and result.rejects.empty


def test_registrations_of_one_day_with_different_dates_are_rejected_together():
    rows = [
        death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15"),
        death_row(KNOWN_WOMAN, death_date="2021-01-03", registered_on="2021-01-15"),
        death_row(KNOWN, death_date="2021-01-12", registered_on="2021-01-15"),
    ]
    result = validate(rows)
    assert result.accepted["id_number"].tolist() == [KNOWN_WOMAN]
    assert result.rejects["reason_codes"].tolist() == ["DEATH_CONFLICT", "DEATH_CONFLICT"]
    assert sorted(result.rejects["source_row"]) == [2, 4]
    assert result.conflicts.to_dict("records") == [{"id_number": KNOWN, "registered_on": pd.Timestamp("2021-01-15")}]


def test_two_dates_for_one_person_in_one_file_conflict_even_on_different_days():
    rows = [
        death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15"),
        death_row(KNOWN, death_date="2021-01-12", registered_on="2021-01-20"),
    ]
    assert validate(rows).rejects["reason_codes"].tolist() == ["DEATH_CONFLICT", "DEATH_CONFLICT"]


def test_a_repeated_registration_with_the_same_date_is_no_conflict():
    rows = [death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15")] * 2
    result = validate(rows)
    assert result.rejects.empty and len(result.accepted) == 2 and result.conflicts.empty


def test_a_bad_row_does_not_make_a_conflict():
    rows = [
        death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15"),
        death_row(KNOWN, death_date="2021-13-40", registered_on="2021-01-15"),
    ]
    assert validate(rows).rejects["reason_codes"].tolist() == ["DEATH_DATE_INVALID"]


@pytest.mark.parametrize("payee_name", ["王\u200b亲属", "王\x00亲属", "王" * 51])
def test_payee_name_with_invisible_characters_or_too_long_waits_for_details(payee_name):
    result = validate([death_row(KNOWN, death_date="2021-01-10", registered_on="2021-01-15", payee_name=payee_name)])
    assert result.rejects.empty
    assert result.accepted.iloc[0]["payee_status"] == "invalid"
    assert pd.isna(result.accepted.iloc[0]["payee_name"])
