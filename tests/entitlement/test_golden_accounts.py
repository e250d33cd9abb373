"""Golden people of the personal accounts (SPEC §5a), run through the real monthly pipeline from
2021-11 (this county's opening month) to 2022-02, with every fen worked out by hand.

Policy as the real one except: opening month 2021-11 (opening balances as of then, held on
1 January 2021), funeral grant 1 x base (39200) so that one month paid after death passes it.
Interest 2021 (made-up sample rate 0.015) is credited at the December close on the balance held on
1 January 2021: the opening balance. Divisor 139. A ledger row is (run_month, period, component,
kind, reason, settlement, amount_fen); an account row (run_month, period, component, amount_fen).
"""

from __future__ import annotations

import pytest

from pipeline.emit.funeral_grants import AMOUNTS as FUNERAL_AMOUNTS
from tests.support.scenario import Person, Scenario, policy_text

MONTHS = ["2021-11", "2021-12", "2022-01", "2022-02"]
BASE, TOPUP, GRANT = 39200, 500, 39200

GAO = Person("高晚领", "1962-01-08", "M", 21, {"account_pension": "77.48"})  # 60 in 2022-01: awarded then
MA = Person("马不符", "1966-12-03", "F", 22, {"account_pension": "20.00"})  # 55 in 2021-12; the clerk's 20.00
LIU = Person("刘耗尽", "1950-05-05", "M", 23, {"account_pension": "50.00"})  # previous system; runs out
ZHU = Person("朱身故", "1948-02-02", "F", 24, {"account_pension": "30.00"})  # dies 2022-01-10: refund
HE = Person("何迟亡", "1951-07-07", "M", 25, {"account_pension": "40.00"})  # dies 2021-11-20, registered late
LV = Person("吕终止", "1976-04-04", "F", 26, {"status": "缴费", "benefit_start": ""})  # leaves, never paid

OPENING = [(GAO, "10000.00"), (MA, "2000.00"), (LIU, "80.00"), (ZHU, "1000.00"), (HE, "3000.00"), (LV, "500.00")]


def roster_for(month: str) -> list[dict]:
    rows = [LIU.row()]
    rows.append(GAO.row(status="缴费", benefit_start="") if month < "2022-01" else GAO.row(benefit_start="2022-01"))
    rows.append(MA.row(status="缴费", benefit_start="") if month < "2021-12" else MA.row(benefit_start="2021-12"))
    if month <= "2022-01":
        rows.append(ZHU.row())
    if month <= "2021-12":
        rows.append(HE.row())
    rows.append(LV.row() if month < "2021-12" else LV.row(status="终止", end_month="2021-12"))
    return rows


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Scenario:
    text = policy_text().replace('opening_month = "2021-01"', 'opening_month = "2021-11"')
    scenario = Scenario(tmp_path_factory.mktemp("accounts"), text.replace("base_months = 6", "base_months = 1"))
    scenario.opening_balances(OPENING, "2021-11")
    scenario.contributions(
        2021,
        [{"身份证号": GAO.id, "年度": "2021", "档次": "5", "个人缴费": "500.00", "政府补贴": "120.00",
          "缴费日期": "2021-11-15"}],
    )  # fmt: skip
    for month in MONTHS:
        scenario.roster(month, roster_for(month))
        if month == "2022-01":
            scenario.deaths(month, [ZHU.death("2022-01-10", "2022-01-12"), HE.death("2021-11-20", "2022-01-05")])
        scenario.run(month)
    return scenario


def paid(person_months: list[str], *components: tuple[str, int]) -> list[tuple]:
    return [(m, m, c, "payment", "current", "bank", a) for m in person_months for c, a in components]


def test_an_award_in_a_later_month_divides_the_balance_with_the_interest_credited_before_it(county):
    # balance at award (2022-01): opening 1,000,000 + contribution 50,000 + subsidy 12,000 (Nov)
    # + interest 1,000,000 x 0.015 = 15,000 (Dec) = 1,077,000; ÷ 139 = 7748.20 -> 7748 fen
    assert county.awards("2022-02")[GAO.id] == ("2022-01", "computed", 1077000, 139, 7748)
    assert county.entries_of(GAO) == sorted(paid(MONTHS[2:], ("base", BASE), ("account", 7748)))
    assert county.account_entries_of(GAO) == [
        ("2021-11", "2021-11", "contribution", 50000),
        ("2021-11", "2021-11", "opening", 1000000),
        ("2021-11", "2021-11", "subsidy", 12000),
        ("2021-12", "2021-12", "interest", 15000),
        ("2022-01", "2022-01", "pension_debit", -7748),
        ("2022-02", "2022-02", "pension_debit", -7748),
    ]


def test_an_award_counts_the_credits_of_its_own_run(county):
    # awarded in December, whose run credits 200,000 x 0.015 = 3,000 of interest: 203,000 ÷ 139
    # = 1460.43 -> 1460 fen (the roster's 20.00 is not paid)
    assert county.awards("2022-02")[MA.id] == ("2021-12", "computed", 203000, 139, 1460)
    assert county.entries_of(MA) == sorted(paid(MONTHS[1:], ("base", BASE), ("account", 1460)))


def test_a_mismatched_roster_value_is_listed_for_its_township_and_the_computed_one_paid(county):
    for month in MONTHS[1:]:
        listed = county.output(month, "account_mismatches.csv")
        amounts = ["名册个人账户养老金 roster", "核定个人账户养老金 awarded", "差额 difference"]
        assert listed[["身份证号 id_number", *amounts]].values.tolist() == [[MA.id, "20.00", "14.60", "5.40"]]
        township = county.output(month, "account_mismatches/320281001_澄江街道_account_mismatches.csv")
        assert township["身份证号 id_number"].tolist() == [MA.id]
    assert county.output("2021-11", "account_mismatches.csv").empty  # nobody awarded differs yet
    # GAO's roster gives the computed 77.48: not listed
    assert GAO.id not in county.output("2022-01", "account_mismatches.csv")["身份证号 id_number"].tolist()


def test_people_paid_in_the_opening_month_keep_the_previous_systems_award(county):
    assert county.awards("2022-02")[LIU.id] == ("2021-11", "previous_system", 8000, None, 5000)
    assert county.entries_of(LIU) == sorted(paid(MONTHS, ("base", BASE), ("topup65", TOPUP), ("account", 5000)))


def test_an_account_that_runs_out_keeps_paying_and_the_fund_pays_beyond_it(county):
    # 8,000 opening + 120 interest (8,000 x 0.015) less 4 x 5,000 debited = -11,880
    assert county.account_entries_of(LIU) == [
        ("2021-11", "2021-11", "opening", 8000),
        ("2021-11", "2021-11", "pension_debit", -5000),
        ("2021-12", "2021-12", "interest", 120),
        ("2021-12", "2021-12", "pension_debit", -5000),
        ("2022-01", "2022-01", "pension_debit", -5000),
        ("2022-02", "2022-02", "pension_debit", -5000),
    ]
    # the only exhausted account: 8,000 - 5,000 + 120 - 5,000 = -1,880 after December
    assert [county.summary(m)["accounts"]["fund_paid_fen"] for m in MONTHS] == [0, 1880, 6880, 11880]
    assert [county.summary(m)["accounts"]["accounts_exhausted"] for m in MONTHS] == [0, 1, 1, 1]


def test_a_death_refunds_the_balance_left_with_the_grant(county):
    # before January: 100,000 - 3,000 (Nov) + 1,500 interest - 3,000 (Dec) = 95,500; January pays
    # its 3,000 in full (she died on the 10th): 95,500 - 3,000 = 92,500 left, refunded
    assert county.entries_of(ZHU) == sorted(
        paid(MONTHS[:3], ("base", BASE), ("topup65", TOPUP), ("account", 3000))
        + [
            ("2022-01", "2022-01", "funeral_grant", "payment", "current", "bank", GRANT),
            ("2022-01", "2022-01", "account_refund", "payment", "current", "bank", 92500),
        ]
    )
    assert county.account_entries_of(ZHU)[-2:] == [
        ("2022-01", "2022-01", "pension_debit", -3000),
        ("2022-01", "2022-01", "refund", -92500),
    ]
    assert sum(a for *_, a in county.account_entries_of(ZHU)) == 0
    funeral = county.bank_file("2022-01", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == ZHU.id, "金额"].tolist() == ["1317.00"]  # 392 + 925


def test_an_overpayment_after_death_is_set_off_against_the_grant_then_the_refund(county):
    # died 2021-11-20, registered in January: December's 39,200 + 500 + 4,000 = 43,700 recovered,
    # taken from the grant (39,200) and then 4,500 from the refund. Refund: 300,000 - 4,000 (Nov)
    # + 4,500 interest - 4,000 (Dec) = 296,500, plus December's 4,000 recovered = 300,500
    january = [
        ("2022-01", "2021-11", "funeral_grant", "payment", "arrears", "bank", GRANT),
        ("2022-01", "2021-11", "account_refund", "payment", "arrears", "bank", 300500),
        ("2022-01", "2021-12", "account", "recovery", "after_death", "set_off", -4000),
        ("2022-01", "2021-12", "base", "recovery", "after_death", "set_off", -BASE),
        ("2022-01", "2021-12", "topup65", "recovery", "after_death", "set_off", -TOPUP),
    ]
    assert county.entries_of(HE) == sorted(
        paid(MONTHS[:2], ("base", BASE), ("topup65", TOPUP), ("account", 4000)) + january
    )
    assert county.account_entries_of(HE)[-2:] == [
        ("2022-01", "2022-01", "pension_debit", 4000),  # December's account pension taken back
        ("2022-01", "2022-01", "refund", -300500),
    ]
    assert sum(a for *_, a in county.account_entries_of(HE)) == 0
    grants = county.output("2022-01", "funeral_grants.csv")
    row = grants[grants["身份证号 id_number"] == HE.id]
    assert row[list(FUNERAL_AMOUNTS)].values.tolist() == [["392.00", "3005.00", "437.00", "45.00", "2960.00"]]
    funeral = county.bank_file("2022-01", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == HE.id, "金额"].tolist() == ["2960.00"]  # one line per deceased


def test_a_terminated_person_never_paid_is_refunded_to_their_own_account(county):
    # 50,000 opening + 750 interest credited by the same December run
    assert county.entries_of(LV) == [("2021-12", "2021-12", "account_refund", "payment", "current", "bank", 50750)]
    december = county.bank_file("2021-12")
    assert december.loc[december["身份证号"] == LV.id, ["账号", "金额"]].values.tolist() == [
        [LV.row()["account_number"], "507.50"]
    ]
    assert sum(a for *_, a in county.account_entries_of(LV)) == 0  # paid once: nothing more in 2022


def test_the_month_summary_gives_the_accounts_money(county):
    january = county.summary("2022-01")["accounts"]
    # debits: GAO 7748 + MA 1460 + LIU 5000 + ZHU 3000 - HE 4000 (taken back) = 13208
    assert january["fen_by_component"] == {"pension_debit": -13208, "refund": -393000}
    assert january["awards_new"] == {"computed": 1}
