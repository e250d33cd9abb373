"""Golden people of the personal accounts across corrections (SPEC §5a), run through the real
monthly pipeline from 2021-11 (this county's opening month) to 2022-02, every fen worked out by hand:
an ID corrected after its account was opened, two accounts of one person merged by a correction,
a contribution row corrected in a later file, and one withdrawn from it.

Policy as the real one except the opening month, 2021-11 (opening balances as of then, held on
1 January 2021). Interest 2021 (made-up sample rate 0.015) is credited at the December close on
the balance held on 1 January 2021, the opening balance. Divisor 139. The contributions file of a
year is read afresh by every run: the fixture writes it as it stands at each month's run. An
account row is (run_month, period, component, amount_fen).
"""

from __future__ import annotations

import hashlib

import pytest

from tests.support.scenario import Person, Scenario, id_correction, policy_text

MONTHS = ["2021-11", "2021-12", "2022-01", "2022-02"]
BASE = 39200

# registered with the wrong birth day; corrected in December; 60 in 2022-01: awarded then
SUN_OLD = Person("孙改号", "1962-01-18", "M", 31, {"account_pension": "48.27"})
SUN = Person("孙改号", "1962-01-08", "M", 31, {"account_pension": "48.27"})
# the previous system kept an account under each of her IDs; the December correction merges them
QIAN_OLD = Person("钱双户", "1970-05-15", "F", 32, {"status": "缴费", "benefit_start": ""})
QIAN = Person("钱双户", "1970-05-05", "F", 32, {"status": "缴费", "benefit_start": ""})
ZHOU = Person("周改额", "1962-02-02", "M", 33, {"account_pension": "25.68"})  # 60 in 2022-02
WU = Person("吴撤回", "1975-03-03", "F", 34, {"status": "缴费", "benefit_start": ""})

OPENING = [(SUN_OLD, "6000.00"), (QIAN_OLD, "1000.30"), (QIAN, "500.30"), (ZHOU, "2000.00"), (WU, "800.00")]


def contribution(person: Person, year: int, tier: int, personal: str, paid_on: str) -> dict:
    return {"身份证号": person.id, "年度": str(year), "档次": str(tier), "个人缴费": personal, "政府补贴": "120.00",
            "缴费日期": paid_on}  # fmt: skip


def contributions_for(month: str) -> dict[int, list[dict]]:
    """Each year's contributions file as it stands at `month`'s run."""
    sun = SUN_OLD if month < "2022-02" else SUN  # the clerk refiles his row under his new ID in February
    zhou = "500.00" if month < "2021-12" else "300.00"  # corrected in December's file
    files = {
        2021: [
            contribution(sun, 2021, 5, "500.00", "2021-11-15"),
            contribution(ZHOU, 2021, 5 if month < "2021-12" else 3, zhou, "2021-11-10"),
        ]
    }
    if month < "2022-01":  # withdrawn from January's file
        files[2021].append(contribution(WU, 2021, 2, "200.00", "2021-11-20"))
    if month >= "2022-01":
        files[2022] = [contribution(ZHOU, 2022, 8, "1000.00", "2022-01-20")]
    return files


def roster_for(month: str) -> list[dict]:
    contributor = {"status": "缴费", "benefit_start": ""}
    if month < "2021-12":
        rows = [SUN_OLD.row(**contributor), QIAN_OLD.row()]
    else:
        rows = [SUN.row(**contributor) if month < "2022-01" else SUN.row(benefit_start="2022-01"), QIAN.row()]
    rows.append(ZHOU.row(**contributor) if month < "2022-02" else ZHOU.row(benefit_start="2022-02"))
    rows.append(WU.row())
    return rows


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Scenario:
    policy = policy_text().replace('opening_month = "2021-01"', 'opening_month = "2021-11"')
    scenario = Scenario(tmp_path_factory.mktemp("account-corrections"), policy)
    scenario.opening_balances(OPENING, "2021-11")
    scenario.closed_hashes = {}
    for month in MONTHS:
        for year, rows in contributions_for(month).items():
            scenario.contributions(year, rows)
        scenario.roster(month, roster_for(month))
        if month == "2021-12":
            corrections = [id_correction(SUN_OLD, SUN, "2021-12-03"), id_correction(QIAN_OLD, QIAN, "2021-12-03")]
            scenario.id_corrections(month, corrections)
        scenario.run(month)
        if month == "2021-11":
            scenario.closed_hashes = closed_files(scenario, month)
    return scenario


def closed_files(county: Scenario, month: str) -> dict[str, str]:
    state = county.out.state(month)
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(state.glob("account*.parquet"))}


def paid(months: list[str], account_fen: int) -> list[tuple]:
    rows = [(m, m, "base", "payment", "current", "bank", BASE) for m in months]
    return sorted(rows + [(m, m, "account", "payment", "current", "bank", account_fen) for m in months])


def test_an_account_opened_under_a_wrong_id_is_the_corrected_persons(county):
    # the entries booked before the correction keep the old ID; from December on, the new one:
    # interest on the 1 January balance (the opening 600,000 x 0.015 = 9,000) and the debits
    assert county.account_entries_of(SUN_OLD) == [
        ("2021-11", "2021-11", "contribution", 50000),
        ("2021-11", "2021-11", "opening", 600000),
        ("2021-11", "2021-11", "subsidy", 12000),
    ]
    assert county.account_entries_of(SUN) == [
        ("2021-12", "2021-12", "interest", 9000),
        ("2022-01", "2022-01", "pension_debit", -4827),
        ("2022-02", "2022-02", "pension_debit", -4827),
    ]


def test_the_award_after_an_id_correction_divides_both_ids_entries(county):
    # 600,000 + 50,000 + 12,000 (under the old ID) + 9,000 interest = 671,000; ÷ 139 = 4827.34
    assert county.awards(MONTHS[-1])[SUN.id] == ("2022-01", "computed", 671000, 139, 4827)
    assert county.entries_of(SUN) == paid(["2022-01", "2022-02"], 4827)
    assert county.entries_of(SUN_OLD) == []


def test_the_months_summary_counts_an_account_under_two_ids_as_one(county):
    # under the new ID alone February's balance is 9,000 - 2 x 4,827 = -654: not exhausted, and
    # nothing paid by the fund, for the person still holds 671,000 - 9,654 = 661,346
    february = county.summary("2022-02")["accounts"]
    assert (february["accounts_exhausted"], february["fund_paid_fen"]) == (0, 0)


def test_a_row_refiled_under_the_corrected_id_books_nothing(county):
    # February's file names him by his new ID: the same contribution of the same person and year
    february = county.account_ledger().query("run_month == '2022-02'")
    assert february["component"].tolist() == ["pension_debit", "pension_debit"]  # SUN's and ZHOU's


def test_two_accounts_merged_by_a_correction_earn_one_interest_on_their_sum(county):
    # (100,030 + 50,030) x 0.015 = 2250.9 -> 2251 for the person; the IDs apart would round to
    # 1500.45 -> 1500 and 750.45 -> 750, a fen less
    assert county.account_entries_of(QIAN_OLD) == [("2021-11", "2021-11", "opening", 100030)]
    assert county.account_entries_of(QIAN) == [
        ("2021-11", "2021-11", "opening", 50030),
        ("2021-12", "2021-12", "interest", 2251),
    ]


def test_a_contribution_corrected_in_a_later_file_changes_the_account_from_that_run(county):
    # November credits 500.00 + 120.00; December's file says 300.00: -20,000 in December, naming
    # the row that changed; the subsidy, unchanged, is not touched. Interest on the 1 January
    # balance only (200,000 x 0.015 = 3,000). January credits 2022's 1000.00 + 120.00.
    assert county.account_entries_of(ZHOU) == [
        ("2021-11", "2021-11", "contribution", 50000),
        ("2021-11", "2021-11", "opening", 200000),
        ("2021-11", "2021-11", "subsidy", 12000),
        ("2021-12", "2021-12", "contribution", -20000),
        ("2021-12", "2021-12", "interest", 3000),
        ("2022-01", "2022-01", "contribution", 100000),
        ("2022-01", "2022-01", "subsidy", 12000),
        ("2022-02", "2022-02", "pension_debit", -2568),
    ]
    every = county.account_ledger()
    correcting = every[(every["id_number"] == ZHOU.id) & (every["run_month"] == "2021-12")]
    correcting = correcting[correcting["component"] == "contribution"]
    assert correcting[["year", "source_file", "source_row"]].values.tolist() == [[2021, "contributions/2021.csv", 3]]


def test_the_award_counts_the_corrected_contribution(county):
    # 200,000 + 50,000 + 12,000 - 20,000 + 3,000 + 100,000 + 12,000 = 357,000; ÷ 139 = 2568.35
    assert county.awards(MONTHS[-1])[ZHOU.id] == ("2022-02", "computed", 357000, 139, 2568)
    assert county.entries_of(ZHOU) == paid(["2022-02"], 2568)


def test_a_withdrawn_contribution_is_taken_back_in_the_run_that_no_longer_finds_it(county):
    # November credits 200.00 + 120.00; January's file no longer has the row: both taken back
    # then; December's interest was on the opening balance alone (80,000 x 0.015 = 1,200)
    assert county.account_entries_of(WU) == [
        ("2021-11", "2021-11", "contribution", 20000),
        ("2021-11", "2021-11", "opening", 80000),
        ("2021-11", "2021-11", "subsidy", 12000),
        ("2021-12", "2021-12", "interest", 1200),
        ("2022-01", "2022-01", "contribution", -20000),
        ("2022-01", "2022-01", "subsidy", -12000),
    ]
    assert county.entries_of(WU) == []


def test_closed_months_never_change(county):
    assert closed_files(county, "2021-11") == county.closed_hashes
    assert set(county.closed_hashes) >= {"account_entries.parquet", "account_balances.parquet"}
