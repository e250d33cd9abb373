"""Bank lines that could not be paid as computed stop the run before anything is written."""

from __future__ import annotations

import pytest

from pipeline.paths import DEFAULT_POLICY
from tests.support.builders import write_policy
from tests.support.cli import assert_nothing_written, assert_stopped, payout


def run_with_policy(capsys, inbox, out, policy_text: str, tmp_path):
    policy = write_policy(tmp_path, policy_text)
    return payout(
        capsys,
        "run",
        "--month",
        inbox.month,
        "--inbox",
        str(inbox.root),
        "--out",
        str(out),
        "--policy",
        str(policy),
        "--quiet",
    )


def test_a_line_above_the_limit_stops_naming_the_line_masked(inbox, out_dir, tmp_path, capsys):
    # every pensioner gets 392 + 5 + 12.50 yuan: a limit of 400 yuan catches every line
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        "max_bank_line_fen = 5000000", "max_bank_line_fen = 40000"
    )
    code, err = run_with_policy(capsys, inbox, out_dir, text, tmp_path)
    first = inbox.rosters["320281001"][0]["id_number"]
    assert_stopped(
        code,
        err,
        "exceed the plausibility limit of 400.00 yuan",
        "JRCB pension line",
        "409.50 yuan",
        f"{first[:6]}********{first[-4:]}",
        "max_bank_line_fen",
    )
    assert first not in err
    assert_nothing_written(out_dir)


@pytest.mark.parametrize("encoding", ["gbk", "gb2312"])
def test_a_payee_name_the_banks_encoding_cannot_hold_stops(encoding, inbox, out_dir, tmp_path, policy, capsys):
    code = policy.rostering_townships[2]
    rows = [dict(r) for r in inbox.rosters[code]]
    rows[3]["name"] = "刘䶮"  # U+4DAE: in GB18030, not in GBK
    inbox.rewrite_roster(code, rows)
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace(
        'name = "江阴农商银行"\nencoding = "gb18030"', f'name = "江阴农商银行"\nencoding = "{encoding}"'
    )
    err_code, err = run_with_policy(capsys, inbox, out_dir, text, tmp_path)
    assert_stopped(err_code, err, "1 payee name(s) cannot be written in their bank's encoding", "'刘䶮'", encoding)
    assert_nothing_written(out_dir)


def test_the_same_name_is_paid_under_gb18030(inbox, out_dir, policy, capsys):
    code = policy.rostering_townships[2]
    rows = [dict(r) for r in inbox.rosters[code]]
    rows[3]["name"] = "刘䶮"
    inbox.rewrite_roster(code, rows)
    err_code, err = payout(
        capsys, "run", "--month", inbox.month, "--inbox", str(inbox.root), "--out", str(out_dir), "--quiet"
    )
    assert err_code == 0, err
    bank = (out_dir / inbox.month / "bank" / f"JRCB_{inbox.month}_pension.csv").read_bytes().decode("gb18030")
    assert "刘䶮" in bank
