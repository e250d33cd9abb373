"""Opening balances of the personal accounts (SPEC §5a): carried over from the previous system,
every row accepted or rejected with a reason, read by the opening month's run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.cli import main
from pipeline.validate.opening_balances import validate_opening_balances
from tests.support.builders import excel_shown, make_id, raw_table, with_wrong_check, write_rows

FILE = "accounts/opening.csv"
HOLDER = make_id("1950-03-15", "M", seq=7)
OPENING = "2021-01"


def row(**changes) -> dict[str, str]:
    return {"id_number": HOLDER, "balance_yuan": "4948.40", "as_of_month": OPENING, **changes}


def validate(rows):
    return validate_opening_balances(raw_table(rows, "opening_balances", FILE), opening_month=OPENING)


def test_a_balance_in_yuan_becomes_fen():
    result = validate([row(), row(id_number=make_id("1962-07-01", "F", seq=3), balance_yuan="0")])
    assert result.rejects.empty
    assert result.accepted[["balance_fen", "as_of_month", "source_row"]].values.tolist() == [
        [494840, OPENING, 2],
        [0, OPENING, 3],
    ]
    assert result.accepted["balance_fen"].dtype == "int64"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"balance_yuan": "-3.00"}, "BALANCE_INVALID"),
        ({"balance_yuan": ""}, "BALANCE_INVALID"),
        ({"balance_yuan": "12.345"}, "BALANCE_INVALID"),
        ({"balance_yuan": "1,000.00"}, "BALANCE_INVALID"),
        ({"as_of_month": "2020-12"}, "AS_OF_MONTH_INVALID"),
        ({"as_of_month": ""}, "AS_OF_MONTH_INVALID"),
        ({"id_number": ""}, "ID_MISSING"),
        ({"id_number": excel_shown(HOLDER)}, "ID_EXCEL_NUMBER"),
        ({"id_number": with_wrong_check(HOLDER)}, "ID_CHECKSUM"),
    ],
)
def test_a_bad_row_is_rejected_with_its_reason(changes, code):
    result = validate([row(**changes)])
    assert result.accepted.empty
    assert result.rejects[["input_kind", "source_file", "source_row", "reason_code"]].values.tolist() == [
        ["opening_balances", FILE, 2, code]
    ]


def test_an_account_given_twice_rejects_every_copy():
    other = make_id("1962-07-01", "F", seq=3)
    result = validate([row(), row(id_number=other), row(balance_yuan="10")])
    assert result.rejects[["source_row", "reason_code"]].values.tolist() == [
        [2, "DUPLICATE_IN_FILE"],
        [4, "DUPLICATE_IN_FILE"],
    ]
    assert result.accepted["id_number"].tolist() == [other]


def _run(inbox, out, month):
    return main(["run", "--month", month, "--inbox", str(inbox.root), "--out", str(out), "--quiet", "--catch-up"])


def test_the_opening_month_reports_the_rejects_and_reconciles_the_rows(inbox, tmp_path):
    write_rows(
        inbox.root / "accounts" / "opening.csv",
        [row(), row(id_number="1234"), row(id_number=make_id("1962-07-01", "F", seq=3), balance_yuan="x")],
    )
    out = tmp_path / "out"
    assert _run(inbox, out, OPENING) == 0
    summary = json.loads((out / OPENING / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["per_kind"]["opening_balances"] == {"rows_read": 3, "accepted": 1, "rejected": 2}
    rejects = (out / OPENING / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "opening_balances" in rejects and "BALANCE_INVALID" in rejects and "ID_FORMAT" in rejects


def test_an_unreadable_opening_file_stops_the_run(inbox, tmp_path, capsys):
    path = inbox.root / "accounts" / "opening.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("身份证号,余额年月\n" + HOLDER + ",2021-01\n", encoding="utf-8")
    out = tmp_path / "out"
    assert _run(inbox, out, OPENING) == 2
    err = capsys.readouterr().err
    assert "accounts/opening.csv" in err and "账户余额" in err and "Traceback" not in err
    assert not (out / OPENING).exists()


def test_payout_validate_lists_the_opening_rejects_the_run_would(inbox, tmp_path, capsys):
    write_rows(
        inbox.root / "accounts" / "opening.csv",
        [row(), row(id_number="1234"), row(id_number=make_id("1962-07-01", "F", seq=3), balance_yuan="x")],
    )
    out, listed = tmp_path / "out", tmp_path / "rejects.csv"
    args = ["--month", OPENING, "--inbox", str(inbox.root), "--out", str(out), "--rejects", str(listed)]
    assert main(["validate", *args]) == 0
    err = capsys.readouterr().err
    assert "BALANCE_INVALID ×1" in err and "ID_FORMAT ×1" in err
    rejects = pd.read_csv(listed, dtype=str, encoding="utf-8-sig")
    opening = rejects[rejects["input_kind"] == "opening_balances"]
    assert opening[["source_row", "reason_code"]].values.tolist() == [["3", "ID_FORMAT"], ["4", "BALANCE_INVALID"]]
    assert not out.exists()
