"""Runs that must stop, end to end through `payout run`: exit code 2, a message naming the file
or township and the problem, and nothing written for the month."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.cli import EXIT_STOPPED, main
from pipeline.ingest.columns import ROSTER
from pipeline.paths import DEFAULT_POLICY, REPO
from pipeline.policy import load_policy
from tests.support.builders import (
    MONTH,
    build_inbox,
    chinese,
    death_row,
    make_id,
    sheet_rows,
    write_csv,
    write_policy,
    write_sheets,
    write_xlsx,
)
from tests.support.cli import assert_nothing_written, assert_stopped, payout


def run_month(capsys, inbox_root: Path, out: Path, month: str = MONTH) -> tuple[int, str]:
    return payout(capsys, "run", "--month", month, "--inbox", str(inbox_root), "--out", str(out), "--quiet")


def drop(built, code: str) -> None:
    built.files[code].unlink()


# -- files that cannot be read -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("320281001_scan.pdf", b"%PDF-1.4\n%junk", "'.pdf' files cannot be read"),
        ("readme.txt", "请见附件".encode(), "'.txt' files cannot be read"),
        ("320281001_junk.csv", bytes(range(128, 256)) * 4, "neither UTF-8 nor GB18030"),
        (
            "320281001_broken.xlsx",
            b"PK\x03\x04not really a zip",
            "the spreadsheet cannot be opened",
        ),
        ("320281001_empty.csv", b"", "the file is empty"),
    ],
)
def test_unreadable_file_stops(name, content, problem, inbox, out_dir, capsys):
    (inbox.month_dir / "rosters" / name).write_bytes(content)
    code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(code, err, f"{MONTH}/rosters/{name}", problem)
    assert_nothing_written(out_dir)


def test_unreadable_death_file_stops_too(inbox, out_dir, capsys):
    (inbox.month_dir / "deaths" / "deaths.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(code, err, f"{MONTH}/deaths/deaths.doc", "'.doc' files cannot be read")
    assert_nothing_written(out_dir)


def test_roster_missing_a_required_column_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[3]
    rows = [{k: v for k, v in r.items() if k != "status"} for r in inbox.rosters[code]]
    inbox.rewrite_roster(code, rows)
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, inbox.label(code), "required column(s) missing: 参保状态 (status)")
    assert_nothing_written(out_dir)


def test_xlsx_roster_missing_a_required_column_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[0]
    drop(inbox, code)
    rows = [{k: v for k, v in chinese(r).items() if k != "身份证号"} for r in inbox.rosters[code]]
    path = write_xlsx(inbox.month_dir / "rosters" / f"{code}.xlsx", rows)
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, str(path.relative_to(inbox.root)), "身份证号 (id_number)")
    assert_nothing_written(out_dir)


def test_header_only_roster_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[2]
    drop(inbox, code)
    path = write_csv(inbox.month_dir / "rosters" / f"{code}.csv", [], header=[c.chinese for c in ROSTER])
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, str(path.relative_to(inbox.root)), "header but no participant rows")
    assert_nothing_written(out_dir)


# -- rosters that are readable but unusable ------------------------------------------------------


def break_rows(built, code: str, count: int) -> None:
    rows = [dict(r) for r in built.rosters[code]]
    for row in rows[:count]:
        row["sex"] = "未知"
    built.rewrite_roster(code, rows)


def test_reject_share_above_the_threshold_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[5]
    break_rows(inbox, code, 2)  # 2 of 10 = 20% > 10%
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(
        err_code,
        err,
        inbox.label(code),
        "2 of 10 rows (20.0%) fail validation",
        "above the 10% limit",
        "SEX_INVALID ×2",
    )
    assert_nothing_written(out_dir)


def test_township_without_a_roster_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[1]
    drop(inbox, code)
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, f"no roster this month from {code} {policy.township_name(code)}")
    assert_nothing_written(out_dir)


def test_two_rosters_for_one_township_stop(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[0]
    second = write_csv(
        inbox.month_dir / "rosters" / f"{code}_resent.csv",
        [chinese(r) for r in inbox.rosters[code]],
    )
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(
        err_code,
        err,
        f"township {code} sent more than one roster",
        inbox.label(code),
        str(second.relative_to(inbox.root)),
    )
    assert_nothing_written(out_dir)


def test_missing_inbox_folder_stops(tmp_path, out_dir, capsys):
    code, err = run_month(capsys, tmp_path / "nowhere", out_dir)
    assert_stopped(code, err, f"there is no inbox folder for {MONTH}")
    assert_nothing_written(out_dir)


def test_the_console_script_keeps_the_exit_code_and_the_message(tmp_path, out_dir):
    """`payout` ends with os._exit (no interpreter teardown): what it printed must still arrive."""
    command = [sys.executable, "-m", "pipeline.cli", "run", "--month", MONTH, "--inbox", str(tmp_path / "nowhere")]
    done = subprocess.run([*command, "--out", str(out_dir), "--quiet"], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == EXIT_STOPPED
    assert_stopped(done.returncode, done.stderr, f"there is no inbox folder for {MONTH}")
    assert_nothing_written(out_dir)


# -- months that must not be run -----------------------------------------------------------------


def test_month_before_the_opening_month_stops(inbox, out_dir, capsys):
    (inbox.root / "2020-12").mkdir()
    code, err = run_month(capsys, inbox.root, out_dir, month="2020-12")
    assert_stopped(code, err, "2020-12 is before the opening month 2021-01")
    assert_nothing_written(out_dir, "2020-12")


def tree_digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def drafted(tmp_path_factory, policy):
    """One full run shared by the tests below (each works on its own copy): an inbox where
    township 5 has 1 bad row of 10, exactly the 10% limit."""
    root = tmp_path_factory.mktemp("drafted")
    built = build_inbox(root / "inbox", policy)
    break_rows(built, policy.rostering_townships[5], 1)
    out = root / "out"
    code = main(["run", "--month", MONTH, "--inbox", str(built.root), "--out", str(out), "--quiet"])
    return built, out, code


def copy_of(drafted, tmp_path) -> tuple[Path, Path]:
    built, out, _ = drafted
    inbox, copy = tmp_path / "inbox", tmp_path / "out"
    shutil.copytree(built.root, inbox)
    shutil.copytree(out, copy)
    return inbox, copy


def test_reject_share_at_the_threshold_runs(drafted, policy):
    built, out, code = drafted
    assert code == 0
    # and the configured townships that submit no roster (403, 405, 406) are not missed
    assert set(policy.township_codes) - set(policy.rostering_townships) == {
        "320281403",
        "320281405",
        "320281406",
    }
    rejects = (out / MONTH / "rejects.csv").read_text(encoding="utf-8-sig")
    assert "SEX_INVALID" in rejects
    assert built.label(policy.rostering_townships[5]) in rejects


def test_stop_of_an_open_month_keeps_the_previous_draft(drafted, policy, tmp_path, capsys):
    built, _, _ = drafted
    inbox, out = copy_of(drafted, tmp_path)
    before = tree_digest(out)
    code = policy.rostering_townships[4]
    (inbox / built.label(code)).unlink()
    err_code, err = run_month(capsys, inbox, out)
    assert_stopped(err_code, err, f"no roster this month from {code}")
    assert tree_digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".retired"))]


def test_closed_month_rerun_is_refused(drafted, policy, tmp_path, capsys):
    built, _, _ = drafted
    inbox, out = copy_of(drafted, tmp_path)
    code, err = payout(capsys, "close", "--month", MONTH, "--out", str(out))
    assert code == 0, err
    before = tree_digest(out)
    # even with different inputs, a closed month never changes
    (inbox / built.label(policy.rostering_townships[0])).unlink()
    code, err = run_month(capsys, inbox, out)
    assert_stopped(code, err, f"{MONTH} is closed", str(out / MONTH))
    assert tree_digest(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".retired"))]


# -- the month's life ---------------------------------------------------------------------------


def test_a_second_run_on_the_same_output_folder_is_refused(drafted, tmp_path, capsys):
    from pipeline.lifecycle import output_lock
    from pipeline.paths import OutDir

    inbox, out = copy_of(drafted, tmp_path)
    before = tree_digest(out)
    with output_lock(OutDir(out)):  # another run holds the folder
        code, err = run_month(capsys, inbox, out)
    assert_stopped(code, err, "another run is using this output folder")
    assert tree_digest(out) == before


def test_months_run_in_sequence(drafted, tmp_path, capsys):
    inbox, out = copy_of(drafted, tmp_path)
    shutil.copytree(inbox / MONTH, inbox / "2021-02")
    code, err = run_month(capsys, inbox, out, month="2021-02")  # 2021-01 is drafted but open
    assert_stopped(code, err, "2021-01 is open", "payout close --month 2021-01")
    assert not (out / "2021-02").exists()
    code, err = payout(capsys, "close", "--month", "2021-02", "--out", str(out))
    assert_stopped(code, err, "2021-02 has no draft to close")
    assert payout(capsys, "close", "--month", MONTH, "--out", str(out))[0] == 0
    assert run_month(capsys, inbox, out, month="2021-02")[0] == 0


def test_a_month_after_one_never_run_asks_for_that_run_first(drafted, tmp_path, capsys):
    inbox, out = copy_of(drafted, tmp_path)
    shutil.copytree(inbox / MONTH, inbox / "2021-03")
    assert payout(capsys, "close", "--month", MONTH, "--out", str(out))[0] == 0
    code, err = run_month(capsys, inbox, out, month="2021-03")  # 2021-02 was never run
    assert_stopped(
        code,
        err,
        "2021-02 is not run",
        "run 2021-02 first (`payout run --month 2021-02`), then close it (`payout close --month 2021-02`)",
        "`payout run --month 2021-03 --catch-up`",
    )
    assert not (out / "2021-03").exists()


def test_blank_township_column_is_named_as_such(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[4]
    inbox.rewrite_roster(code, [{**r, "township_code": ""} for r in inbox.rosters[code]])
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, inbox.label(code), "镇街代码 (township_code) is blank")
    assert "no roster this month" not in err
    assert_nothing_written(out_dir)


def test_a_death_before_every_rate_stops_naming_the_month(tmp_path, policy, capsys):
    # the sample policy's earliest rate is from 2020-01 (a made-up sample value): a participant
    # who died in 2019-11 and is registered now is owed a grant at a rate the policy lacks
    person = build_inbox(tmp_path / "probe", policy).rosters[policy.rostering_townships[0]][0]
    death = death_row(person["id_number"], death_date="2019-11-20", registered_on="2021-01-08")
    inbox = build_inbox(tmp_path / "inbox", policy, deaths=[death])
    out = tmp_path / "out"
    code, err = run_month(capsys, inbox.root, out)
    assert_stopped(
        code,
        err,
        f"{MONTH}/deaths/deaths_{MONTH}.csv",
        "row 2",
        "death in 2019-11",
        "earliest [[rates]] row is from 2020-01",
        'from = "2019-11"',
    )
    assert_nothing_written(out)


def test_an_unmatched_old_death_does_not_stop(inbox, tmp_path, capsys):
    stranger = make_id("1930-01-01", "M", seq=77)
    inbox_with = build_inbox(
        tmp_path / "inbox2",
        load_policy(DEFAULT_POLICY),
        deaths=[death_row(stranger, death_date="2015-06-01", registered_on="2021-01-08")],
    )
    code, err = run_month(capsys, inbox_with.root, tmp_path / "out2")
    assert code == 0, err


# -- inputs as they really arrive (issue 10) -------------------------------------------------------


def roster_sheets(built, code: str, sheets: dict[str, list[list[object]]], states=None) -> Path:
    drop(built, code)
    return write_sheets(built.month_dir / "rosters" / f"{code}.xlsx", sheets, states=states)


def test_roster_split_over_two_sheets_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[0]
    rows = [chinese(r) for r in inbox.rosters[code]]
    path = roster_sheets(inbox, code, {"一村": sheet_rows(rows[:5]), "二村": sheet_rows(rows[5:])})
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, str(path.relative_to(inbox.root)), "2 sheets with data (一村, 二村)")
    assert_nothing_written(out_dir)


def test_hidden_sheet_headed_like_a_roster_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[1]
    rows = [chinese(r) for r in inbox.rosters[code]]
    path = roster_sheets(inbox, code, {"上月": sheet_rows(rows), "本月": sheet_rows(rows)}, states={"上月": "hidden"})
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, str(path.relative_to(inbox.root)), "hidden sheet(s) headed like a roster (上月)")
    assert_nothing_written(out_dir)


@pytest.mark.parametrize(
    ("column", "written", "meant"),
    [
        ("个人账户养老金", "个人账户养老金(元)", "个人账户养老金 (account_pension)"),
        ("职工养老金起始年月", "职工养老金起始月份", "职工养老金起始年月 (employee_pension_from)"),
    ],
)
def test_renamed_optional_column_stops(column, written, meant, inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[2]
    path = inbox.files[code]
    path.write_bytes(path.read_bytes().replace(column.encode(), written.encode(), 1))
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, inbox.label(code), f"unknown column {written}: did you mean {meant}?")
    assert_nothing_written(out_dir)


def test_value_under_no_header_stops(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[3]
    path = inbox.files[code]
    lines = path.read_bytes().decode("utf-8").split("\r\n")
    lines = [lines[0] + ","] + [line + ("," if line else "") for line in lines[1:]]
    lines[2] += "多出的值"
    path.write_text("\r\n".join(lines), encoding="utf-8")
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, inbox.label(code), "column 17 (Q) has values but no header")
    assert_nothing_written(out_dir)


def test_roster_the_pipeline_may_not_read_stops(inbox, out_dir, policy, capsys, monkeypatch):
    code = policy.rostering_townships[4]
    refused, real = inbox.files[code], Path.read_bytes

    def read_bytes(self):
        if self == refused:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert_stopped(err_code, err, inbox.label(code), "cannot be opened by the pipeline's user (Permission denied)")
    assert "Traceback" not in err
    assert_nothing_written(out_dir)


def test_inconsistent_header_policy_stops(inbox, out_dir, tmp_path, capsys):
    text = (REPO / "config" / "policy.toml").read_text(encoding="utf-8")
    policy_file = write_policy(tmp_path, text.replace('"公民身份号码" = "id_number"', '"公民身份号码" = "identity"'))
    args = ("run", "--month", MONTH, "--inbox", str(inbox.root), "--out", str(out_dir), "--quiet")
    err_code, err = payout(capsys, *args, "--policy", str(policy_file))
    assert_stopped(err_code, err, "[headers]", "公民身份号码", "not a column of any input")
    assert_nothing_written(out_dir)


def test_inputs_as_excel_and_clerks_save_them_run(inbox, out_dir, policy, capsys):
    """Each township's file as it really arrives, none refused: a hidden stale first sheet beside
    the visible one, a month typed as a date, a synonym and an ignored column from
    config/policy.toml, CR-only line ends with Excel's trailing ',,,'."""
    stale_code, synonym_code, mac_code = policy.rostering_townships[:3]
    rows = [chinese(r) for r in inbox.rosters[stale_code]]
    old = [dict(r) for r in rows]
    old[0]["银行账号"] = "6228480999999999999"
    rows[0]["待遇起始年月"] = dt.date(int(rows[0]["待遇起始年月"][:4]), int(rows[0]["待遇起始年月"][5:]), 1)
    roster_sheets(
        inbox,
        stale_code,
        {"上月": [["2020年12月 花名册"], *sheet_rows(old)], "本月": sheet_rows(rows)},
        states={"上月": "hidden"},
    )
    synonym = inbox.files[synonym_code]
    text = synonym.read_bytes().decode("utf-8").split("\r\n")
    text = [text[0].replace("身份证号", "公民身份号码") + ",备注,序号"] + [
        f"{line},见附件,{n}" if line else line for n, line in enumerate(text[1:], start=1)
    ]
    synonym.write_text("\r\n".join(text), encoding="utf-8")
    mac = inbox.files[mac_code]
    lines = [line + ",,," for line in mac.read_bytes().decode("utf-8").split("\r\n") if line]
    mac.write_bytes("\r".join(lines).encode("utf-8") + b"\r")

    err_code, err = run_month(capsys, inbox.root, out_dir)
    assert err_code == 0, err
    roster = pd.read_parquet(out_dir / MONTH / "state" / "roster.parquet").set_index("id_number")
    first = inbox.rosters[stale_code][0]
    assert roster.at[first["id_number"], "account_number"] == first["account_number"]
    assert roster.at[first["id_number"], "benefit_start"] == first["benefit_start"]
    for code in (synonym_code, mac_code):
        assert set(roster.index) >= {r["id_number"] for r in inbox.rosters[code]}
    summary = json.loads((out_dir / MONTH / "summary.json").read_text(encoding="utf-8"))
    assert summary["rows"]["reconciles"]
    assert summary["rows"]["per_kind"]["rosters"]["rejected"] == 0
