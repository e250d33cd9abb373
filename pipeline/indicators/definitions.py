"""The seed's output and outcome indicators (产出指标, 效益指标): target, definition, and the SQL
that measures each one, or why the payout data cannot."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Indicator:
    key: str
    level: str  # 二级指标 of the seed
    name_zh: str
    name_en: str
    target: str  # as the seed writes it
    definition_zh: str
    definition_en: str
    query: str | None = None  # pipeline/sql/indicators/<query>.sql; None: not measurable here
    pass_rule: str = "all"  # all: = 100%; share: >= a configured share; above: > target_share
    target_share: float | None = None
    not_measurable_because: str = ""


INDICATORS = (
    Indicator(
        "coverage",
        "产出数量",
        "居保资金发放覆盖率（%）",
        "payout coverage (%)",
        "=100%",
        "年内有应发月份的人员中，年末前每个应发月份均已足额发放的人数占比。",
        "Of the people with any month of pension due in the year, the share paid in full for every such month by the year's last run.",
        query="coverage",
    ),
    Indicator(
        "continuation",
        "产出数量",
        "居保缴费续缴率（%）",
        "contribution continuation rate (%)",
        ">95%",
        "上年缴费人员中，年末仍未到领取年龄、未死亡、未终止者，本年再次缴费的人数占比（首年以年初名册的缴费人员为上年缴费人员）。",
        "Of last year's contributors still under pension age at year end, alive and not terminated, the share who contributed again this year (in the first year, last year's contributors are those marked contributing on the year's first roster).",
        query="continuation",
        pass_rule="above",
        target_share=0.95,
    ),
    Indicator(
        "accuracy",
        "产出质量",
        "居保资金发放准确率（%）",
        "payout accuracy (%)",
        "=100%",
        "年内发出的银行付款行中，既未被银行退回、其款项也未被追回的行数占比。",
        "Of the bank payment lines issued in the year, the share never reversed by the bank and whose money was never recovered later.",
        query="accuracy",
    ),
    Indicator(
        "contribution_quality",
        "产出质量",
        "居保缴费续缴质量",
        "contribution data quality",
        "准确",
        "本年缴费记录中通过校验（无退回）的记录占比。",
        "Of the year's contribution rows, the share that passed validation (were not rejected).",
        query="contribution_quality",
        pass_rule="all",
    ),
    Indicator(
        "contribution_timeliness",
        "产出时效",
        "居保缴费续缴及时性",
        "contribution timeliness",
        "及时",
        "本年缴费记录中在第四季度（征缴期）缴纳的记录占比。",
        "Of the year's contributions, the share paid in the fourth quarter (the collection period).",
        query="contribution_timeliness",
        pass_rule="share",
    ),
    Indicator(
        "timeliness",
        "产出时效",
        "居保资金发放及时性",
        "payout timeliness",
        "及时",
        "年内有应发养老金的人月中，在当月发放批次即足额发放且未被银行退回的人月占比。",
        "Of the person-months of the year with pension due, the share paid in full by that same month's run and not bounced back by the bank.",
        query="timeliness",
        pass_rule="share",
    ),
    Indicator(
        "population_coverage",
        "社会效益",
        "居民养老保险的覆盖率（%）",
        "scheme coverage of the population (%)",
        ">=99%",
        "应参保人口中已参保的比例。",
        "Share of the eligible population enrolled in the scheme.",
        not_measurable_because="the rosters list participants only; the eligible population (census/hukou data) is not an input",
    ),
    Indicator(
        "awareness_contributors",
        "社会效益",
        "居保征缴对象知晓率（%）",
        "awareness among contributors (%)",
        ">=90%",
        "征缴对象中知晓政策者的比例。",
        "Share of contributors aware of the policy.",
        not_measurable_because="needs a survey; no survey data is an input of the payout",
    ),
    Indicator(
        "awareness_pensioners",
        "社会效益",
        "居保发放对象知晓率（%）",
        "awareness among pensioners (%)",
        ">=90%",
        "发放对象中知晓政策者的比例。",
        "Share of pensioners aware of the policy.",
        not_measurable_because="needs a survey; no survey data is an input of the payout",
    ),
    Indicator(
        "satisfaction_participants",
        "满意度",
        "居保参保对象的满意度（%）",
        "participant satisfaction (%)",
        ">=90%",
        "参保对象满意的比例。",
        "Share of participants satisfied.",
        not_measurable_because="needs a satisfaction survey; not an input of the payout",
    ),
    Indicator(
        "satisfaction_pensioners",
        "满意度",
        "居保发放对象的满意度（%）",
        "pensioner satisfaction (%)",
        ">=90%",
        "发放对象满意的比例。",
        "Share of pensioners satisfied.",
        not_measurable_because="needs a satisfaction survey; not an input of the payout",
    ),
    Indicator(
        "system_building",
        "可持续影响",
        "居保征缴、发放体系建设情况等（完善/健全）",
        "system, rules, posts and archives (qualitative)",
        "完善/健全",
        "制度、岗位与档案建设情况。",
        "State of the collection and payout system, rules, posts and archives.",
        not_measurable_because="a qualitative assessment by review, not a quantity in the payout data",
    ),
)
