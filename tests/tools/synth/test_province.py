"""A province of several counties: a valid policy, and an inbox with every county's rosters."""

from __future__ import annotations

import pytest

from pipeline.ingest.inputs import read_month
from pipeline.paths import Inbox
from pipeline.policy import load_policy
from tests.support.builders import write_policy
from tools.cli import main as payout_dev
from tools.synth.generator import synthesize_inbox
from tools.synth.province import province_policy_text


def test_each_extra_county_repeats_every_township_under_its_code(tmp_path):
    base = load_policy(write_policy(tmp_path / "one", province_policy_text(1)))
    province = load_policy(write_policy(tmp_path / "three", province_policy_text(3)))
    assert base.county_codes == ["320281"]
    assert province.county_codes == ["320281", "320282", "320283"]
    per_county = province.townships.groupby("county")["code"].apply(lambda codes: sorted(c[6:] for c in codes))
    assert per_county["320282"] == per_county["320283"] == sorted(c[6:] for c in base.township_codes)
    assert len(province.rostering_townships) == 3 * len(base.rostering_townships)
    assert province.township_name("320283001") == base.township_name("320281001") + "2"


def test_a_province_of_no_county_is_refused():
    with pytest.raises(ValueError, match="at least one county"):
        province_policy_text(0)


def test_the_generator_writes_a_roster_for_every_county(tmp_path):
    policy = load_policy(write_policy(tmp_path / "policy", province_policy_text(2)))
    synthesize_inbox(tmp_path / "inbox", policy=policy, seed=7, people=400, months=["2021-01"], formats="csv")
    raw = read_month(Inbox(tmp_path / "inbox"), "2021-01")
    counties = set(raw.rosters["township_code"].str[:6])
    assert counties == {"320281", "320282"}


def test_payout_dev_writes_the_province_policy(tmp_path, capsys):
    assert payout_dev(["province-policy", "--to", str(tmp_path), "--counties", "2"]) == 0
    assert load_policy(tmp_path / "policy.toml").county_codes == ["320281", "320282"]
    assert "2 counties" in capsys.readouterr().out
