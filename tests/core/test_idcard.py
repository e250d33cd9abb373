"""GB 11643 identity numbers: the vectors of SPEC §4, legacy upgrade, birth/sex, masking."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.core import idcard
from tests.support.builders import id_body, make_id, with_wrong_check


def ids(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_spec_valid_vectors():
    assert idcard.checksum_ok(ids("11010519491231002X", "440524188001010014")).tolist() == [
        True,
        True,
    ]


def test_spec_invalid_vector():
    assert idcard.checksum_ok(ids("340524198001010013")).tolist() == [False]


def reference_check_char(body: str) -> str:
    """GB 11643 written out by hand, independent of the vectorised code."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


def test_check_chars_of_spec_bodies():
    bodies = ids("11010519491231002", "44052418800101001", "34052419800101001")
    # 3405...001 owes X (weighted sum 189, 189 mod 11 = 2), so ...0013 is invalid
    assert idcard.check_chars(bodies).tolist() == ["X", "4", "X"]


def test_check_chars_agree_with_reference():
    bodies = [f"{n:017d}" for n in range(0, 10**17, 7_919_000_000_003)][:200]
    expected = [reference_check_char(b) for b in bodies]
    assert idcard.check_chars(ids(*bodies)).tolist() == expected


def test_lowercase_x_is_read_as_upper_case():
    normal = idcard.normalise(ids("11010519491231002x"))
    assert normal.tolist() == ["11010519491231002X"]
    assert idcard.checksum_ok(normal).tolist() == [True]


def test_lowercase_x_without_normalising_is_not_well_formed():
    assert idcard.checksum_ok(ids("11010519491231002x")).tolist() == [False]


def test_legacy_15_digit_upgrade():
    assert idcard.normalise(ids("370986890623212")).tolist() == ["370986198906232123"]
    assert idcard.checksum_ok(ids("370986198906232123")).tolist() == [True]


def test_normalise_trims_and_leaves_other_text_for_the_checks():
    out = idcard.normalise(ids(" 440524188001010014 ", "12345", "", "3.20281E+17"))
    assert out.tolist() == ["440524188001010014", "12345", "", "3.20281E+17"]


def test_normalise_keeps_the_index():
    s = pd.Series(["370986890623212", "440524188001010014"], index=[7, 3], dtype="str")
    assert idcard.normalise(s).index.tolist() == [7, 3]


@pytest.mark.parametrize(
    "value",
    [
        "44052418800101001",
        "4405241880010100144",
        "44052418800101001A",
        "X40524188001010014",
        "４４０５２４１８８００１０１００１４",
        "44052418800101001 4",
        "",
    ],
)
def test_malformed_ids_fail_without_raising(value):
    assert idcard.checksum_ok(ids(value)).tolist() == [False]


def test_full_width_digits_do_not_match_the_id_pattern():
    # \d would match ０-９ and the digit arithmetic would then fail on non-ASCII text
    assert not ids("４４０５２４１８８００１０１００１４").str.fullmatch(idcard.ID18).iloc[0]


def test_birth_dates_and_sexes():
    values = ids(
        "11010519491231002X",
        "440524188001010014",
        make_id("1960-02-29", "M"),
        make_id("1965-07-01", "F"),
    )
    births = idcard.birth_dates(values)
    assert births.dt.strftime("%Y-%m-%d").tolist() == [
        "1949-12-31",
        "1880-01-01",
        "1960-02-29",
        "1965-07-01",
    ]
    assert idcard.sexes(values).tolist() == ["F", "M", "M", "F"]


def test_unreal_birth_date_is_nat():
    body = id_body("19500230", "M")
    bad = body + idcard.check_chars(pd.Series([body])).iloc[0]
    assert idcard.checksum_ok(ids(bad)).tolist() == [True]
    assert idcard.birth_dates(ids(bad)).isna().tolist() == [True]


def test_sex_of_malformed_id_is_blank():
    assert idcard.sexes(ids("", "abc")).tolist() == ["", ""]


def test_mask_keeps_region_and_last_four():
    masked = idcard.mask(ids("32028119500315123X"))
    assert masked.tolist() == ["320281********123X"]
    assert len(masked.iloc[0]) == 18


def test_builder_ids_are_valid_and_carry_birth_and_sex():
    for birth, sex in [("1950-03-15", "M"), ("1966-12-01", "F"), ("1940-01-31", "M")]:
        value = make_id(birth, sex, seq=123)
        assert idcard.checksum_ok(ids(value)).iloc[0]
        assert idcard.birth_dates(ids(value)).iloc[0] == pd.Timestamp(birth)
        assert idcard.sexes(ids(value)).iloc[0] == sex
        assert not idcard.checksum_ok(ids(with_wrong_check(value))).iloc[0]


def test_empty_series():
    empty = pd.Series([], dtype="str")
    assert idcard.check_chars(empty).empty
    assert idcard.checksum_ok(empty).empty
    assert idcard.normalise(empty).empty


def test_with_checksum_completes_a_body_with_its_check_character():
    assert idcard.with_checksum("11010519491231002") == "11010519491231002X"  # GB 11643's own example
    assert idcard.with_checksum("32028119500315123") == "320281195003151231"
    assert idcard.checksum_ok(ids(idcard.with_checksum("32028119610317001"))).tolist() == [True]


def test_pension_age_month_comes_from_the_ids_birth_and_sex():
    man, woman = make_id("1961-03-17", "M"), make_id("1966-05-02", "F")
    months = idcard.pension_age_month(ids(man, woman, "not an id"), male_age=60, female_age=55)
    assert months.iloc[:2].tolist() == ["2021-03", "2021-05"]
    assert pd.isna(months.iloc[2])
    assert idcard.pension_age_month(ids(), male_age=60, female_age=55).tolist() == []
