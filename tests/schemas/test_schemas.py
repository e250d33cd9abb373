"""The pandera schemas: rule names are reason codes, input schemas are strict, output schemas
hold the contract later stages rely on, and the shared building blocks."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
import pytest

from pipeline.core.codes import REJECT_PRIORITY, REJECT_REASONS, reject_message
from pipeline.core.money import yuan_to_fen
from pipeline.validate.rules import passing_rows, primary_reasons, rule_failures
from schemas import checks as c
from schemas.bank_return import bank_return_rules
from schemas.contribution import contribution_rules
from schemas.death import death_rules
from schemas.ledger import LedgerEntry
from schemas.rejects import Rejects
from schemas.roster import Roster, roster_rules
from tests.support.builders import raw_table, roster_row

LIMITS = {"max_account_pension_fen": 300_000, "max_name_chars": 50}
RULE_SETS = {
    "rosters": roster_rules(["320281001"], ["JRCB"], "2021-01", **LIMITS),
    "deaths": death_rules("2021-01"),
    "bank_returns": bank_return_rules(),
    "contributions": contribution_rules(2021, 8),
}


@pytest.mark.parametrize("kind", list(RULE_SETS))
def test_every_rule_is_named_after_a_reason_code(kind):
    names = [check.name for check in RULE_SETS[kind].checks]
    assert names, kind
    assert set(names) <= set(REJECT_REASONS)
    assert len(names) == len(set(names))  # one reason code per check


@pytest.mark.parametrize("kind", list(RULE_SETS))
def test_rules_apply_to_exactly_the_input_columns(kind):
    schema = RULE_SETS[kind]
    assert schema.strict is True
    raw = raw_table([], kind)
    assert sorted(schema.columns) == sorted(raw.columns)


def test_every_reason_has_chinese_and_english():
    for code, (zh, en) in REJECT_REASONS.items():
        assert zh and en and zh != en, code
        assert reject_message(code) == f"{zh} / {en}"
    assert list(REJECT_PRIORITY) == list(REJECT_REASONS)


def test_an_unexpected_column_is_a_programming_error_not_a_reject():
    raw = raw_table([roster_row()], "rosters").assign(extra="x")
    with pytest.raises(pa.errors.SchemaErrors):
        rule_failures(raw, RULE_SETS["rosters"])


def test_primary_reason_is_the_first_in_fixing_order():
    failures = pd.DataFrame(
        {
            "index": [5, 5, 5, 2],
            "reason_code": ["BANK_UNKNOWN", "ID_CHECKSUM", "NAME_MISSING", "SEX_INVALID"],
        }
    )
    reasons = primary_reasons(failures)
    assert reasons.loc[5, "reason_code"] == "ID_CHECKSUM"
    assert reasons.loc[5, "reason_codes"] == "ID_CHECKSUM;NAME_MISSING;BANK_UNKNOWN"
    assert reasons.loc[2, "reason_codes"] == "SEX_INVALID"
    assert reasons.index.tolist() == [2, 5]


def typed_roster(**changes) -> pd.DataFrame:
    row = {
        "id_number": "11010519491231002X",
        "name": "王",
        "sex": "F",
        "birth_date": pd.Timestamp("1949-12-31"),
        "township_code": "320281001",
        "village": "",
        "hukou_local": True,
        "status": "receiving",
        "benefit_start": "2004-12",
        "suspended_from": None,
        "end_month": None,
        "employee_pension_from": None,
        "account_pension_fen": 1250,
        "bank_code": "JRCB",
        "account_number": "6228480000000000001",
        "account_name": "王",
        "source_file": "f.csv",
        "source_row": 2,
    }
    row.update(changes)
    return pd.DataFrame([row])


def test_roster_output_schema_accepts_a_typed_row():
    Roster.validate(typed_roster())


@pytest.mark.parametrize(
    "changes",
    [
        {"id_number": "11010519491231002x"},
        {"sex": "男"},
        {"township_code": "320281001000"},
        {"status": "领取"},
        {"benefit_start": "2004-13"},
        {"account_pension_fen": -1},
        {"account_number": "3.20281E+17"},
    ],
)
def test_roster_output_schema_refuses_what_validation_must_have_fixed(changes):
    with pytest.raises(pa.errors.SchemaError):
        Roster.validate(typed_roster(**changes))


def test_roster_output_ids_are_unique():
    with pytest.raises(pa.errors.SchemaError):
        Roster.validate(pd.concat([typed_roster(), typed_roster(source_row=3)], ignore_index=True))


def test_rejects_schema_refuses_unknown_codes_and_header_rows():
    row = {
        "input_kind": "rosters",
        "source_file": "f.csv",
        "source_row": 2,
        "township_code": "",
        "id_number": "",
        "name": "",
        "reason_code": "ID_MISSING",
        "reason_codes": "ID_MISSING",
        "message": reject_message("ID_MISSING"),
        "row_values": "",
    }
    Rejects.validate(pd.DataFrame([row]))
    with pytest.raises(pa.errors.SchemaError):
        Rejects.validate(pd.DataFrame([{**row, "reason_code": "OOPS"}]))
    with pytest.raises(pa.errors.SchemaError):
        Rejects.validate(pd.DataFrame([{**row, "source_row": 1}]))


def ledger_row(**changes) -> pd.DataFrame:
    row = {
        "run_month": "2021-03",
        "entry_id": "2021-03-000001",
        "id_number": "32028119500315123X",
        "township_code": "320281001",
        "period": "2021-03",
        "component": "base",
        "kind": "payment",
        "reason": "current",
        "settlement": "bank",
        "amount_fen": 39200,
        "bank_code": "JRCB",
        "account_number": "6228480000000000009",
        "batch_id": "JRCB-2021-03-pension",
        "line_no": 1,
        "source_file": "rosters/320281001.csv",
        "source_row": 2,
        "reverses_entry_id": None,
    }
    return pd.DataFrame([{**row, **changes}])


def test_ledger_schema_accepts_an_entry():
    assert LedgerEntry.validate(ledger_row())["amount_fen"].tolist() == [39200]


@pytest.mark.parametrize(
    "changes",
    [
        {"run_month": "2021-13"},
        {"period": "2021-00"},
        {"period": "２０２１-03"},  # full-width digits: not the month any folder is named by
        {"run_month": "2021-0３"},
        {"id_number": "３2028119500315123X"},
        {"component": "bonus"},
        {"reason": "REJECTED"},
    ],
)
def test_ledger_schema_refuses_an_unreal_month_full_width_digits_and_unknown_codes(changes):
    with pytest.raises(pa.errors.SchemaError):
        LedgerEntry.validate(ledger_row(**changes))


# -- building blocks -----------------------------------------------------------------------------


def s(*values: str) -> pd.Series:
    return pd.Series(list(values), dtype="str")


def test_month_and_date_checks():
    assert c.month_ok(s("2021-01", "2021-12", "", "2021-13", "2021-1", "2021/01", "２０２１-01")).tolist() == [
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert c.date_ok(s("2020-02-29", "2021-02-29", "", "2021-2-01", "2021-04-31")).tolist() == [
        True,
        False,
        True,
        False,
        False,
    ]
    assert c.to_date(s("2021-03-05", "bad")).tolist()[0] == pd.Timestamp("2021-03-05")
    assert pd.isna(c.to_date(s("2021-03-05", "bad")).iloc[1])
    assert c.last_day_of("2021-02") == pd.Timestamp("2021-02-28")
    assert c.last_day_of("2020-02") == pd.Timestamp("2020-02-29")


def test_yuan_checks_and_fen():
    text = s("0", "1", "1.5", "1.05", "392.00", "", "999999999.99")
    assert c.yuan_ok(text).all()
    assert yuan_to_fen(text).tolist() == [0, 100, 150, 105, 39200, 0, 99_999_999_999]
    indexed = pd.Series(["392.5", "7.10", ""], index=[5, 0, 3], dtype="str")
    assert yuan_to_fen(indexed).to_dict() == {5: 39250, 0: 710, 3: 0}
    assert yuan_to_fen(pd.Series([], dtype="str")).tolist() == []
    assert not c.yuan_ok(s("1.005", "-1", "1e2", " 1", "1,0", "1234567890", ".5", "5.")).any()


def test_excel_numbers_and_accounts():
    assert c.excel_number(s("3.20281E+17", "3.20281e+17", "6E+18", "320281", "3.2E17")).tolist() == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert c.account_ok(s("", "123456789012", "1" * 25, "1" * 26, "12345678901", "6.22848E+18")).tolist() == [
        True,
        True,
        True,
        False,
        False,
        True,  # an Excel number has its own reason code
    ]


def test_passing_rows_leave_out_every_failing_row_once():
    frame = pd.DataFrame({"x": ["a", "b", "c", "d"]}, index=[2, 3, 4, 5])
    failures = pd.DataFrame({"index": [3, 5, 3], "reason_code": ["ID_MISSING", "ID_MISSING", "NAME_MISSING"]})
    assert passing_rows(frame, failures)["x"].tolist() == ["a", "c"]
    assert passing_rows(frame, failures.iloc[0:0]) is frame
