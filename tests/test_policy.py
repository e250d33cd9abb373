"""The policy file validated as a whole before anything runs: every mistake an operator editing
it will sooner or later make is a stop (exit 2, no traceback) naming the key and its line."""

from __future__ import annotations

import re

import pytest

from pipeline.cli import EXIT_STOPPED, main
from pipeline.paths import DEFAULT_POLICY
from pipeline.policy import PolicyError, load_policy
from tests.support.builders import MONTH, write_policy

REAL = DEFAULT_POLICY.read_text(encoding="utf-8")


def edited(old: str, new: str, count: int = 1) -> str:
    assert old in REAL, old
    return REAL.replace(old, new, count)


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


SECOND_TOWNSHIP = '[[townships]]\ncode = "320281004"'
# (case, policy text, what the stop must name)
MISTAKES = [
    ("month without leading zero", edited('from = "2021-01"', 'from = "2021-1"'), ["rates[1].from", "YYYY-MM"]),
    (
        "opening month in Chinese",
        edited('opening_month = "2021-01"', 'opening_month = "2021年1月"'),
        ["run.opening_month", "YYYY-MM"],
    ),
    (
        "threshold as percent text",
        edited("roster_reject_threshold = 0.10", 'roster_reject_threshold = "10%"'),
        ["run.roster_reject_threshold", "a number"],
    ),
    (
        "threshold as a whole number",
        edited("roster_reject_threshold = 0.10", "roster_reject_threshold = 10"),
        ["run.roster_reject_threshold", "less than 1"],
    ),
    (
        "township listed twice",
        REAL + '\n[[townships]]\ncode = "320281001"\nname = "澄江街道"\nfunding = "split"\nsubmits_roster = true\n',
        ['code = "320281001" more than once'],
    ),
    (
        "county listed twice",
        edited("[[counties]]", '[[counties]]\ncode = "320281"\nname = "江阴市"\n\n[[counties]]'),
        ['[[counties]] lists code = "320281" more than once'],
    ),
    (
        "township outside every county",
        edited('code = "320281404"', 'code = "320282404"'),
        ['[[townships]] code = "320282404" begins with no [[counties]] code', 'code = "320282"'],
    ),
    (
        "county without a township",
        edited("[[counties]]", '[[counties]]\ncode = "320282"\nname = "宜兴市"\n\n[[counties]]'),
        ['[[counties]] code = "320282" has no township'],
    ),
    ("county code of 9 digits", edited('code = "320281"\n', 'code = "320281001"\n'), ["counties[0].code"]),
    (
        "encoding that does not exist",
        edited('encoding = "utf-8"', 'encoding = "utf8-bom"'),
        ["banks[3].encoding", "'utf8-bom' is not a text encoding"],
    ),
    (
        "funding value unknown",
        edited('funding = "split"', 'funding = "half"'),
        ["townships[0].funding", "'self' or 'split'"],
    ),
    (
        "boolean as text",
        edited("submits_roster = true", 'submits_roster = "false"'),
        ["townships[0].submits_roster", "true or false"],
    ),
    (
        "a typo in a key",
        edited("roster_reject_threshold = 0.10", "roster_reject_treshold = 0.10"),
        ["run.roster_reject_treshold", "not a setting"],
    ),
    (
        "no rate in force in the opening month",
        edited('from = "2020-01"\nbase_fen', 'from = "2021-06"\nbase_fen').replace(
            'from = "2021-01"\nbase_fen = 39200', 'from = "2021-07"\nbase_fen = 39200'
        ),
        ["no [[rates]] row is in force in the opening month 2021-01"],
    ),
    ("negative rate", edited("base_fen = 39200", "base_fen = -39200"), ["rates[1].base_fen", "greater than or equal"]),
    (
        "interest rate as a percentage",
        edited("rate = 0.015", "rate = 1.5"),
        ["account_interest[0].rate", "less than 1"],
    ),
    (
        "interest rate as text",
        edited("rate = 0.015", 'rate = "1.5%"'),
        ["account_interest[0].rate", "a number"],
    ),
    (
        "interest rate with more places than the SQL keeps",
        edited("rate = 0.015", "rate = 0.0150000001"),
        ["account_interest[0]", "more than 8 decimal places"],
    ),
    (
        "interest year twice",
        edited(
            "[[account_interest]]\nyear = 2021",
            '[[account_interest]]\nyear = 2021\nrate = 0.01\nsource = "x"\n\n[[account_interest]]\nyear = 2021',
        ),
        ['year = "2021" more than once'],
    ),
    (
        "no divisor in force in the opening month",
        edited('from = "2014-01"\nmonths = 139', 'from = "2021-06"\nmonths = 139'),
        ["no [[account_divisor]] row is in force in the opening month 2021-01"],
    ),
    ("divisor zero", edited("months = 139", "months = 0"), ["account_divisor[0].months", "greater than or equal to 1"]),
    ("TOML syntax error", edited('opening_month = "2021-01"', 'opening_month = "2021-01'), ["not valid TOML", "line"]),
]


@pytest.mark.parametrize(("case", "text", "named"), MISTAKES, ids=[m[0] for m in MISTAKES])
def test_policy_mistake_stops_the_run_naming_the_key(case, text, named, tmp_path, inbox, capsys):
    policy = write_policy(tmp_path, text)
    out = tmp_path / "out"
    code = main(
        ["run", "--month", MONTH, "--inbox", str(inbox.root), "--out", str(out), "--policy", str(policy), "--quiet"]
    )
    err = capsys.readouterr().err
    assert code == EXIT_STOPPED, err
    assert err.startswith("Run stopped.") and "Traceback" not in err
    flat = re.sub(r"\s+", " ", err)
    for text_named in named:
        assert text_named in flat, f"{text_named!r} not in {flat!r}"
    assert not out.exists() or {p.name for p in out.iterdir()} <= {".lock"}


def test_the_stop_gives_the_line_of_the_key(tmp_path):
    text = edited('funding = "self"', 'funding = "whole"')
    policy = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as stop:
        load_policy(policy)
    line = line_of(text, 'funding = "whole"')
    assert f"line {line}, townships[16].funding = 'whole'" in str(stop.value)


def test_a_file_saved_as_gbk_is_refused_as_not_utf8(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_bytes(REAL.encode("gbk", errors="replace"))
    with pytest.raises(PolicyError, match="not UTF-8 text.*must be UTF-8"):
        load_policy(policy)


def test_every_problem_is_listed_at_once(tmp_path):
    text = edited('funding = "split"', 'funding = "half"').replace("male = 60", 'male = "60"')
    policy = write_policy(tmp_path, text)
    with pytest.raises(PolicyError, match=r"2 problem\(s\).*pension_age.male.*townships\[0\].funding"):
        load_policy(policy)


def test_a_bank_without_encoding_gets_gb18030(tmp_path):
    policy = write_policy(tmp_path, edited('name = "中国银行"\nencoding = "utf-8"', 'name = "中国银行"'))
    assert load_policy(policy).bank_encoding("BOC") == "gb18030"


def test_the_sample_policy_is_valid(policy):
    assert policy.rate_in("2021-03")["base_fen"] == 39200
    assert policy.limits_in("2021-03")["max_bank_line_fen"] == 5_000_000
    assert policy.bank_encoding("BOC") == "utf-8"
    assert policy.county_codes == ["320281"]  # Jiangyin is one county
    assert set(policy.townships["county"]) == {"320281"}


def test_a_month_before_every_rate_is_named(policy):
    with pytest.raises(PolicyError, match="no \\[\\[rates\\]\\] row .* in force in 2019-05"):
        policy.rate_in("2019-05")


def test_the_sample_accounts_policy(policy):
    assert policy.divisor_in("2021-04") == 139
    # the rate as written, never a binary float's expansion (0.015 is 0.01499999... in binary)
    assert policy.interest_rate(2021) == "0.015"
    assert "MADE-UP" in policy.account_interest["source"].iloc[0]


def test_a_divisor_row_holds_from_its_month(tmp_path):
    text = edited(
        'from = "2014-01"\nmonths = 139',
        'from = "2014-01"\nmonths = 139\nsource = "x"\n\n[[account_divisor]]\nfrom = "2021-07"\nmonths = 120',
    )
    policy = load_policy(write_policy(tmp_path, text))
    assert (policy.divisor_in("2021-06"), policy.divisor_in("2021-07"), policy.divisor_in("2030-01")) == (139, 120, 120)


def test_a_year_without_an_interest_rate_is_named(policy):
    with pytest.raises(PolicyError, match=r"interest rate of 2022.*close of 2022-12.*year = 2022"):
        policy.interest_rate(2022)


def test_each_township_belongs_to_the_county_its_code_begins_with(tmp_path):
    text = edited("[[counties]]", '[[counties]]\ncode = "320282"\nname = "宜兴市"\n\n[[counties]]').replace(
        'code = "320281404"', 'code = "320282404"'
    )
    policy = load_policy(write_policy(tmp_path, text))
    assert policy.county_codes == ["320281", "320282"]
    county = policy.townships.set_index("code")["county"]
    assert (county["320282404"], county["320281001"], county["320281400"]) == ("320282", "320281", "320281")
