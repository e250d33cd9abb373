"""The personal accounts' figures of a year (pipeline/indicators/accounts.py) and the declaration's
subsidy line counted from the accounts, on a hand-built output folder of two run months
(2021-01, 2021-02: the audit tests' folder) with these accounts, in fen:

- 安 ANN, pensioner: opening 1,000,000, debited 7,194 in Jan and Feb, interest 15,000 -> 1,000,612.
- 博 BO, pensioner: opening 10,000, debited 12,000 in Jan and Feb -> -14,000: exhausted in the year,
  the fund paid 14,000 of his account pension.
- 伊 EVE, pensioner who died: opening 8,000, debited 1,000 in Jan, the 7,000 left refunded in Feb
  (a refunded account is closed, not exhausted).
- Contributors (subsidy 12,000 each): CON1 (born 1975) paid 600.00 in Jan, corrected to 500.00 in Feb;
  CON2 (a man born 1962-05-05: 60 in May 2022) paid 400.00 in Feb; CON3 (born 1976) paid 300.00 in
  Jan and died 2021-02-10; CON4 (born 1977) paid 300.00 in Jan, withdrawn in Feb (net 0).

Subsidy credited: 4 x 12,000 - 12,000 = 36,000 to 3 accounts (CON4's nets to 0); contributions
60,000 - 10,000 + 40,000 + 30,000 + 30,000 - 30,000 = 120,000. Next year's subsidy line counts
CON1 only: CON2 reaches pension age in 2022, CON3 is dead, CON4's account has no subsidy.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline.core.idcard import with_checksum
from pipeline.emit.files import write_parquet
from pipeline.indicators.accounts import account_figures, contributions_by_tier
from pipeline.indicators.declaration import declaration_markdown, project
from pipeline.indicators.measure import YearData, connect_year, declaration_counts
from pipeline.policy import load_policy
from schemas.contribution import Contribution
from schemas.empty import empty_frame
from tests.audit.test_account_views import account
from tests.audit.test_views import ANN, BO, build

EVE = with_checksum("32028119480808002")
CON1 = with_checksum("32028119750101002")
CON2 = with_checksum("32028119620505003")
CON3 = with_checksum("32028119760303004")
CON4 = with_checksum("32028119770404006")
POLICY = load_policy(Path(__file__).resolve().parents[2] / "config" / "policy.toml")

ACCOUNTS = {
    "2021-01": [
        account("2021-01", ANN, "opening", 1_000_000, row=2),
        account("2021-01", ANN, "pension_debit", -7194),
        account("2021-01", BO, "opening", 10_000, row=3),
        account("2021-01", BO, "pension_debit", -12_000),
        account("2021-01", EVE, "opening", 8_000, row=4),
        account("2021-01", EVE, "pension_debit", -1_000),
        account("2021-01", CON1, "contribution", 60_000, year=2021, row=2),
        account("2021-01", CON1, "subsidy", 12_000, year=2021, row=2),
        account("2021-01", CON3, "contribution", 30_000, year=2021, row=4),
        account("2021-01", CON3, "subsidy", 12_000, year=2021, row=4),
        account("2021-01", CON4, "contribution", 30_000, year=2021, row=5),
        account("2021-01", CON4, "subsidy", 12_000, year=2021, row=5),
    ],
    "2021-02": [
        account("2021-02", ANN, "interest", 15_000, year=2021),
        account("2021-02", ANN, "pension_debit", -7194),
        account("2021-02", BO, "pension_debit", -12_000),
        account("2021-02", EVE, "refund", -7_000),
        account("2021-02", CON1, "contribution", -10_000, year=2021, row=2),
        account("2021-02", CON2, "contribution", 40_000, year=2021, row=3),
        account("2021-02", CON2, "subsidy", 12_000, year=2021, row=3),
        account("2021-02", CON4, "contribution", -30_000, year=2021),
        account("2021-02", CON4, "subsidy", -12_000, year=2021),
    ],
}

# the year's contributions file: CON2 pays tier 2, then tops up to tier 5 in a later row
CONTRIBUTIONS = [
    (CON1, 4, 60_000, 12_000, "2021-10-10", 2),
    (CON2, 2, 40_000, 12_000, "2021-10-12", 3),
    (CON2, 5, 40_000, 0, "2021-11-20", 6),
    (CON3, 1, 30_000, 12_000, "2021-10-01", 4),
    (CON4, 8, 200_000, 12_000, "2021-12-01", 5),
]


def roster_rows(month: str) -> pd.DataFrame:
    people = [
        (CON1, "F", "1975-01-01"),
        (CON2, "M", "1962-05-05"),
        (CON3, "F", "1976-03-03"),
        (CON4, "F", "1977-04-04"),
    ]
    return pd.DataFrame(
        {
            "id_number": [p[0] for p in people],
            "sex": [p[1] for p in people],
            "birth_date": pd.to_datetime([p[2] for p in people]),
            "township_code": "320281001",
            "hukou_local": True,
            "status": "contributing",
            "run_month": month,
        }
    )


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    root = tmp_path_factory.mktemp("accounts")
    out = build(root, accounts=ACCOUNTS, deaths=[{"id_number": CON3, "death_date": pd.Timestamp("2021-02-10")}])
    for month in ACCOUNTS:
        write_parquet(roster_rows(month), out.state(month) / "roster.parquet")
    contributions = Contribution.validate(
        pd.DataFrame(
            CONTRIBUTIONS, columns=["id_number", "tier", "personal_fen", "subsidy_fen", "paid_on", "source_row"]
        ).assign(year=2021, paid_on=lambda d: pd.to_datetime(d["paid_on"]), source_file="contributions/2021.csv")[
            list(Contribution.to_schema().columns)
        ]
    )
    data = YearData(2021, contributions, empty_frame(Contribution), empty_frame(Contribution))
    with connect_year(out, data, POLICY) as con:
        yield con


def test_the_years_account_figures(con):
    figures = account_figures(con, {"contribution_subsidy_wan": 300})
    line = figures.pop("subsidy_line")
    assert figures == {
        "subsidy_credited_fen": 36_000,
        "subsidy_accounts": 3,
        "contributions_credited_fen": 120_000,
        "interest_fen": 15_000,
        "accounts_paid": 3,  # ANN, BO, EVE
        "accounts_exhausted": 1,  # BO; EVE's account is closed by its refund
        "exhausted_in_year": 1,
        "fund_paid_fen": 14_000,
        "refunds": 1,
        "refunds_fen": 7_000,
    }
    # 36,000 fen = 0.036 万元 -> 0.04; 36,000 / (300 x 1,000,000 fen) = 0.00012 -> 0.0001
    assert line == {
        "declared_wan": Decimal(300),
        "credited_fen": 36_000,
        "credited_wan": Decimal("0.04"),
        "difference_wan": Decimal("-299.96"),
        "execution_rate": 0.0001,
    }


def test_the_subsidy_line_without_a_declaration(con):
    line = account_figures(con, None)["subsidy_line"]
    assert line["declared_wan"] is None and line["difference_wan"] is None and line["execution_rate"] is None
    assert line["credited_fen"] == 36_000


def test_contributions_by_tier_count_a_person_once_under_their_latest_row(con):
    tiers = contributions_by_tier(con)
    assert tiers["tier"].tolist() == list(range(1, POLICY.contribution_tiers + 1))
    got = {r.tier: (r.contributors, r.personal_fen, r.subsidy_fen) for r in tiers.itertuples() if r.contributors}
    assert got == {1: (1, 30_000, 12_000), 4: (1, 60_000, 12_000), 5: (1, 80_000, 12_000), 8: (1, 200_000, 12_000)}
    assert tiers["contributors"].sum() == 4


def test_next_years_subsidy_line_counts_the_accounts(con):
    counts = declaration_counts(con)
    assert counts["subsidy_accounts_next"] == 1  # CON1
    assert counts["contributors_next"] == 2  # CON1, CON4 on the last roster, alive, under pension age
    p = project(counts, year=2021, policy=POLICY, continuation=1.0, zone_share=0.0, central_subsidy_wan=0)
    assert p["inputs"]["contributors_basis"] == "accounts"
    assert p["counts"]["contributors"] == 1
    assert p["money_fen"]["contribution_subsidy"] == 12_000
    text = declaration_markdown(p)
    assert "缴费人数1人*120元/人=0.01万元" in text  # 12,000 fen = 0.012 万元
    assert "1 personal accounts credited a subsidy in 2021" in text


def test_without_subsidy_credited_the_line_counts_the_roster_and_says_so(con):
    counts = {**declaration_counts(con), "subsidy_accounts_next": 0}
    p = project(counts, year=2021, policy=POLICY, continuation=0.5, zone_share=0.0, central_subsidy_wan=0)
    assert p["inputs"]["contributors_basis"] == "roster"
    assert p["counts"]["contributors"] == 1  # 2 roster contributors x 0.5
    assert "none of whom has an account credited a subsidy in 2021" in declaration_markdown(p)
