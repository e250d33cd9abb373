"""Budget execution against the declared budget, and who funds it (the seed's funding split)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline.core.money import FEN_PER_WAN, wan_amount, yuan_text
from pipeline.policy import Policy

LINES = [  # line key, Chinese name, declared key in policy [budget.YYYY]
    ("base_pension", "基础养老金", "base_pension_wan"),
    ("topup65", "65周岁以上倾斜", "topup65_wan"),
    ("funeral_grant", "丧葬费", "funeral_grant_wan"),
    ("contribution_subsidy", "缴费补贴", "contribution_subsidy_wan"),
]


def wan(fen: int) -> Decimal:
    """Fen -> 万元, exactly rounded to two decimals."""
    return wan_amount(fen)


def budget_table(actuals: pd.DataFrame, declared: dict | None) -> pd.DataFrame:
    """One row per budget line: declared, actual, difference (万元) and execution rate."""
    totals = actuals.groupby("line")["actual_fen"].sum()
    rows = []
    for key, name, declared_key in LINES:
        actual = int(totals.get(key, 0))
        budget = declared.get(declared_key) if declared else None
        rows.append(
            {
                "line": key,
                "line_zh": name,
                "declared_wan": budget,
                "actual_fen": actual,
                "actual_wan": wan(actual),
                "difference_wan": None if budget is None else wan(actual) - budget,
                "execution_rate": None if not budget else round(actual / (budget * FEN_PER_WAN), 4),
            }
        )
    account = int(totals.get("account_pension", 0))
    rows.append(
        {
            "line": "account_pension",
            "line_zh": "个人账户养老金（个人账户支付，不在申报预算内）",
            "declared_wan": None,
            "actual_fen": account,
            "actual_wan": wan(account),
            "difference_wan": None,
            "execution_rate": None,
        }
    )
    return pd.DataFrame(rows)


def funding_split(actuals: pd.DataFrame, policy: Policy, central_subsidy_wan: int | None) -> tuple[dict, pd.DataFrame]:
    """The seed's split of the budgeted cost: zones fund their own residents, every other township
    pays half and the city the other half, less the central subsidy."""
    budgeted = actuals[actuals["line"] != "account_pension"]
    per_township = budgeted.groupby("township_code", as_index=False)["actual_fen"].sum()
    funding = policy.townships.set_index("code")["funding"]
    per_township["funding"] = per_township["township_code"].map(funding).fillna("split")
    per_township["name"] = per_township["township_code"].map(policy.townships.set_index("code")["name"]).fillna("未知")
    own = per_township["funding"].eq("self")
    per_township["township_share_fen"] = (per_township["actual_fen"] // 2).where(~own, per_township["actual_fen"])
    per_township["city_share_fen"] = per_township["actual_fen"] - per_township["township_share_fen"]
    total = int(per_township["actual_fen"].sum())
    zones = int(per_township.loc[own, "actual_fen"].sum())
    townships_half = int(per_township.loc[~own, "township_share_fen"].sum())
    central = (central_subsidy_wan or 0) * FEN_PER_WAN
    city = total - zones - townships_half - central
    summary = {
        "total_fen": total,
        "zones_self_funded_fen": zones,
        "remaining_fen": total - zones,
        "townships_half_fen": townships_half,
        "central_subsidy_fen": central,
        "city_appropriation_fen": city,
        "note": ""
        if city >= 0
        else (
            "the configured central subsidy exceeds the city's half: "
            "the data covers far fewer people than the declared budget"
        ),
    }
    return summary, per_township.sort_values("township_code", ignore_index=True)


PEOPLE_COLUMNS = {  # budget.csv for people: Chinese first, yuan (not fen); budget.json keeps the rest
    "line_zh": "预算项目 line",
    "declared_wan": "申报预算 declared (万元)",
    "actual_yuan": "实际支出 actual (元 yuan)",
    "actual_wan": "实际支出 actual (万元)",
    "difference_wan": "差额 difference (万元)",
    "execution_rate": "执行率 execution rate",
    "line": "代码 code",
}
PEOPLE_AMOUNTS = tuple(PEOPLE_COLUMNS[c] for c in ("declared_wan", "actual_yuan", "actual_wan", "difference_wan"))


def budget_for_people(table: pd.DataFrame) -> pd.DataFrame:
    """The budget table as budget.csv/.xlsx show it: amounts as exact text, the rate as a share."""
    out = table.assign(
        declared_wan=table["declared_wan"].map(lambda v: "" if v is None or pd.isna(v) else f"{Decimal(v):.2f}"),
        actual_yuan=table["actual_fen"].map(lambda fen: yuan_text(int(fen), grouped=False)),
        actual_wan=table["actual_wan"].map(lambda v: f"{v:.2f}"),
        difference_wan=table["difference_wan"].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.2f}"),
        execution_rate=table["execution_rate"].map(lambda v: "" if v is None or pd.isna(v) else f"{v:.2%}"),
    )
    return out[list(PEOPLE_COLUMNS)].rename(columns=PEOPLE_COLUMNS)
