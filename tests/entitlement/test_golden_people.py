"""Golden people: one rule each, run through the real monthly pipeline from 2021-01 to 2021-08,
with the ledger rows each must get written out by hand.

Rates: base 392 yuan (39200 fen), 65+ top-up 5 yuan (500 fen), funeral grant 6 x base = 235200.
A ledger row is (run_month, period, component, kind, reason, settlement, amount_fen).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.support.scenario import Person, Scenario, id_correction, policy_text

MONTHS = [f"2021-{m:02d}" for m in range(1, 9)]
BASE, TOPUP, GRANT = 39200, 500, 235200

WU = Person("吴满六十", "1961-03-17", "M", 1)  # 60th birthday month 2021-03
ZHENG = Person("郑满五五", "1966-05-02", "F", 2)  # 55th birthday month 2021-05
WANG = Person("王闰日", "1956-02-29", "M", 3)  # leap-day birthday: 65 in 2021-02 (no 29th)
FENG = Person("冯六五", "1956-06-10", "F", 4, {"benefit_start": "2011-06"})  # 65 in 2021-06
ZHAO = Person("赵晚批", "1960-11-05", "M", 5)  # approved in April, back to January
CHEN = Person("陈月中", "1950-07-01", "M", 6)  # dies 2021-04-20, registered in April
QIAN = Person("钱迟报", "1950-03-03", "M", 7)  # dies 2021-05-14, registered two months late
SUN = Person("孙久亡", "1949-04-04", "M", 8, {"account_pension": "50.00"})  # dies 2021-01-15, registered in August
ZHOU = Person("周暂停", "1955-08-08", "F", 9)  # suspended March-April, resumed in May
LI = Person("李换卡", "1958-09-09", "F", 10)  # January payment fails; new account from March
WEI = Person("卫职工", "1955-01-20", "M", 11)  # employee pension from March, found in June
JIANG = Person("蒋终止", "1958-12-12", "M", 12)  # terminated, end month 2021-03
SHEN = Person("沈缴费亡", "1970-10-10", "F", 13, {"status": "缴费", "benefit_start": ""})  # contributor dies June
CHU = Person("褚无亲", "1951-05-05", "M", 14)  # dies July; payee details only in August
YOU = Person("尤前亡", "1948-08-08", "M", 15)  # dies 2020-12-20, before the opening month; registered in January

NEW_ACCOUNT = "6228999900000000010"


def roster_for(month: str) -> list[dict]:
    rows = [FENG.row(), ZHOU.row(), WEI.row(), SHEN.row(), CHU.row()]
    rows.append(WU.row(status="缴费", benefit_start="") if month < "2021-03" else WU.row(benefit_start="2021-03"))
    rows.append(ZHENG.row(status="缴费", benefit_start="") if month < "2021-05" else ZHENG.row(benefit_start="2021-05"))
    rows.append(WANG.row())
    rows.append(ZHAO.row(status="缴费", benefit_start="") if month < "2021-04" else ZHAO.row(benefit_start="2021-01"))
    if month <= "2021-05":
        rows.append(CHEN.row())
    if month <= "2021-07":
        rows.append(QIAN.row())
    rows.append(SUN.row())
    if month == "2021-01":
        rows.append(YOU.row())
    if "2021-03" <= month <= "2021-04":
        rows[1] = ZHOU.row(status="暂停", suspended_from="2021-03")
    rows.append(LI.row() if month < "2021-03" else LI.row(account_number=NEW_ACCOUNT))
    if month >= "2021-06":
        rows[2] = WEI.row(employee_pension_from="2021-03")
    rows.append(JIANG.row() if month <= "2021-03" else JIANG.row(status="终止", end_month="2021-03"))
    return rows


DEATHS = {
    "2021-01": [YOU.death("2020-12-20", "2021-01-06")],
    "2021-04": [CHEN.death("2021-04-20", "2021-04-22")],
    "2021-06": [SHEN.death("2021-06-11", "2021-06-15")],
    "2021-07": [QIAN.death("2021-05-14", "2021-07-05"), CHU.death("2021-07-03", "2021-07-08", payee=False)],
    "2021-08": [SUN.death("2021-01-15", "2021-08-02"), CHU.death("2021-07-03", "2021-08-09")],
}


@pytest.fixture(scope="module")
def county(tmp_path_factory) -> Scenario:
    scenario = Scenario(tmp_path_factory.mktemp("golden"))
    for month in MONTHS:
        scenario.roster(month, roster_for(month))
        if month in DEATHS:
            scenario.deaths(month, DEATHS[month])
        if month == "2021-02":
            january = scenario.bank_file("2021-01")
            line = january[january["身份证号"] == LI.id].iloc[0]
            scenario.bank_returns(
                month,
                [
                    {
                        "batch_id": "2021-01-JRCB-PENSION",
                        "line_no": line["序号"],
                        "account_number": line["账号"],
                        "amount": line["金额"],
                        "result": "失败",
                        "reason": "账户已销户",
                    }
                ],
            )
        scenario.run(month)
    return scenario


def current(component: str, amount: int, months: list[str]) -> list[tuple]:
    return [(m, m, component, "payment", "current", "bank", amount) for m in months]


def test_60th_birthday_month_man(county):
    assert county.entries_of(WU) == current("base", BASE, MONTHS[2:])


def test_55th_birthday_month_woman(county):
    assert county.entries_of(ZHENG) == current("base", BASE, MONTHS[4:])


def test_leap_day_birthday_counts_in_february(county):
    assert county.entries_of(WANG) == sorted(current("base", BASE, MONTHS) + current("topup65", TOPUP, MONTHS[1:]))


def test_topup_from_65th_birthday_month(county):
    assert county.entries_of(FENG) == sorted(current("base", BASE, MONTHS) + current("topup65", TOPUP, MONTHS[5:]))


def test_late_approval_pays_arrears(county):
    arrears = [("2021-04", p, "base", "payment", "arrears", "bank", BASE) for p in ("2021-01", "2021-02", "2021-03")]
    assert county.entries_of(ZHAO) == sorted(arrears + current("base", BASE, MONTHS[3:]))


def test_death_mid_month_is_paid_in_full_with_grant(county):
    expected = current("base", BASE, MONTHS[:4]) + current("topup65", TOPUP, MONTHS[:4])
    expected.append(("2021-04", "2021-04", "funeral_grant", "payment", "current", "bank", GRANT))
    assert county.entries_of(CHEN) == sorted(expected)


def test_death_registered_two_months_late_is_set_off_against_grant(county):
    paid = current("base", BASE, MONTHS[:6]) + current("topup65", TOPUP, MONTHS[:6])
    july = [
        ("2021-07", "2021-05", "funeral_grant", "payment", "arrears", "bank", GRANT),
        ("2021-07", "2021-06", "base", "recovery", "after_death", "set_off", -BASE),
        ("2021-07", "2021-06", "topup65", "recovery", "after_death", "set_off", -TOPUP),
    ]
    assert county.entries_of(QIAN) == sorted(paid + july)
    funeral = county.bank_file("2021-07", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == QIAN.id, "金额"].tolist() == ["1955.00"]  # 2352 - 397


def test_overpayment_beyond_grant_is_owed(county):
    # Died 2021-01-15, registered 2021-08: Feb-Jul were paid 39200 + 500 + 5000 = 44700 a month.
    monthly = 44700
    paid = [
        (m, m, c, "payment", "current", "bank", a)
        for m in MONTHS[:7]
        for c, a in (("account", 5000), ("base", BASE), ("topup65", TOPUP))
    ]
    august = [("2021-08", "2021-01", "funeral_grant", "payment", "arrears", "bank", GRANT)]
    for period in MONTHS[1:6]:  # Feb-Jun: 5 x 44700 = 223500 taken from the grant
        august += [
            ("2021-08", period, "account", "recovery", "after_death", "set_off", -5000),
            ("2021-08", period, "base", "recovery", "after_death", "set_off", -BASE),
            ("2021-08", period, "topup65", "recovery", "after_death", "set_off", -TOPUP),
        ]
    august += [  # July: 11700 of the grant left, then owed
        ("2021-08", "2021-07", "account", "recovery", "after_death", "set_off", -5000),
        ("2021-08", "2021-07", "base", "recovery", "after_death", "set_off", -6700),
        ("2021-08", "2021-07", "base", "recovery", "after_death", "owed", -32500),
        ("2021-08", "2021-07", "topup65", "recovery", "after_death", "owed", -TOPUP),
    ]
    assert county.entries_of(SUN) == sorted(paid + august)
    assert 6 * monthly - GRANT == 32500 + TOPUP
    recoveries = county.output("2021-08", "recoveries.csv")
    owed = recoveries.loc[recoveries["身份证号 id_number"] == SUN.id, "尚欠 owed"].tolist()
    assert sorted(owed) == ["0.00"] * 16 + ["325.00", "5.00"]  # one row per period and component
    funeral = county.bank_file("2021-08", bank="ICBC", kind="funeral")
    assert SUN.id not in funeral["身份证号"].tolist()  # nothing left to pay out


def test_suspension_holds_then_pays_on_resumption(county):
    expected = current("base", BASE, MONTHS[:2] + MONTHS[4:]) + current("topup65", TOPUP, MONTHS[:2] + MONTHS[4:])
    expected += [
        ("2021-05", p, c, "payment", "arrears", "bank", a)
        for p in ("2021-03", "2021-04")
        for c, a in (("base", BASE), ("topup65", TOPUP))
    ]
    assert county.entries_of(ZHOU) == sorted(expected)
    holds = county.output("2021-04", "holds.csv")
    mine = holds[holds["身份证号 id_number"] == ZHOU.id]
    assert sorted(zip(mine["所属月份 period"], mine["项目 component"], mine["原因代码 hold_reason"], strict=True)) == [
        ("2021-03", "base", "suspended"),
        ("2021-03", "topup65", "suspended"),
        ("2021-04", "base", "suspended"),
        ("2021-04", "topup65", "suspended"),
    ]


def test_failed_bank_line_held_until_account_changes(county):
    expected = [
        ("2021-01", "2021-01", "base", "payment", "current", "bank", BASE),
        ("2021-02", "2021-01", "base", "reversal", "bank_failed", "returned", -BASE),
        ("2021-03", "2021-01", "base", "payment", "arrears", "bank", BASE),
        ("2021-03", "2021-02", "base", "payment", "arrears", "bank", BASE),
    ] + current("base", BASE, MONTHS[2:])
    assert county.entries_of(LI) == sorted(expected)
    holds = county.output("2021-02", "holds.csv")
    mine = holds[holds["身份证号 id_number"] == LI.id]
    assert sorted(zip(mine["所属月份 period"], mine["原因代码 hold_reason"], strict=True)) == [
        ("2021-01", "bank_account_rejected"),
        ("2021-02", "bank_account_rejected"),
    ]
    march = county.bank_file("2021-03")
    line = march[march["身份证号"] == LI.id]
    assert line[["账号", "金额"]].values.tolist() == [[NEW_ACCOUNT, "1176.00"]]


def test_employee_pension_found_late_is_recovered(county):
    expected = current("base", BASE, MONTHS[:5]) + current("topup65", TOPUP, MONTHS[:5])
    expected += [
        ("2021-06", p, c, "recovery", "after_employee_pension", "owed", -a)
        for p in ("2021-03", "2021-04", "2021-05")
        for c, a in (("base", BASE), ("topup65", TOPUP))
    ]
    assert county.entries_of(WEI) == sorted(expected)


def test_terminated_participant_paid_to_end_month_only(county):
    assert county.entries_of(JIANG) == current("base", BASE, MONTHS[:3])


def test_contributor_death_gets_grant_only(county):
    assert county.entries_of(SHEN) == [("2021-06", "2021-06", "funeral_grant", "payment", "current", "bank", GRANT)]


def test_grant_waits_for_payee_details(county):
    expected = current("base", BASE, MONTHS[:7]) + current("topup65", TOPUP, MONTHS[:7])
    expected.append(("2021-08", "2021-07", "funeral_grant", "payment", "arrears", "bank", GRANT))
    assert county.entries_of(CHU) == sorted(expected)
    july = county.output("2021-07", "funeral_grants.csv")
    assert july.loc[july["身份证号 id_number"] == CHU.id, "状态 status"].tolist() == [
        "待补领取人信息 awaiting payee details"
    ]


def test_death_before_opening_month_gets_grant_at_that_months_rate(county):
    # the policy's 2020 row (a made-up sample value) is in force in 2020-12: 6 x 38500; no pension in 2021
    assert county.entries_of(YOU) == [("2021-01", "2020-12", "funeral_grant", "payment", "arrears", "bank", 231000)]


def test_closed_month_refuses_rerun(county):
    from pipeline.core.errors import RunStopped

    with pytest.raises(RunStopped, match="closed"):
        county.run("2021-03")


def test_retroactive_raise_pays_the_difference(tmp_path):
    person = Person("江涨钱", "1950-02-02", "M", 20)
    scenario = Scenario(tmp_path, policy_text())
    for month in ("2021-01", "2021-02", "2021-03"):
        scenario.roster(month, [person.row()])
    scenario.run("2021-01")
    scenario.run("2021-02")
    raise_from_january = '\n[[rates]]\nfrom = "2021-02"\nbase_fen = 40000\ntopup65_fen = 500\nsource = "test raise"\n'
    scenario.set_policy(policy_text(raise_from_january))
    scenario.run("2021-03")
    expected = current("base", BASE, ["2021-01"]) + current("topup65", TOPUP, ["2021-01", "2021-02", "2021-03"])
    expected += current("base", BASE, ["2021-02"]) + current("base", 40000, ["2021-03"])
    expected.append(("2021-03", "2021-02", "base", "payment", "arrears", "bank", 800))
    assert scenario.entries_of(person) == sorted(expected)
    assert pd.Series([e[-1] for e in expected]).sum() == 39200 + 40000 * 2 + 1500


def test_money_due_without_a_bank_account_is_held(tmp_path):
    # terminated at the end of February and only then reported, with no bank details: Jan-Feb are due
    person = Person("毛无卡", "1950-09-09", "M", 21)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [person.row(status="缴费", benefit_start="")])
    scenario.run("2021-01")
    scenario.roster(
        "2021-02",
        [person.row(status="终止", end_month="2021-02", benefit_start="2021-01", bank_code="", account_number="")],
    )
    scenario.run("2021-02")
    assert scenario.entries_of(person) == []
    holds = scenario.output("2021-02", "holds.csv")
    mine = holds[holds["身份证号 id_number"] == person.id]
    assert sorted(zip(mine["所属月份 period"], mine["项目 component"], mine["原因代码 hold_reason"], strict=True)) == [
        ("2021-01", "base", "no_bank_account"),
        ("2021-01", "topup65", "no_bank_account"),
        ("2021-02", "base", "no_bank_account"),
        ("2021-02", "topup65", "no_bank_account"),
    ]


def test_conflicting_death_registrations_hold_until_one_stands(tmp_path):
    # February: two registrations of one day disagree (died 2021-01-20 or 2021-02-05): both are
    # rejected and February is held, neither paid nor the grant issued. March: a registration of a
    # later day says 2021-02-05: February is paid as arrears with the grant, March is not due.
    person = Person("韩两报", "1950-01-10", "M", 22)
    scenario = Scenario(tmp_path)
    for month in ("2021-01", "2021-02", "2021-03"):
        scenario.roster(month, [person.row()])
    scenario.run("2021-01")
    scenario.deaths("2021-02", [person.death("2021-01-20", "2021-02-10"), person.death("2021-02-05", "2021-02-10")])
    scenario.run("2021-02")
    assert scenario.entries_of(person) == sorted(
        current("base", BASE, ["2021-01"]) + current("topup65", TOPUP, ["2021-01"])
    )
    holds = scenario.output("2021-02", "holds.csv")
    mine = holds[holds["身份证号 id_number"] == person.id]
    assert sorted(zip(mine["所属月份 period"], mine["项目 component"], mine["原因代码 hold_reason"], strict=True)) == [
        ("2021-02", "base", "death_conflict"),
        ("2021-02", "topup65", "death_conflict"),
    ]
    rejects = scenario.output("2021-02", "rejects.csv")
    assert rejects["原因代码 reason_code"].tolist() == ["DEATH_CONFLICT", "DEATH_CONFLICT"]

    scenario.deaths("2021-03", [person.death("2021-02-05", "2021-03-02")])
    scenario.run("2021-03")
    expected = current("base", BASE, ["2021-01"]) + current("topup65", TOPUP, ["2021-01"])
    expected += [
        ("2021-03", "2021-02", "base", "payment", "arrears", "bank", BASE),
        ("2021-03", "2021-02", "topup65", "payment", "arrears", "bank", TOPUP),
        ("2021-03", "2021-02", "funeral_grant", "payment", "arrears", "bank", GRANT),
    ]
    assert scenario.entries_of(person) == sorted(expected)
    assert scenario.output("2021-03", "holds.csv").query("`身份证号 id_number` == @person.id").empty


# -- the office's decisions of issue 12 ---------------------------------------------------------


def test_rate_corrected_down_is_held_for_people_on_no_roster(tmp_path):
    # SPEC §5 (decided): January-February paid at 410.00; in March the rate is corrected to 408.00
    # from January. 甲 (on the roster) owes 2.00 a month back at once; 乙 (on no roster in March)
    # loses nothing yet: the -2.00 a month is listed in holds (not_on_roster) and booked when he is
    # back in April; 丙 (on no roster, death registered in April) has it set off against his grant.
    stays = Person("甲留册", "1958-03-03", "M", 30)
    away = Person("乙离册", "1958-04-04", "M", 31)
    dies = Person("丙离亡", "1958-05-05", "M", 32)
    scenario = Scenario(tmp_path, policy_text(base_2021=41000))
    for month in ("2021-01", "2021-02"):
        scenario.roster(month, [stays.row(), away.row(), dies.row()])
        scenario.run(month)
    scenario.set_policy(policy_text(base_2021=40800))
    scenario.roster("2021-03", [stays.row()])
    scenario.run("2021-03")
    scenario.roster("2021-04", [stays.row(), away.row()])
    scenario.deaths("2021-04", [dies.death("2021-02-15", "2021-04-02")])
    scenario.run("2021-04")

    corrected = [("2021-03", p, "base", "recovery", "correction", "owed", -200) for p in ("2021-01", "2021-02")]
    assert scenario.entries_of(stays) == sorted(
        current("base", 41000, ["2021-01", "2021-02"]) + current("base", 40800, ["2021-03", "2021-04"]) + corrected
    )
    holds = scenario.output("2021-03", "holds.csv")
    held = holds[holds["身份证号 id_number"].isin([away.id, dies.id])]
    assert sorted(
        zip(
            held["身份证号 id_number"],
            held["所属月份 period"],
            held["暂缓金额 held"],
            held["原因代码 hold_reason"],
            strict=True,
        )
    ) == sorted((pid, p, "-2.00", "not_on_roster") for pid in (away.id, dies.id) for p in ("2021-01", "2021-02"))
    assert scenario.entries_of(away) == sorted(
        current("base", 41000, ["2021-01", "2021-02"])
        + [("2021-04", p, "base", "recovery", "correction", "owed", -200) for p in ("2021-01", "2021-02")]
        + [("2021-04", "2021-03", "base", "payment", "arrears", "bank", 40800)]
        + current("base", 40800, ["2021-04"])
    )
    assert scenario.entries_of(dies) == sorted(
        current("base", 41000, ["2021-01", "2021-02"])
        + [("2021-04", "2021-02", "funeral_grant", "payment", "arrears", "bank", 6 * 40800)]
        + [("2021-04", p, "base", "recovery", "correction", "set_off", -200) for p in ("2021-01", "2021-02")]
    )
    funeral = scenario.bank_file("2021-04", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == dies.id, "金额"].tolist() == ["2444.00"]  # 2448 - 2 x 2
    assert scenario.output("2021-04", "holds.csv").empty


def test_recovery_owed_while_the_grant_waits_is_set_off_when_it_is_issued(tmp_path):
    # SPEC §5 (decided): died 2021-01-20, registered in March with no payee: February's 397.00 is
    # recovered and owed (no grant to set it off against yet); April's registration gives the payee:
    # the grant of 2352.00 is issued less the 397.00 still owed, and nothing is owed any more.
    person = Person("丁待亲", "1950-06-06", "M", 33)
    scenario = Scenario(tmp_path)
    for month in ("2021-01", "2021-02", "2021-03", "2021-04"):  # the township is slow to drop him
        scenario.roster(month, [person.row()])
    scenario.run("2021-01")
    scenario.run("2021-02")
    scenario.deaths("2021-03", [person.death("2021-01-20", "2021-03-03", payee=False)])
    scenario.run("2021-03")
    scenario.deaths("2021-04", [person.death("2021-01-20", "2021-04-06")])
    scenario.run("2021-04")
    expected = current("base", BASE, ["2021-01", "2021-02"]) + current("topup65", TOPUP, ["2021-01", "2021-02"])
    expected += [
        ("2021-03", "2021-02", "base", "recovery", "after_death", "owed", -BASE),
        ("2021-03", "2021-02", "topup65", "recovery", "after_death", "owed", -TOPUP),
        ("2021-04", "2021-01", "funeral_grant", "payment", "arrears", "bank", GRANT),
        ("2021-04", "2021-02", "base", "recovery", "owed_set_off", "owed", BASE),
        ("2021-04", "2021-02", "base", "recovery", "owed_set_off", "set_off", -BASE),
        ("2021-04", "2021-02", "topup65", "recovery", "owed_set_off", "owed", TOPUP),
        ("2021-04", "2021-02", "topup65", "recovery", "owed_set_off", "set_off", -TOPUP),
    ]
    assert scenario.entries_of(person) == sorted(expected)
    funeral = scenario.bank_file("2021-04", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == person.id, "金额"].tolist() == ["1955.00"]  # 2352 - 397
    grants = scenario.output("2021-04", "funeral_grants.csv")
    mine = grants[grants["身份证号 id_number"] == person.id]
    assert mine[["补助金额 grant", "抵扣多发 set_off", "实发 net"]].values.tolist() == [
        ["2352.00", "397.00", "1955.00"]
    ]
    ledger = scenario.ledger()
    mine = ledger[(ledger["id_number"] == person.id) & (ledger["settlement"] == "owed")]
    assert mine["amount_fen"].sum() == 0  # nothing left owed


def test_two_deceased_paid_to_one_payee_account_get_one_funeral_line_each(tmp_path):
    # SPEC §7 (decided): a couple dies in March; their one child's account receives both grants,
    # on two lines of the funeral batch, each naming its deceased.
    husband = Person("戊丈夫", "1948-02-02", "M", 34)
    wife = Person("己妻子", "1949-03-03", "F", 35)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-03", [husband.row(), wife.row()])
    payee = {"payee_name": "庚子女", "payee_bank_code": "ICBC", "payee_account_number": "6212000000000000888"}
    scenario.deaths(
        "2021-03",
        [husband.death("2021-03-05", "2021-03-08") | payee, wife.death("2021-03-06", "2021-03-08") | payee],
    )
    for month in ("2021-01", "2021-02", "2021-03"):
        if month != "2021-03":
            scenario.roster(month, [husband.row(), wife.row()])
        scenario.run(month)
    funeral = scenario.bank_file("2021-03", bank="ICBC", kind="funeral")
    assert sorted(funeral[["账号", "身份证号", "金额"]].values.tolist()) == sorted(
        [["6212000000000000888", husband.id, "2352.00"], ["6212000000000000888", wife.id, "2352.00"]]
    )
    assert funeral["序号"].tolist() == ["1", "2"]
    for person in (husband, wife):
        assert ("2021-03", "2021-03", "funeral_grant", "payment", "current", "bank", GRANT) in scenario.entries_of(
            person
        )


def test_death_before_opening_month_registered_later_recovers_what_was_paid_after_it(tmp_path):
    # SPEC §5 (decided): died 2020-11-10, before the opening month, registered only in March 2021:
    # the grant is 6 x the 2020 rate (a made-up sample value, 385.00) = 2310.00; January and
    # February (397.00 each) were paid after the death and are set off against it.
    person = Person("辛早亡", "1949-09-09", "M", 36)
    scenario = Scenario(tmp_path)
    for month in ("2021-01", "2021-02", "2021-03"):
        scenario.roster(month, [person.row()])
    scenario.deaths("2021-03", [person.death("2020-11-10", "2021-03-01")])
    for month in ("2021-01", "2021-02", "2021-03"):
        scenario.run(month)
    expected = current("base", BASE, ["2021-01", "2021-02"]) + current("topup65", TOPUP, ["2021-01", "2021-02"])
    expected += [("2021-03", "2020-11", "funeral_grant", "payment", "arrears", "bank", 231000)]
    expected += [
        ("2021-03", p, c, "recovery", "after_death", "set_off", -a)
        for p in ("2021-01", "2021-02")
        for c, a in (("base", BASE), ("topup65", TOPUP))
    ]
    assert scenario.entries_of(person) == sorted(expected)
    funeral = scenario.bank_file("2021-03", bank="ICBC", kind="funeral")
    assert funeral.loc[funeral["身份证号"] == person.id, "金额"].tolist() == ["1516.00"]  # 2310 - 2 x 397


# neighbours on the same roster: one rejected row among them stays under the reject-share stop
NEIGHBOURS = [Person(f"邻居{i}", "1950-01-01", "F", 100 + i) for i in range(10)]


def with_neighbours(*rows: dict) -> list[dict]:
    return [*rows, *(n.row() for n in NEIGHBOURS)]


def test_id_correction_moves_the_history_and_pays_the_difference(tmp_path):
    # SPEC §3/§5 (decided): registered born 1957-03-05 (no 65+ top-up before 2022-03), really born
    # 1955-03-05 (65 in 2020-03). January-March paid 392.00 a month under the wrong ID. In April the
    # township reports the fixed ID with an ID correction: the new ID carries January-March (not
    # paid again) and gets only the top-up it was owed, 3 x 5.00 as arrears, plus April. May's
    # roster still lists the old ID by mistake: that row is rejected ID_CORRECTED, never paid.
    wrong = Person("杜错生", "1957-03-05", "M", 37)
    right = Person("杜错生", "1955-03-05", "M", 37)
    scenario = Scenario(tmp_path)
    for month in ("2021-01", "2021-02", "2021-03"):
        scenario.roster(month, [wrong.row()])
    scenario.roster("2021-04", [right.row()])
    scenario.id_corrections("2021-04", [id_correction(wrong, right, "2021-04-02")])
    scenario.roster("2021-05", with_neighbours(right.row(), wrong.row()))
    for month in ("2021-01", "2021-02", "2021-03", "2021-04", "2021-05"):
        scenario.run(month)
    assert scenario.entries_of(wrong) == current("base", BASE, ["2021-01", "2021-02", "2021-03"])
    assert scenario.entries_of(right) == sorted(
        [("2021-04", p, "topup65", "payment", "arrears", "bank", TOPUP) for p in ("2021-01", "2021-02", "2021-03")]
        + current("base", BASE, ["2021-04", "2021-05"])
        + current("topup65", TOPUP, ["2021-04", "2021-05"])
    )
    april = scenario.bank_file("2021-04")
    assert april.loc[april["身份证号"] == right.id, "金额"].tolist() == ["412.00"]  # 392 + 5 + 3 x 5
    rejects = scenario.output("2021-05", "rejects.csv")
    assert rejects.loc[rejects["身份证号 id_number"] == wrong.id, "原因代码 reason_code"].tolist() == ["ID_CORRECTED"]
    from pipeline.audit.check import connect_views

    with connect_views(scenario.out) as con:
        for pid in (wrong.id, right.id):  # the auditors' history follows the link both ways
            history = con.sql(f"select id_number, sum(amount_fen) from person_history('{pid}') group by 1").fetchall()
            assert sorted(history) == sorted([(wrong.id, 3 * BASE), (right.id, 3 * TOPUP + 2 * (BASE + TOPUP))])


def test_new_id_like_a_leavers_is_rejected_until_the_correction_comes(tmp_path):
    # SPEC §3 (decided): in March the township lists the person under a new ID (same name and
    # account, the old ID gone) without an ID correction: the row is rejected ID_CHANGED and nobody
    # is paid for March. April brings the correction: March is paid as arrears, with the top-up the
    # corrected birth date (1955-06-06, 65 in 2020-06) gives January and February.
    wrong = Person("严换号", "1957-06-06", "M", 38)
    right = Person("严换号", "1955-06-06", "M", 38)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", with_neighbours(wrong.row()))
    scenario.roster("2021-02", with_neighbours(wrong.row()))
    scenario.roster("2021-03", with_neighbours(right.row()))
    scenario.roster("2021-04", with_neighbours(right.row()))
    scenario.id_corrections("2021-04", [id_correction(wrong, right, "2021-04-06")])
    for month in ("2021-01", "2021-02", "2021-03", "2021-04"):
        scenario.run(month)
    rejects = scenario.output("2021-03", "rejects.csv")
    assert rejects.loc[rejects["身份证号 id_number"] == right.id, "原因代码 reason_code"].tolist() == ["ID_CHANGED"]
    assert scenario.entries_of(wrong) == current("base", BASE, ["2021-01", "2021-02"])
    assert scenario.entries_of(right) == sorted(
        [("2021-04", p, "topup65", "payment", "arrears", "bank", TOPUP) for p in ("2021-01", "2021-02", "2021-03")]
        + [("2021-04", "2021-03", "base", "payment", "arrears", "bank", BASE)]
        + current("base", BASE, ["2021-04"])
        + current("topup65", TOPUP, ["2021-04"])
    )


def test_bad_id_correction_rows_are_rejected_with_reasons(tmp_path):
    person = Person("冯正常", "1950-10-10", "M", 39)
    stranger = Person("无此人", "1950-11-11", "M", 40)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [person.row()])
    scenario.id_corrections(
        "2021-01",
        [
            id_correction(person, person, "2021-01-05"),  # same ID
            id_correction(stranger, person, "2021-01-05"),  # old ID on no roster
            {**id_correction(person, stranger, "2021-01-05"), "原因": ""},  # no reason
            {**id_correction(person, stranger, "2021-13-01")},  # no such day
        ],
    )
    scenario.run("2021-01")
    rejects = scenario.output("2021-01", "rejects.csv")
    assert rejects["原因代码 reason_code"].tolist() == [
        "CORRECTION_SAME_ID",
        "CORRECTION_OLD_ID_UNKNOWN",
        "CORRECTION_REASON_MISSING",
        "REGISTERED_ON_INVALID",
    ]
    summary = json.loads((scenario.out.month("2021-01") / "summary.json").read_text(encoding="utf-8"))
    counts = summary["rows"]["per_kind"]["id_corrections"]
    assert (counts["rows_read"], counts["accepted"], counts["rejected"]) == (4, 0, 4)
    assert scenario.entries_of(person) == current("base", BASE, ["2021-01"]) + current("topup65", TOPUP, ["2021-01"])


def test_death_registered_under_the_old_id_stops_the_new_ids_pension(tmp_path):
    # the registry still knows the old ID: a death registered under it is the new ID's death, so
    # nothing is paid after it and the grant (6 x 392.00) goes to the payee once
    wrong = Person("邹旧号", "1957-09-09", "M", 41)
    right = Person("邹旧号", "1955-09-09", "M", 41)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [wrong.row()])
    scenario.roster("2021-02", [wrong.row()])
    scenario.roster("2021-03", [right.row()])
    scenario.id_corrections("2021-03", [id_correction(wrong, right, "2021-03-01")])
    scenario.roster("2021-04", [right.row()])
    scenario.deaths("2021-04", [wrong.death("2021-03-10", "2021-04-02")])
    for month in ("2021-01", "2021-02", "2021-03", "2021-04"):
        scenario.run(month)
    assert scenario.entries_of(wrong) == current("base", BASE, ["2021-01", "2021-02"])
    assert scenario.entries_of(right) == sorted(
        [("2021-03", p, "topup65", "payment", "arrears", "bank", TOPUP) for p in ("2021-01", "2021-02")]
        + current("base", BASE, ["2021-03"])
        + current("topup65", TOPUP, ["2021-03"])
        + [("2021-04", "2021-03", "funeral_grant", "payment", "arrears", "bank", GRANT)]
    )
    funeral = scenario.bank_file("2021-04", bank="ICBC", kind="funeral")
    assert funeral["身份证号"].tolist() == [right.id] and funeral["金额"].tolist() == ["2352.00"]


def test_late_correction_recovers_what_the_two_ids_were_both_paid(tmp_path):
    # the old ID leaves after February; the new ID turns up only in April (no ID_CHANGED: the old ID
    # did not leave that month) and is paid January-April as a new person, so January and February
    # are paid twice. May's correction joins the two: the 392.00 paid twice for each of January and
    # February is recovered (owed); nothing else changes.
    wrong = Person("钟迟改", "1957-04-04", "M", 42)
    right = Person("钟迟改", "1955-04-04", "M", 42)
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", with_neighbours(wrong.row()))
    scenario.roster("2021-02", with_neighbours(wrong.row()))
    scenario.roster("2021-03", with_neighbours())
    scenario.roster("2021-04", with_neighbours(right.row()))
    scenario.roster("2021-05", with_neighbours(right.row()))
    scenario.id_corrections("2021-05", [id_correction(wrong, right, "2021-05-06")])
    for month in ("2021-01", "2021-02", "2021-03", "2021-04", "2021-05"):
        scenario.run(month)
    april = [
        ("2021-04", p, c, "payment", "arrears", "bank", a)
        for p in ("2021-01", "2021-02", "2021-03")
        for c, a in (("base", BASE), ("topup65", TOPUP))
    ]
    assert scenario.entries_of(right) == sorted(
        april
        + current("base", BASE, ["2021-04", "2021-05"])
        + current("topup65", TOPUP, ["2021-04", "2021-05"])
        + [("2021-05", p, "base", "recovery", "correction", "owed", -BASE) for p in ("2021-01", "2021-02")]
    )
    recoveries = scenario.output("2021-05", "recoveries.csv")
    mine = recoveries[recoveries["身份证号 id_number"] == right.id]
    assert mine["尚欠 owed"].tolist() == ["392.00", "392.00"]
