"""tools.synth with accounts=True: the personal accounts' inputs (SPEC §5a) are deterministic, all
accepted, and agree with the rosters; the named account cases' expected figures agree with the
policy's divisor and rate."""

from __future__ import annotations

import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.months import month_range
from pipeline.ingest.inputs import read_files
from pipeline.paths import DEFAULT_POLICY, REPO
from pipeline.policy import load_policy
from pipeline.validate.contributions import validate_contributions
from pipeline.validate.opening_balances import validate_opening_balances
from tools.synth.generator import synthesize_inbox

YEAR = month_range("2021-01", "2021-12")
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="module")
def policy():
    return load_policy(DEFAULT_POLICY)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, policy) -> Path:
    root = tmp_path_factory.mktemp("accounts")
    synthesize_inbox(root, policy=policy, people=2000, months=YEAR, formats="csv", accounts=True)
    return root


def csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(path.read_bytes().decode("utf-8-sig")), dtype=str, keep_default_na=False)


def fen(text: pd.Series) -> pd.Series:
    return text.map(lambda t: int(Decimal(t) * 100))


def roster(root: Path, month: str) -> pd.DataFrame:
    return pd.concat([csv(p) for p in sorted((root / month / "rosters").iterdir())], ignore_index=True)


def test_same_seed_same_account_bytes_and_none_without_accounts(tmp_path, policy):
    months = ["2021-01", "2021-02"]
    a = synthesize_inbox(tmp_path / "a", policy=policy, people=300, months=months, accounts=True)
    b = synthesize_inbox(tmp_path / "b", policy=policy, people=300, months=months, accounts=True)
    assert a.files == b.files and a.opening_rows == b.opening_rows > 200
    for name in ("accounts/opening.csv", "contributions/2020.csv", "contributions/2021.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    plain = synthesize_inbox(tmp_path / "c", policy=policy, people=300, months=months)
    assert not (tmp_path / "c" / "accounts").exists() and not (tmp_path / "c" / "contributions" / "2020.csv").exists()
    assert plain.opening_rows == 0
    # the accounts' inputs leave every other file as it was
    assert (tmp_path / "c" / "contributions" / "2021.csv").read_bytes() == (
        tmp_path / "a" / "contributions" / "2021.csv"
    ).read_bytes()
    for path in sorted((tmp_path / "c" / "2021-02" / "rosters").iterdir()):
        assert path.read_bytes() == (tmp_path / "a" / "2021-02" / "rosters" / path.name).read_bytes()


def test_every_opening_balance_and_2020_contribution_is_accepted(inbox, policy):
    raw = read_files([inbox / "accounts" / "opening.csv"], "opening_balances", inbox, headers=policy.header_rules)
    result = validate_opening_balances(raw, opening_month=policy.opening_month)
    assert len(result.rejects) == 0 and len(result.accepted) == len(raw) > 1500
    raw = read_files([inbox / "contributions" / "2020.csv"], "contributions", inbox, headers=policy.header_rules)
    result = validate_contributions(raw, year=2020, tiers=policy.contribution_tiers)
    assert len(result.rejects) == 0 and len(result.accepted) > 100
    paid_on = result.accepted["paid_on"]
    assert paid_on.min() >= pd.Timestamp("2020-10-01") and paid_on.max() <= pd.Timestamp("2020-12-31")


def test_opening_balances_agree_with_the_rosters(inbox, policy):
    """Pensioners of the previous system: what is left of 139 months of their account pension;
    people awarded in the year: 139 months of the account pension their roster will show (so the
    award computed from the balance equals it); contributors: at least their 2020 payment; nobody
    who joined after the first month; nobody whose account pension is empty."""
    divisor = policy.divisor_in(policy.opening_month)
    opening = csv(inbox / "accounts" / "opening.csv").set_index("身份证号")["账户余额"]
    balance = fen(opening)
    assert (csv(inbox / "accounts" / "opening.csv")["余额年月"] == "2021-01").all()
    january = roster(inbox, "2021-01").set_index("身份证号")
    assert set(balance.index) <= set(january.index)
    receiving = january[january["参保状态"] == "领取"]
    with_pension = receiving[receiving["个人账户养老金"] != ""]
    assert set(receiving.index.difference(with_pension.index)).isdisjoint(balance.index)
    months_paid = with_pension["待遇起始年月"].map(lambda m: len(month_range(m, "2021-01")) - 1)
    expected = fen(with_pension["个人账户养老金"]) * (divisor - months_paid).clip(lower=0)
    assert balance[with_pension.index].tolist() == expected.tolist()

    contributors = january[january["参保状态"] == "缴费"]
    awarded = {}
    for month in YEAR[1:]:
        frame = roster(inbox, month).set_index("身份证号")
        new = frame[(frame["参保状态"] == "领取") & frame.index.isin(contributors.index)]
        for pid, pension in new["个人账户养老金"].items():
            awarded.setdefault(pid, pension)
    assert len(awarded) >= 3  # seed 2021, 2000 people: three contributors reach pension age in 2021
    for pid, pension in awarded.items():
        if pension == "":
            assert pid not in balance.index
        else:
            assert balance[pid] == int(Decimal(pension) * 100) * divisor, pid

    paid_2020 = csv(inbox / "contributions" / "2020.csv").set_index("身份证号")
    paid_2020_fen = fen(paid_2020["个人缴费"]) + fen(paid_2020["政府补贴"])
    assert set(paid_2020.index) <= set(january.index)
    savers = paid_2020_fen.index.difference(list(awarded)).difference(receiving.index)
    assert len(savers) > 100
    assert (balance[savers] >= paid_2020_fen[savers]).all()


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_the_named_account_cases_figures_follow_the_policy(policy):
    """The expected figures written in each account case (its `account` facts, in the sample's
    edge_cases.json) recomputed from its opening balance with the policy's divisor and rate."""
    catalogue = json.loads((SAMPLE / "edge_cases.json").read_text(encoding="utf-8"))
    rate = Decimal(policy.interest_rate(2021))
    cases = {key: e for key, e in catalogue.items() if "account" in e}
    assert sorted(cases) == [
        "account_award",
        "account_exhausted",
        "account_mismatch",
        "account_refund",
        "contribution_corrected",
    ]
    for key, e in cases.items():
        facts, opening = e["account"], int(Decimal(e["opening_yuan"]) * 100)
        if "award_month" in facts:
            assert facts["account_pension_fen"] == half_up(Decimal(opening) / policy.divisor_in(facts["award_month"]))
            months = len(month_range(facts["award_month"], "2021-12"))
            assert facts["debited_2021_fen"] == months * facts["account_pension_fen"], key
        interest = 0 if "refund_fen" in facts else half_up(opening * rate)
        assert facts["interest_2021_fen"] == interest, key
        credited = facts.get("contribution_2021_fen", 0) + facts.get("subsidy_2021_fen", 0)
        left = opening + credited + interest - facts.get("debited_2021_fen", 0) - facts.get("refund_fen", 0)
        assert facts["balance_2021_12_fen"] == left, key
    exhausted = cases["account_exhausted"]["account"]
    assert exhausted["fund_paid_2021_fen"] == -exhausted["balance_2021_12_fen"]
    refund = cases["account_refund"]
    assert refund["account"]["refund_fen"] == 800000 - refund["account"]["debited_2021_fen"]
    mismatch = cases["account_mismatch"]["account"]
    assert mismatch["roster_account_pension_fen"] != mismatch["account_pension_fen"]
