"""Indicators, budget and funding split on a tiny county run for 2021-01..03, every number
counted by hand below. Rates: base 39200 fen, top-up 500, grant 6 x 39200 = 235200, subsidy 12000.

People (township 320281001 unless said):
  P1  receiving all quarter                                   -> paid Jan, Feb, Mar on time
  P2  contributing in Jan, approved in Feb from 2021-01       -> Jan paid late (Feb, arrears)
  P3  Jan line bounced (return in Feb), new account in Mar    -> Jan reversed, Jan+Feb paid in Mar
  P4  died 2021-01-10, registered in Mar                      -> Feb paid, recovered in Mar from the grant
  P5  suspended from Feb                                      -> Feb, Mar held (never paid)
  ZONE resident of 320281400, 65+                             -> base + top-up every month, self-funded
  C1, C2, C3 contributors; C3 dies 2021-02-05 (grant in Feb); contributions file: C1 (Q4), C3 (Jan), a bad row
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from pipeline.indicators.annual import run_indicators
from pipeline.indicators.declaration import declaration_markdown, project
from pipeline.policy import load_policy
from tests.support.scenario import Person, Scenario, policy_text

P1 = Person("甲一", "1958-03-03", "M", 1)
P2 = Person("乙二", "1960-11-05", "M", 2)
P3 = Person("丙三", "1958-04-04", "M", 3)
P4 = Person("丁四", "1958-05-05", "M", 4)
P5 = Person("戊五", "1958-06-06", "M", 5)
C1 = Person("己六", "1975-01-01", "F", 6, {"status": "缴费", "benefit_start": ""})
C2 = Person("庚七", "1975-02-02", "F", 7, {"status": "缴费", "benefit_start": ""})
C3 = Person("辛八", "1975-03-03", "F", 8, {"status": "缴费", "benefit_start": ""})


def roster(month: str) -> list[dict]:
    rows = [P1.row(), C1.row(), C2.row()]
    rows.append(P2.row(status="缴费", benefit_start="") if month == "2021-01" else P2.row(benefit_start="2021-01"))
    rows.append(P3.row(account_number="6228777700000000003") if month == "2021-03" else P3.row())
    rows.append(P4.row())
    rows.append(P5.row() if month == "2021-01" else P5.row(status="暂停", suspended_from="2021-02"))
    if month <= "2021-02":
        rows.append(C3.row())
    return rows


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    scenario = Scenario(
        tmp_path_factory.mktemp("indicators"),
        policy_text().replace("central_subsidy_wan = 8000", "central_subsidy_wan = 0"),
    )
    scenario.roster("2021-01", roster("2021-01"))
    scenario.run("2021-01")
    january = scenario.bank_file("2021-01")
    line = january[january["身份证号"] == P3.id].iloc[0]
    scenario.roster("2021-02", roster("2021-02"))
    scenario.deaths("2021-02", [C3.death("2021-02-05", "2021-02-08", source="民政", payee_name="亲属")])
    scenario.bank_returns(
        "2021-02",
        [
            {
                "batch_id": "2021-01-JRCB-PENSION",
                "line_no": line["序号"],
                "account_number": line["账号"],
                "amount": line["金额"],
                "result": "失败",
                "reason": "账户冻结",
            }
        ],
    )
    scenario.run("2021-02")
    scenario.roster("2021-03", roster("2021-03"))
    scenario.deaths("2021-03", [P4.death("2021-01-10", "2021-03-02", source="民政", payee_name="亲属")])
    scenario.run("2021-03", close=False)
    contributions = scenario.inbox.root / "contributions"
    contributions.mkdir(parents=True)
    pd.DataFrame(
        [
            {
                "身份证号": C1.id,
                "年度": "2021",
                "档次": "3",
                "个人缴费": "500.00",
                "政府补贴": "120.00",
                "缴费日期": "2021-11-02",
            },
            {
                "身份证号": C3.id,
                "年度": "2021",
                "档次": "1",
                "个人缴费": "300.00",
                "政府补贴": "120.00",
                "缴费日期": "2021-01-20",
            },
            {
                "身份证号": C2.id,
                "年度": "2021",
                "档次": "9",
                "个人缴费": "300.00",
                "政府补贴": "120.00",
                "缴费日期": "2021-11-20",
            },
        ]
    ).to_csv(contributions / "2021.csv", index=False)
    policy = load_policy(scenario.policy_path)
    folder = run_indicators(2021, inbox=scenario.inbox, out=scenario.out, policy=policy)
    return folder


def indicator(folder: Path, key: str) -> dict:
    data = json.loads((folder / "indicators.json").read_text(encoding="utf-8"))
    return next(i for i in data["indicators"] if i["key"] == key)


@pytest.mark.parametrize(
    ("key", "numerator", "denominator", "passed"),
    [
        ("coverage", 5, 6, False),  # P5 has Feb and Mar unpaid; everyone else fully paid by March
        ("accuracy", 13, 15, False),  # 15 bank lines; P3's Jan line bounced, P4's Feb line recovered
        ("timeliness", 11, 16, False),  # 16 person-months due; late: P2 Jan, P3 Jan (bounced) + Feb, P5 Feb + Mar
        ("continuation", 1, 2, False),  # Jan contributors still contributing and alive in Mar: C1, C2; C1 paid
        ("contribution_quality", 2, 3, False),  # tier 9 rejected
        ("contribution_timeliness", 1, 2, False),  # C3 paid in January
    ],
)
def test_indicator_counts(year, key, numerator, denominator, passed):
    measured = indicator(year, key)
    assert (measured["numerator"], measured["denominator"]) == (numerator, denominator)
    assert measured["value"] == pytest.approx(numerator / denominator, abs=1e-6)
    assert measured["passed"] is passed


def test_unmeasurable_indicators_say_why(year):
    for key in ("population_coverage", "awareness_contributors", "satisfaction_pensioners", "system_building"):
        measured = indicator(year, key)
        assert measured["measurable"] is False and measured["value"] is None and measured["note"]


def test_budget_lines(year):
    budget = pd.DataFrame(json.loads((year / "budget.json").read_text(encoding="utf-8"))["budget"]).set_index("line")
    # base: Jan run 5 x 39200; Feb run 5 x 39200 - 39200 (P3 bounced); Mar run 6 x 39200 - 39200 (P4 recovered)
    assert budget.loc["base_pension", "actual_fen"] == 196000 + 156800 + 196000
    assert budget.loc["topup65", "actual_fen"] == 3 * 500
    assert budget.loc["funeral_grant", "actual_fen"] == 2 * 235200
    assert budget.loc["contribution_subsidy", "actual_fen"] == 2 * 12000
    assert budget.loc["base_pension", "declared_wan"] == 46570
    assert budget.loc["base_pension", "execution_rate"] == round(548800 / 46570_000000, 4)


def test_budget_csv_for_people(year):
    text = (year / "budget.csv").read_bytes().decode("utf-8-sig")
    frame = pd.read_csv(year / "budget.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(frame.columns)[:3] == ["预算项目 line", "申报预算 declared (万元)", "实际支出 actual (元 yuan)"]
    base = frame.set_index("代码 code").loc["base_pension"]
    assert base["实际支出 actual (元 yuan)"] == "5488.00"  # yuan, not fen
    assert base["差额 difference (万元)"] == "-46569.45"  # 0.55 - 46570 万元: negative, and not escaped
    assert base["差额 difference (万元)"].startswith("-") and "'-" not in text
    assert (year / "budget.xlsx").is_file()


def test_funding_split(year):
    funding = json.loads((year / "budget.json").read_text(encoding="utf-8"))["funding"]
    zone = 3 * 39200 + 3 * 500
    township = (548800 - 3 * 39200) + 470400 + 24000
    assert funding["zones_self_funded_fen"] == zone
    assert funding["townships_half_fen"] == township // 2
    assert funding["city_appropriation_fen"] == township - township // 2
    assert funding["total_fen"] == zone + township


def test_report_is_self_contained(year):
    page = (year / "report.html").read_text(encoding="utf-8")
    assert "<svg" in page and "http://" not in page.replace("http://www.w3.org", "") and "<script" not in page
    assert "居保资金发放覆盖率" in page


def test_report_opens_with_its_status_and_renders_the_declaration(year):
    page = (year / "report.html").read_text(encoding="utf-8")
    status = page[page.index("报告状态 Report status") : page.index("绩效指标 Indicators")]
    assert "已关账 closed: 2/12 · 草稿 draft: 2021-03 · 未运行 not run: 9" in status
    assert "生成时间 generated:" in status and "代码版本 code version:" in status
    assert "2021-01" in status and "manifest sha256" in status
    assert "年度未全部关账" in status  # a quarter of a year is no year
    declaration = page[page.index("下年度申报") :]
    assert "<h3>" in declaration and "<table>" in declaration and "<li>" in declaration
    assert not re.search(r"(^|>)\s*#", declaration, re.MULTILINE)  # no raw Markdown heading
    assert 'class="num"' in page and '<td class="fail">未达标 fail</td>' in page  # every one fails here
    assert "@media print" in page and 'class="total"' in page
    assert "failing lines" in page


def test_a_negative_appropriation_is_warned_not_stated(year):
    projection = json.loads((year / "budget.json").read_text(encoding="utf-8"))["projection"]
    page = (year / "report.html").read_text(encoding="utf-8")
    declaration = (year / "declaration_2022.md").read_text(encoding="utf-8")
    if projection["city_request_fen"] < 0:
        assert "申请财政专项拨款-" not in page and "申请财政专项拨款-" not in declaration
        assert "申请拨款为负" in page and "不可申报" in page


def test_negative_request_sentence():
    from pipeline.indicators.declaration import _request_sentence

    assert _request_sentence(-754924000000).startswith("申请财政专项拨款：无法按此申报")
    assert _request_sentence(100 * 1_000_000) == "申请财政专项拨款100.00万元。"


def test_the_yearly_artifact_formats_values_as_the_report_does(year):
    from pipeline.indicators.report import artifact_rows

    measured = json.loads((year / "indicators.json").read_text(encoding="utf-8"))["indicators"]
    rows = {r["indicator_en"]: r for r in artifact_rows(measured)}
    coverage = next(i for i in measured if i["key"] == "coverage")
    shown = rows[coverage["indicator_en"]]
    assert shown["value"] == f"{coverage['value']:.2%}" and shown["value"].endswith("%")
    assert shown["result"] in ("达标 pass", "未达标 fail")
    unmeasured = next(i for i in measured if not i["measurable"])
    assert rows[unmeasured["indicator_en"]]["value"] == ""
    assert rows[unmeasured["indicator_en"]]["result"] == "不可测 not measurable"


def test_pass_and_fail_cells_are_coloured():
    from pipeline.indicators.report import table

    html = table(pd.DataFrame({"结论 result": ["达标 pass", "未达标 fail"], "n": ["1,234", "5"]}), ("n",))
    assert '<td class="pass">达标 pass</td>' in html and '<td class="fail">未达标 fail</td>' in html
    assert '<td class="num">1,234</td>' in html


def test_round_axis_ticks():
    from pipeline.indicators.report import nice_step

    assert nice_step(3_700_000_000) == 1_000_000_000  # 3,700万 over 4 ticks: steps of 1,000万
    assert nice_step(180_000_000) == 50_000_000
    assert nice_step(1) >= 1


def test_declaration_arithmetic():
    policy = load_policy(Path(__file__).resolve().parents[2] / "config" / "policy.toml")
    counts = {
        "pensioners_now": 99000,
        "pensioners_65_now": 80000,
        "entrant_months": 12000,
        "entrants": 2000,
        "turning_65_months": 6000,
        "contributors_next": 25000,
        "deaths_year": 3000,
        "pensioners_avg_year": 100000,
    }
    p = project(counts, year=2021, policy=policy, continuation=1.0, zone_share=0.2, central_subsidy_wan=8000)
    # deaths: 3000 / 100000 = 3% of 99000 = 2970; pensioners: 99000 + 12000/12 - 2970/2 = 98515
    # 65+: 80000 x (1 - 0.03/2) + 6000/12 = 78800 + 500 = 79300
    assert p["counts"] == {"contributors": 25000, "pensioners": 98515, "over_65": 79300, "deaths": 2970}
    assert p["money_fen"] == {
        "contribution_subsidy": 25000 * 12000,
        "base_pension": 98515 * 39200 * 12,
        "topup65": 79300 * 500 * 12,
        "funeral_grant": 2970 * 39200 * 6,
    }
    text = declaration_markdown(p)
    assert "缴费人数25000人*120元/人=300.00万元" in text
    assert "居保基础养老金发放：98515人*392元/月*12=46341.46万元" in text
    assert "申请财政专项拨款" in text


def test_explain_prints_every_query(capsys):
    from pipeline.cli import main

    assert main(["indicators", "--year", "2021", "--explain"]) == 0
    text = capsys.readouterr().out
    for title in ("居保资金发放覆盖率", "居保资金发放准确率", "居保资金发放及时性", "居保缴费续缴率"):
        assert f"-- {title}" in text
    assert "set variable year = 2021;" in text and "select * from final;" in text
