"""Roster validation: one named row per reason code, cross-file rules, accepted spellings."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import pytest

from pipeline.core.codes import REJECT_PRIORITY, REJECT_REASONS
from pipeline.core.idcard import with_checksum
from pipeline.validate.rosters import validate_rosters
from schemas.roster import roster_rules
from tests.support.builders import (
    MONTH,
    concat_raw,
    excel_shown,
    id_body,
    make_id,
    raw_table,
    roster_row,
    township_people,
    with_wrong_check,
)

FILE_A = "2021-01/rosters/320281001.csv"
FILE_B = "2021-01/rosters/320281004.csv"
CROSS_FILE_CODES = {
    "TOWNSHIP_MISMATCH",
    "DUPLICATE_IN_FILE",
    "DUPLICATE_ACROSS_TOWNSHIPS",
    "BEFORE_PENSION_AGE",
    "NONLOCAL_RECEIVING",
    "STATUS_BACKWARDS",
}
TARGET_POSITION = 4  # the named row sits in the middle of the file


def validate(raw: pd.DataFrame, policy, ever_receiving=(), month: str = MONTH):
    return validate_rosters(
        raw,
        policy=policy,
        run_month=month,
        ever_receiving=pd.Series(list(ever_receiving), dtype="str"),
    )


def target_row(**changes) -> dict[str, str]:
    """A receiving man born 1950-03-15, receiving since 2010-03 (his 60th-birthday month)."""
    row = roster_row(birth="1950-03-15", sex="M", seq=499, n=999, name="赵目标")
    row.update(changes)  # cell values (a 'sex' here is the cell, not the person's sex)
    return row


def file_with(target: dict[str, str], township: str = "320281001", source_file: str = FILE_A):
    others = township_people(township, 0, 9)
    rows = others[:TARGET_POSITION] + [target] + others[TARGET_POSITION:]
    return raw_table(rows, "rosters", source_file)


def id_with_birth(digits: str, sex: str = "M") -> str:
    return with_checksum(id_body(digits, sex, seq=499))


TARGET_ID = make_id("1950-03-15", "M", seq=499)

# reason code -> how the named row is broken
ONE_MISTAKE: dict[str, Callable[[dict], None]] = {
    "ID_MISSING": lambda r: r.update(id_number=""),
    "ID_EXCEL_NUMBER": lambda r: r.update(id_number=excel_shown(TARGET_ID)),
    "ID_FORMAT": lambda r: r.update(id_number=TARGET_ID[:14]),
    "ID_CHECKSUM": lambda r: r.update(id_number=with_wrong_check(TARGET_ID)),
    "ID_BIRTH_INVALID": lambda r: r.update(id_number=id_with_birth("19500230")),
    "ID_BIRTH_FUTURE": lambda r: r.update(id_number=id_with_birth("20210201")),
    "NAME_MISSING": lambda r: r.update(name=""),
    "TEXT_INVISIBLE_CHARS": lambda r: r.update(name="赵\u200b目标"),
    "NAME_TOO_LONG": lambda r: r.update(name="赵" * 10_000),
    "SEX_INVALID": lambda r: r.update(sex="未知"),
    "SEX_MISMATCH_ID": lambda r: r.update(sex="女"),
    "BIRTH_DATE_INVALID": lambda r: r.update(birth_date="1950/03/15"),
    "BIRTH_DATE_MISMATCH_ID": lambda r: r.update(birth_date="1950-03-16"),
    "TOWNSHIP_UNKNOWN": lambda r: r.update(township_code="320281999"),
    "TOWNSHIP_MISMATCH": lambda r: r.update(township_code="320281400"),
    "HUKOU_INVALID": lambda r: r.update(hukou_local="不详"),
    "STATUS_INVALID": lambda r: r.update(status="死亡"),
    "MONTH_FORMAT": lambda r: r.update(benefit_start="2010-13"),
    "BENEFIT_START_MISSING": lambda r: r.update(benefit_start=""),
    "SUSPENDED_FROM_MISSING": lambda r: r.update(status="暂停", suspended_from=""),
    "END_MONTH_MISSING": lambda r: r.update(status="终止", end_month=""),
    "ACCOUNT_PENSION_INVALID": lambda r: r.update(account_pension="12.345"),
    "ACCOUNT_PENSION_IMPLAUSIBLE": lambda r: r.update(account_pension="99999999.99"),
    "BANK_MISSING": lambda r: r.update(bank_code=""),
    "BANK_UNKNOWN": lambda r: r.update(bank_code="HSBC"),
    "ACCOUNT_MISSING": lambda r: r.update(account_number=""),
    "ACCOUNT_EXCEL_NUMBER": lambda r: r.update(account_number="6.22848E+18"),
    "ACCOUNT_INVALID": lambda r: r.update(account_number="62284800001"),
    "BEFORE_PENSION_AGE": lambda r: r.update(benefit_start="2010-02"),
    "NONLOCAL_RECEIVING": lambda r: r.update(hukou_local="否"),
}


def test_every_roster_reason_code_has_a_named_row():
    limits = {"max_account_pension_fen": 300_000, "max_name_chars": 50}
    rule_codes = {check.name for check in roster_rules(["320281001"], ["JRCB"], MONTH, **limits).checks}
    assert rule_codes <= set(REJECT_REASONS)
    tested = set(ONE_MISTAKE) | {
        "DUPLICATE_IN_FILE",
        "DUPLICATE_ACROSS_TOWNSHIPS",
        "STATUS_BACKWARDS",
    }
    assert rule_codes | CROSS_FILE_CODES == tested


def test_the_valid_file_is_accepted_whole(policy):
    result = validate(file_with(target_row()), policy)
    assert result.rejects.empty
    assert len(result.accepted) == 10
    assert TARGET_ID in set(result.accepted["id_number"])
    assert result.file_townships.to_dict() == {FILE_A: "320281001"}


@pytest.mark.parametrize("code", list(ONE_MISTAKE))
def test_one_mistake_one_reason(code, policy):
    target = target_row()
    ONE_MISTAKE[code](target)
    raw = file_with(target)
    result = validate(raw, policy)

    assert len(result.rejects) == 1
    reject = result.rejects.iloc[0]
    assert reject["reason_code"] == code
    assert reject["reason_codes"] == code  # one mistake is reported once, not as a cascade
    assert reject["source_file"] == FILE_A
    assert reject["source_row"] == TARGET_POSITION + 2  # header is row 1
    assert reject["township_code"] == "320281001"
    assert reject["id_number"] == target["id_number"]  # as written in the file
    assert reject["name"] == target["name"]
    zh, en = REJECT_REASONS[code]
    assert reject["message"] == f"{zh} / {en}"
    assert "身份证号=" + target["id_number"] in reject["row_values"]

    others = raw.drop(index=TARGET_POSITION)
    assert sorted(result.accepted["id_number"]) == sorted(others["id_number"])
    assert sorted(result.accepted["source_row"]) == sorted(others["source_row"])


def test_two_mistakes_are_listed_in_fixing_order(policy):
    # given in the reverse of fixing order: bank first, then sex, then name
    target = target_row(bank_code="HSBC", sex="女", name="")
    result = validate(file_with(target), policy)
    reject = result.rejects.iloc[0]
    assert reject["reason_code"] == "NAME_MISSING"
    assert reject["reason_codes"] == "NAME_MISSING;SEX_MISMATCH_ID;BANK_UNKNOWN"
    assert REJECT_PRIORITY["NAME_MISSING"] < REJECT_PRIORITY["SEX_MISMATCH_ID"] < REJECT_PRIORITY["BANK_UNKNOWN"]
    assert "姓名为空；" in reject["message"] and "name is empty; " in reject["message"]
    assert len(result.accepted) == 9


def test_row_rule_and_cross_file_rule_together(policy):
    result = validate(file_with(target_row(hukou_local="否", bank_code="HSBC")), policy)
    assert result.rejects["reason_codes"].tolist() == ["BANK_UNKNOWN;NONLOCAL_RECEIVING"]


# -- cross-file rules ----------------------------------------------------------------------------


def test_duplicate_within_a_file_rejects_both_copies(policy):
    rows = township_people("320281001", 0, 10)
    rows[7] = dict(rows[2])  # the same person twice
    result = validate(raw_table(rows, "rosters", FILE_A), policy)
    assert sorted(result.rejects["source_row"]) == [4, 9]
    assert set(result.rejects["reason_codes"]) == {"DUPLICATE_IN_FILE"}
    assert rows[2]["id_number"] not in set(result.accepted["id_number"])
    assert len(result.accepted) == 8


def test_duplicate_written_once_as_legacy_15_digits(policy):
    id18 = make_id("1950-03-15", "M", seq=499)
    id15 = id18[:6] + id18[8:17]
    rows = township_people("320281001", 0, 5) + [target_row(), target_row(id_number=id15)]
    result = validate(raw_table(rows, "rosters", FILE_A), policy)
    assert sorted(result.rejects["id_number"]) == sorted([id18, id15])  # as written
    assert set(result.rejects["reason_code"]) == {"DUPLICATE_IN_FILE"}


def test_same_id_in_two_townships_rejects_both(policy):
    a = township_people("320281001", 0, 10)
    b = township_people("320281004", 1, 10)
    b[5] = dict(a[3], township_code="320281004")  # the same person
    raw = concat_raw(raw_table(a, "rosters", FILE_A), raw_table(b, "rosters", FILE_B))
    result = validate(raw, policy)
    rejects = result.rejects.sort_values("source_file")
    assert rejects[["source_file", "source_row", "township_code", "reason_codes"]].values.tolist() == [
        [FILE_A, 5, "320281001", "DUPLICATE_ACROSS_TOWNSHIPS"],
        [FILE_B, 7, "320281004", "DUPLICATE_ACROSS_TOWNSHIPS"],
    ]
    assert len(result.accepted) == 18
    assert result.file_townships.to_dict() == {FILE_A: "320281001", FILE_B: "320281004"}


def test_duplicate_across_townships_even_when_one_copy_has_other_mistakes(policy):
    a = township_people("320281001", 0, 10)
    b = township_people("320281004", 1, 10)
    b[5] = dict(a[3], township_code="320281004", bank_code="HSBC")
    raw = concat_raw(raw_table(a, "rosters", FILE_A), raw_table(b, "rosters", FILE_B))
    result = validate(raw, policy)
    assert sorted(result.rejects["reason_codes"]) == [
        "BANK_UNKNOWN;DUPLICATE_ACROSS_TOWNSHIPS",
        "DUPLICATE_ACROSS_TOWNSHIPS",
    ]


@pytest.mark.parametrize(
    ("sex", "birth", "too_early", "on_time"),
    [
        ("M", "1960-05-20", "2020-04", "2020-05"),  # men at 60
        ("F", "1965-05-20", "2020-04", "2020-05"),  # women at 55
        ("M", "1960-02-29", "2020-01", "2020-02"),  # a 29 February birthday counts in February
        ("F", "1965-12-31", "2020-11", "2020-12"),
    ],
)
def test_benefit_start_and_pension_age(sex, birth, too_early, on_time, policy):
    early = roster_row(birth=birth, sex=sex, seq=1, n=1, benefit_start=too_early)
    ok = roster_row(birth=birth, sex=sex, seq=2, n=2, benefit_start=on_time)
    later = roster_row(birth=birth, sex=sex, seq=3, n=3, benefit_start="2021-01")
    result = validate(raw_table([early, ok, later], "rosters", FILE_A), policy)
    assert result.rejects[["id_number", "reason_codes"]].values.tolist() == [[early["id_number"], "BEFORE_PENSION_AGE"]]
    assert sorted(result.accepted["id_number"]) == sorted([ok["id_number"], later["id_number"]])


def test_pension_age_is_the_ids_sex_not_a_womans_age_for_a_man(policy):
    man_at_55 = roster_row(birth="1965-05-20", sex="M", benefit_start="2020-05")
    result = validate(raw_table([man_at_55], "rosters", FILE_A), policy)
    assert result.rejects["reason_codes"].tolist() == ["BEFORE_PENSION_AGE"]


def test_suspended_before_pension_age_is_rejected_contributing_is_not(policy):
    suspended = roster_row(
        birth="1960-05-20",
        sex="M",
        seq=1,
        n=1,
        status="暂停",
        benefit_start="2020-04",
        suspended_from="2020-10",
    )
    contributing = roster_row(birth="1960-05-20", sex="M", seq=2, status="缴费", benefit_start="2020-04")
    result = validate(raw_table([suspended, contributing], "rosters", FILE_A), policy)
    assert result.rejects["id_number"].tolist() == [suspended["id_number"]]
    assert result.accepted["id_number"].tolist() == [contributing["id_number"]]


def test_non_local_hukou(policy):
    receiving = roster_row(seq=1, n=1, hukou_local="否")
    contributing = roster_row(birth="1980-01-01", seq=2, status="缴费", hukou_local="否")
    suspended = roster_row(seq=3, n=3, status="暂停", suspended_from="2020-06", hukou_local="否")
    result = validate(raw_table([receiving, contributing, suspended], "rosters", FILE_A), policy)
    assert result.rejects[["id_number", "reason_codes"]].values.tolist() == [
        [receiving["id_number"], "NONLOCAL_RECEIVING"]
    ]
    accepted = result.accepted.set_index("id_number")
    assert not accepted.loc[contributing["id_number"], "hukou_local"]
    assert suspended["id_number"] in accepted.index


def test_status_cannot_go_backwards(policy):
    back = roster_row(seq=1, n=1, status="缴费")
    still = roster_row(seq=2, n=2, status="领取")
    ended = roster_row(seq=3, n=3, status="终止", end_month="2020-12")
    never = roster_row(seq=4, n=4, status="缴费")
    raw = raw_table([back, still, ended, never], "rosters", FILE_A)
    earlier = [back["id_number"], still["id_number"], ended["id_number"]]
    result = validate(raw, policy, ever_receiving=earlier)
    assert result.rejects[["id_number", "reason_codes"]].values.tolist() == [[back["id_number"], "STATUS_BACKWARDS"]]
    assert len(result.accepted) == 3
    # without the history the same file is clean
    assert validate(raw, policy).rejects.empty


# -- accepted spellings and typed values ---------------------------------------------------------


def test_twelve_digit_township_code_is_normalised(policy):
    rows = township_people("320281001", 0, 3)
    rows[1] = dict(rows[1], township_code="320281001000")
    result = validate(raw_table(rows, "rosters", FILE_A), policy)
    assert result.rejects.empty
    assert set(result.accepted["township_code"]) == {"320281001"}


def test_twelve_digit_village_code_is_not_a_township(policy):
    rows = [roster_row(township="320281001201")]
    result = validate(raw_table(rows, "rosters", FILE_A), policy)
    assert result.rejects["reason_code"].tolist() == ["TOWNSHIP_UNKNOWN"]


SPELLINGS = [  # (sex, hukou, status) as written -> as accepted
    (("男", "是", "领取"), ("M", True, "receiving")),
    (("M", "Y", "receiving"), ("M", True, "receiving")),
    (("m", "y", "Receiving"), ("M", True, "receiving")),
    (("M", "1", "RECEIVING"), ("M", True, "receiving")),
    (("M", "0", "contributing"), ("M", False, "contributing")),
    (("M", "N", "缴费"), ("M", False, "contributing")),
    (("M", "否", "suspended"), ("M", False, "suspended")),
    (("M", "是", "terminated"), ("M", True, "terminated")),
    (("M", "是", "终止"), ("M", True, "terminated")),
    (("M", "是", "暂停"), ("M", True, "suspended")),
    (("女", "是", "领取"), ("F", True, "receiving")),
    (("F", "是", "领取"), ("F", True, "receiving")),
    (("f", "是", "领取"), ("F", True, "receiving")),
]


def test_accepted_spellings(policy):
    rows = []
    for n, ((sex, hukou, status), _) in enumerate(SPELLINGS):
        person_sex = "F" if sex in ("女", "F", "f") else "M"
        row = roster_row(
            birth="1955-07-01",
            sex=person_sex,
            seq=n,
            n=n,
            suspended_from="2020-06",
            end_month="2020-12",
        )
        row.update(sex=sex, hukou_local=hukou, status=status)
        rows.append(row)
    result = validate(raw_table(rows, "rosters", FILE_A), policy)
    assert result.rejects.empty, result.rejects["reason_codes"].tolist()
    got = result.accepted.set_index("id_number")
    for row, (written, expected) in zip(rows, SPELLINGS, strict=True):
        accepted = got.loc[row["id_number"]]
        assert (accepted["sex"], bool(accepted["hukou_local"]), accepted["status"]) == expected, written


FEN = [
    ("12.5", 1250),
    ("12.50", 1250),
    ("0", 0),
    ("", 0),
    ("139", 13900),
    ("0.01", 1),
    ("007.10", 710),
    ("3000.00", 300_000),  # the plausibility limit itself (a larger amount: ACCOUNT_PENSION_IMPLAUSIBLE)
]
NOT_AMOUNTS = [
    "12.345",
    "-1",
    "1,000",
    "1e3",
    "12.",
    ".5",
    "十二",
    "１２",
    "1234567890",
    "99999999999999999999",
]


def test_account_pension_to_fen_or_rejected(policy):
    good = [roster_row(seq=n, n=n, account_pension=text) for n, (text, _) in enumerate(FEN)]
    bad = [roster_row(seq=100 + n, n=100 + n, account_pension=text) for n, text in enumerate(NOT_AMOUNTS)]
    result = validate(raw_table(good + bad, "rosters", FILE_A), policy)
    fen = result.accepted.set_index("id_number")["account_pension_fen"]
    assert fen.dtype == "int64"
    assert [fen[r["id_number"]] for r in good] == [f for _, f in FEN]
    rejected = result.rejects.set_index("id_number")["reason_codes"]
    assert sorted(rejected.index) == sorted(r["id_number"] for r in bad)
    assert set(rejected) == {"ACCOUNT_PENSION_INVALID"}


def test_typed_roster_values(policy):
    receiving = roster_row(
        birth="1950-03-15",
        sex="M",
        seq=1,
        n=1,
        birth_date="1950-03-15",
        account_name="王建国代",
        village="南街村",
    )
    contributing = roster_row(birth="1980-06-01", sex="F", seq=2, status="缴费", name="李秀英")
    legacy18 = make_id("1948-08-08", "F", seq=7)
    legacy = roster_row(legacy18[:6] + legacy18[8:17], birth="1948-08-08", sex="F", n=3)
    lower_x = next(
        make_id("1951-01-01", "M", seq=s) for s in range(500) if make_id("1951-01-01", "M", seq=s)[-1] == "X"
    )
    with_x = roster_row(lower_x.lower(), birth="1951-01-01", n=4)
    result = validate(raw_table([receiving, contributing, legacy, with_x], "rosters", FILE_A), policy)
    assert result.rejects.empty
    got = result.accepted.set_index("id_number")
    assert sorted(got.index) == sorted([receiving["id_number"], contributing["id_number"], legacy18, lower_x])
    r = got.loc[receiving["id_number"]]
    assert r["birth_date"] == pd.Timestamp("1950-03-15")
    assert r["benefit_start"] == "2010-03"
    assert r["account_name"] == "王建国代"
    assert r["village"] == "南街村"
    assert r["bank_code"] == "JRCB"
    assert r["account_number"] == receiving["account_number"]
    assert pd.isna(r["suspended_from"]) and pd.isna(r["employee_pension_from"])
    c = got.loc[contributing["id_number"]]
    assert c["account_name"] == "李秀英"  # defaults to the name
    assert pd.isna(c["benefit_start"]) and pd.isna(c["bank_code"]) and pd.isna(c["account_number"])
    assert got.loc[legacy18, "birth_date"] == pd.Timestamp("1948-08-08")
    assert got.loc[lower_x, "source_row"] == 5
    # sorted by ID, one row per person
    assert result.accepted["id_number"].is_monotonic_increasing


def test_full_width_id_is_rejected_not_crashing(policy):
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in TARGET_ID)
    result = validate(file_with(target_row(id_number=full_width)), policy)
    assert result.rejects["reason_codes"].tolist() == ["ID_FORMAT"]
    assert len(result.accepted) == 9


def test_empty_roster_table(policy):
    result = validate(raw_table([], "rosters", FILE_A), policy)
    assert result.accepted.empty and result.rejects.empty
