"""report.html: one self-contained page for the budget officer (inline SVG, no scripts, no network)."""

from __future__ import annotations

import html

import pandas as pd

from pipeline.money_text import wan_text, yuan_text

COLOURS = {"base": "#2b6cb0", "topup65": "#38a169", "account": "#d69e2e", "funeral_grant": "#805ad5"}
LABELS = {
    "base": "基础养老金 base",
    "topup65": "65+倾斜 top-up",
    "account": "个人账户 account",
    "funeral_grant": "丧葬费 funeral grant",
}


PASS = {True: "达标 pass", False: "未达标 fail"}
FUNDING_LABELS = {
    "total_fen": "总支出 total cost",
    "zones_self_funded_fen": "开发区全额自筹 development zones (self-funded)",
    "remaining_fen": "余下 remaining",
    "townships_half_fen": "乡镇承担 townships' half",
    "central_subsidy_fen": "央补资金 central subsidy",
    "city_appropriation_fen": "市财政专项拨款 city appropriation",
}


def _share(value) -> str:
    return "" if value is None or pd.isna(value) else f"{value:.2%}"


def _count(value) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def stacked_month_bars(monthly: pd.DataFrame) -> str:
    wide = monthly.pivot_table(index="run_month", columns="component", values="fen", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[c for c in COLOURS if c in wide.columns])
    width, height, left, bottom = 760, 280, 70, 40
    top = max(int(wide.clip(lower=0).sum(axis=1).max()) if len(wide) else 1, 1)
    bar = (width - left - 10) / max(len(wide), 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="monthly payout by component">'
    ]
    for tick in range(5):
        value = top * tick / 4
        y = height - bottom - (height - bottom - 10) * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{wan_text(int(value), grouped=True)}万</text>"
        )
    for i, (month, row) in enumerate(wide.iterrows()):
        x, y = left + i * bar + 4, height - bottom
        for component, fen in row.items():
            if fen <= 0:
                continue
            h = (height - bottom - 10) * fen / top
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 8:.1f}" height="{h:.1f}" '
                f'fill="{COLOURS[component]}"><title>{_e(month)} {_e(LABELS[component])}: '
                f"{yuan_text(fen)} 元</title></rect>"
            )
        parts.append(
            f'<text x="{x + (bar - 8) / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'font-size="11">{_e(month[5:])}月</text>'
        )
    parts.append("</svg>")
    legend = " ".join(f'<span style="color:{COLOURS[c]}">■</span> {_e(LABELS[c])}' for c in wide.columns)
    return "".join(parts) + f"<p>{legend}</p>"


def horizontal_bars(labels: list[str], values: list[int], unit: str) -> str:
    """Bars of fen amounts, labelled in 万元."""
    width, row = 760, 22
    height = row * max(len(labels), 1) + 10
    top = max(max(values, default=1), 1)
    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}">']
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 5 + i * row
        w = (width - 330) * max(value, 0) / top
        parts.append(
            f'<text x="220" y="{y + 14}" text-anchor="end" font-size="12">{_e(label)}</text>'
            f'<rect x="226" y="{y + 3}" width="{w:.1f}" height="{row - 6}" fill="#2b6cb0"/>'
            f'<text x="{232 + w:.1f}" y="{y + 14}" font-size="11">{wan_text(value, grouped=True)}{unit}</text>'
        )
    return "".join(parts) + "</svg>"


def table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in frame.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in frame.itertuples(index=False)
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render(
    year: int,
    indicators: list[dict],
    budget: pd.DataFrame,
    funding: dict,
    series: dict,
    township_names: pd.Series,
    declaration_md: str,
) -> str:
    ind_table = pd.DataFrame(
        {
            "指标 indicator": [f"{i['indicator_zh']} / {i['indicator_en']}" for i in indicators],
            "目标 target": [i["target"] for i in indicators],
            "实际 measured": [_share(i["value"]) for i in indicators],
            "分子 numerator": [_count(i["numerator"]) for i in indicators],
            "分母 denominator": [_count(i["denominator"]) for i in indicators],
            "结论 result": [PASS.get(i["passed"], "不可测 not measurable") for i in indicators],
            "定义 definition": [f"{i['definition_zh']} {i['definition_en']}" for i in indicators],
            "说明 note": [i["note"] for i in indicators],
        }
    )
    towns = series["townships"]
    town_labels = [f"{c} {township_names.get(c, '')}" for c in towns["township_code"].fillna("")]
    deaths = series["deaths"]
    budget_table = pd.DataFrame(
        {
            "预算项目 line": budget["line_zh"],
            "申报 declared (万元)": budget["declared_wan"].map(_count),
            "实际 actual (万元)": [wan_text(f, grouped=True) for f in budget["actual_fen"]],
            "差额 difference (万元)": budget["difference_wan"].map(
                lambda d: "" if d is None or pd.isna(d) else f"{d:,}"
            ),
            "执行率 execution": budget["execution_rate"].map(_share),
        }
    )
    funding_rows = pd.DataFrame(
        [
            {"资金来源 source": FUNDING_LABELS[k], "万元": wan_text(v, grouped=True)}
            for k, v in funding.items()
            if k in FUNDING_LABELS
        ]
    )
    css = (
        "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#222}"
        "table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}"
        "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
        "th{background:#f3f4f6}h2{border-bottom:2px solid #2b6cb0;padding-bottom:4px}"
    )
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{year}年度居民养老保险绩效 / resident pension {year}</title>
<style>{css}</style></head><body>
<h1>{year}年度居民养老保险 绩效指标与预算执行<br>
<small>Resident pension {year}: indicators and budget execution</small></h1>
<h2>绩效指标 Indicators</h2>{table(ind_table)}
<h2>每月发放金额（按项目） Monthly payout by component</h2>{stacked_month_bars(series["monthly"])}
<h2>各镇街发放金额 Payout per township</h2>
{horizontal_bars(town_labels, towns["fen"].astype(int).tolist(), "万元")}
<h2>每月死亡登记与丧葬费 Deaths registered and funeral grants per month</h2>
{table(deaths.rename(columns={"run_month": "月份 month", "deaths": "死亡登记 deaths", "grants": "丧葬费发放 grants"}))}
<h2>预算执行 Budget execution</h2>{table(budget_table)}
<h2>资金来源 Funding split</h2>{table(funding_rows)}<p>{_e(funding.get("note", ""))}</p>
<h2>下年度申报 Next year's declaration</h2><pre style="white-space:pre-wrap">{_e(declaration_md)}</pre>
</body></html>
"""
