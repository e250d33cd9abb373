"""report.html: one self-contained page for the budget officer (inline SVG, no scripts, no network).

It opens with the report's status (months closed or draft, sample inputs, when and by which code
it was made, the months' manifest hashes) and any warning that makes a number unfit to sign. The
generation time makes this one file differ between runs; every other output stays byte-identical.
"""

from __future__ import annotations

import html
import math
import re

import pandas as pd

from pipeline.core.money import wan_amount, wan_text, yuan_text

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


def artifact_rows(indicators: list[dict]) -> list[dict]:
    """The indicators as the yearly Prefect artifact shows them: values as the report writes them
    (97.02%, not 0.970248), the result in words."""
    return [
        {
            "indicator_zh": i["indicator_zh"],
            "indicator_en": i["indicator_en"],
            "target": i["target"],
            "value": _share(i["value"]),
            "numerator": _count(i["numerator"]),
            "denominator": _count(i["denominator"]),
            "result": PASS.get(i["passed"], "不可测 not measurable"),
            "note": i["note"],
        }
        for i in indicators
    ]


def _count(value) -> str:
    return "" if value is None or pd.isna(value) else f"{int(value):,}"


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def stacked_month_bars(monthly: pd.DataFrame) -> str:
    wide = monthly.pivot_table(index="run_month", columns="component", values="fen", aggfunc="sum", fill_value=0)
    wide = wide.reindex(columns=[c for c in COLOURS if c in wide.columns])
    width, height, left, bottom = 760, 280, 70, 40
    step = nice_step(int(wide.clip(lower=0).sum(axis=1).max()) if len(wide) else 1)
    top = step * 4
    bar = (width - left - 10) / max(len(wide), 1)
    parts = [
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        'aria-label="monthly payout by component">'
    ]
    for tick in range(5):
        value = step * tick
        y = height - bottom - (height - bottom - 10) * tick / 4
        parts.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">'
            f"{_tick(int(value))}万</text>"
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


def nice_step(top_fen: int, ticks: int = 4) -> int:
    """A round tick step (1, 2 or 5 × 10^k 万元, in fen) with `ticks` steps covering top_fen."""
    wan = max(top_fen, 1) / 1_000_000 / ticks
    power = 10 ** math.floor(math.log10(wan))
    for factor in (1, 2, 5, 10):
        if factor * power >= wan:
            return max(round(factor * power * 1_000_000), 1)
    return round(10 * power * 1_000_000)


def _tick(fen: int) -> str:
    """A tick in 万元 without trailing zeros: 200万, 2.5万."""
    return f"{wan_amount(fen).normalize():,f}"


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


def _td(column: str, value, numeric: set[str]) -> str:
    text = _e(value)
    if column in numeric:
        return f'<td class="num">{text}</td>'
    if value in (PASS[True], PASS[False]):
        return f'<td class="{"pass" if value == PASS[True] else "fail"}">{text}</td>'
    return f"<td>{text}</td>"


def table(frame: pd.DataFrame, numeric: tuple[str, ...] = (), total: dict | None = None) -> str:
    """An HTML table: numeric columns right-aligned, pass/fail coloured, an optional total row."""
    numbers = set(numeric)
    columns = list(frame.columns)
    head = "".join(f'<th class="num">{_e(c)}</th>' if c in numbers else f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(_td(c, v, numbers) for c, v in zip(columns, row, strict=True)) + "</tr>"
        for row in frame.itertuples(index=False)
    )
    foot = ""
    if total is not None:
        foot = (
            '<tfoot><tr class="total">' + "".join(_td(c, total.get(c, ""), numbers) for c in columns) + "</tr></tfoot>"
        )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>{foot}</table>"


def markdown_html(text: str) -> str:
    """The declaration's Markdown (headings, paragraphs, bullet lists) as HTML; nothing else is
    used in it, so a small converter is enough and the page needs no library or network."""
    parts, items = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("- "):
            items.append(f"<li>{_e(line[2:])}</li>")
            continue
        if items:
            parts.append("<ul>" + "".join(items) + "</ul>")
            items = []
        heading = re.match(r"^(#{1,6}) (.*)$", line)
        if heading:
            level = min(len(heading.group(1)) + 2, 6)  # under the page's own h1/h2
            parts.append(f"<h{level}>{_e(heading.group(2))}</h{level}>")
        elif line.strip():
            parts.append(f"<p>{_e(line)}</p>")
    return "\n".join(parts)


FORM_LINES = (  # the declaration's lines: (label, count key, rate key, rate unit, times, money key)
    ("缴费补贴 contribution subsidy", "contributors", "subsidy_per_person_fen", "元/人", "", "contribution_subsidy"),
    ("基础养老金 base pension", "pensioners", "base_fen", "元/月", "×12", "base_pension"),
    ("65周岁以上倾斜 top-up 65+", "over_65", "topup65_fen", "元/月", "×12", "topup65"),
    ("丧葬费 funeral grant", "deaths", "base_fen", "元/人", "×{months}", "funeral_grant"),
)


def declaration_form(p: dict) -> str:
    """Next year's 项目资金总额的计算依据 as a form: one line per item, then the funding split."""
    r, c, m = p["rates"], p["counts"], p["money_fen"]
    rows = [
        {
            "项目 item": label,
            "人数 people": f"{c[count]:,}",
            "标准 rate": f"{yuan_text(r[rate], grouped=False)} {unit}",
            "月数 months": times.format(months=r["funeral_grant_months"]),
            "金额 amount (万元)": wan_text(m[money], grouped=True),
        }
        for label, count, rate, unit, times, money in FORM_LINES
    ]
    request = p["city_request_fen"]
    split = [
        ("全年预计总支出 total", p["total_fen"]),
        ("开发区全额自筹 development zones (self-funded)", p["zones_fen"]),
        ("余下 remaining", p["remaining_fen"]),
        ("乡镇承担 townships", p["townships_fen"]),
        ("央补资金划拨 central subsidy", p["central_fen"]),
    ]
    split_rows = pd.DataFrame([{"资金 funding": k, "万元": wan_text(v, grouped=True)} for k, v in split])
    ask = (
        wan_text(request, grouped=True)
        if request >= 0
        else f"⚠ 不可申报 not fit to submit (computed {wan_text(request, grouped=True)})"
    )
    numeric = ("人数 people", "标准 rate", "金额 amount (万元)")
    form = table(
        pd.DataFrame(rows),
        numeric,
        {"项目 item": "合计 total", "金额 amount (万元)": wan_text(p["total_fen"], grouped=True)},
    )
    return f"<h3>{p['year']}年度 项目资金总额的计算依据 (projected)</h3>{form}" + table(
        split_rows, ("万元",), {"资金 funding": "申请财政专项拨款 request to the city", "万元": ask}
    )


def status_block(status: dict, warnings: list[str]) -> str:
    months = pd.DataFrame(
        {
            "月份 month": [m["month"] for m in status["months"]],
            "状态 status": [
                {"closed": "已关账 closed", "draft": "草稿 draft"}.get(m["status"], "未运行 not run")
                for m in status["months"]
            ],
            "manifest sha256": [m["manifest_sha256"][:12] for m in status["months"]],
            "代码版本 code": [m["code_version"][:12] for m in status["months"]],
        }
    )
    facts = [
        f"已关账 closed: {len(status['closed'])}/12"
        + (f" · 草稿 draft: {', '.join(status['draft'])}" if status["draft"] else "")
        + (f" · 未运行 not run: {len(status['not_run'])}" if status["not_run"] else ""),
        "输入 inputs: " + ("样例数据 sample (synthetic)" if status["sample"] else f"inbox `{status['inbox']}`"),
        f"生成时间 generated: {status['generated_at']}",
        f"代码版本 code version: {status['code_version']}",
    ]
    warned = "".join(f"<li>{_e(w)}</li>" for w in warnings)
    box = f'<div class="warn"><strong>⚠ 注意 Warnings</strong><ul>{warned}</ul></div>' if warnings else ""
    return (
        '<section class="status"><h2>报告状态 Report status</h2><ul>'
        + "".join(f"<li>{_e(f)}</li>" for f in facts)
        + f"</ul>{box}<details open><summary>各月状态与清单哈希 months and manifest hashes</summary>"
        + table(months)
        + "</details></section>"
    )


WHERE_FAILING = {  # where an auditor lists the lines behind a failed indicator
    "coverage": "the `people` step of pipeline/sql/indicators/coverage.sql (fully_paid = false); "
    "why: view `holds_current`",
    "accuracy": "view `ledger` where kind = 'reversal' or kind = 'recovery' (pipeline/sql/indicators/accuracy.sql)",
    "timeliness": "pipeline/sql/indicators/timeliness.sql "
    "(months paid late: view `arrears`; bounced: `ledger` reversals)",
    "continuation": "pipeline/sql/indicators/continuation.sql (last year's contributors not found this year)",
    "contribution_quality": "contribution_rejects.csv in this folder (one line per rejected contribution row)",
    "contribution_timeliness": "pipeline/sql/indicators/contribution_timeliness.sql (contributions paid before Q4)",
}


CSS = (
    "body{font-family:'Noto Sans CJK SC','Microsoft YaHei',sans-serif;margin:24px;color:#222}"
    "table{border-collapse:collapse;margin:8px 0 20px;font-size:13px}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f3f4f6}h2{border-bottom:2px solid #2b6cb0;padding-bottom:4px}"
    "td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "tr.total td{font-weight:bold;border-top:2px solid #555;background:#fafafa}"
    "td.pass{color:#22543d;background:#c6f6d5;font-weight:bold}td.fail{color:#742a2a;background:#fed7d7;font-weight:bold}"
    ".status{background:#f7fafc;border:1px solid #cbd5e0;padding:4px 16px;margin-bottom:16px}"
    ".warn{background:#fffaf0;border:2px solid #dd6b20;padding:4px 12px;margin:8px 0}"
    ".declaration{border:1px solid #999;padding:4px 16px}"
    "@page{size:A4 landscape;margin:12mm}"
    "@media print{body{margin:0;font-size:11px}h2{break-after:avoid}tr,svg,.warn{break-inside:avoid}"
    "details{display:block}summary{display:none}.status,.warn{border-color:#000}"
    "td.pass,td.fail{-webkit-print-color-adjust:exact;print-color-adjust:exact}}"
)


def _indicator_table(indicators: list[dict]) -> str:
    frame = pd.DataFrame(
        {
            "指标 indicator": [f"{i['indicator_zh']} / {i['indicator_en']}" for i in indicators],
            "目标 target": [i["target"] for i in indicators],
            "实际 measured": [_share(i["value"]) for i in indicators],
            "分子 numerator": [_count(i["numerator"]) for i in indicators],
            "分母 denominator": [_count(i["denominator"]) for i in indicators],
            "结论 result": [PASS.get(i["passed"], "不可测 not measurable") for i in indicators],
            "定义 definition": [f"{i['definition_zh']} {i['definition_en']}" for i in indicators],
            "说明 note": [
                " ".join(
                    x
                    for x in (
                        i["note"],
                        f"未达标行见 failing lines: {WHERE_FAILING.get(i['key'], i.get('query', ''))}"
                        if i["passed"] is False
                        else "",
                    )
                    if x
                )
                for i in indicators
            ],
        }
    )
    return table(frame, ("实际 measured", "分子 numerator", "分母 denominator"))


def _budget_table(budget: pd.DataFrame) -> str:
    declared = budget["declared_wan"].dropna()
    frame = pd.DataFrame(
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
    in_budget = budget["declared_wan"].notna()
    total = {
        "预算项目 line": "合计（申报预算内）total of the declared lines",
        "申报 declared (万元)": _count(declared.sum()),
        "实际 actual (万元)": wan_text(int(budget.loc[in_budget, "actual_fen"].sum()), grouped=True),
    }
    numeric = ("申报 declared (万元)", "实际 actual (万元)", "差额 difference (万元)", "执行率 execution")
    return table(frame, numeric, total)


def render(
    year: int,
    indicators: list[dict],
    budget: pd.DataFrame,
    funding: dict,
    series: dict,
    township_names: pd.Series,
    declaration_md: str,
    *,
    projection: dict | None = None,
    status: dict | None = None,
    warnings: tuple[str, ...] = (),
) -> str:
    towns = series["townships"]
    town_labels = [f"{c} {township_names.get(c, '')}" for c in towns["township_code"].fillna("")]
    deaths = series["deaths"].rename(
        columns={"run_month": "月份 month", "deaths": "死亡登记 deaths", "grants": "丧葬费发放 grants"}
    )
    deaths_total = {
        "月份 month": "合计 total",
        "死亡登记 deaths": f"{int(deaths['死亡登记 deaths'].sum()):,}",
        "丧葬费发放 grants": f"{int(deaths['丧葬费发放 grants'].sum()):,}",
    }
    funding_rows = pd.DataFrame(
        [
            {"资金来源 source": FUNDING_LABELS[k], "万元": wan_text(v, grouped=True)}
            for k, v in funding.items()
            if k in FUNDING_LABELS
        ]
    )
    form = declaration_form(projection) if projection else ""
    head = status_block(status, list(warnings)) if status else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{year}年度居民养老保险绩效 / resident pension {year}</title>
<style>{CSS}</style></head><body>
<h1>{year}年度居民养老保险 绩效指标与预算执行<br>
<small>Resident pension {year}: indicators and budget execution</small></h1>
{head}
<h2>绩效指标 Indicators</h2>{_indicator_table(indicators)}
<h2>每月发放金额（按项目） Monthly payout by component</h2>{stacked_month_bars(series["monthly"])}
<h2>各镇街发放金额 Payout per township</h2>
{horizontal_bars(town_labels, towns["fen"].astype(int).tolist(), "万元")}
<p>合计 total: {wan_text(int(towns["fen"].sum()), grouped=True)}万元</p>
<h2>每月死亡登记与丧葬费 Deaths registered and funeral grants per month</h2>
{table(deaths, ("死亡登记 deaths", "丧葬费发放 grants"), deaths_total)}
<h2>预算执行 Budget execution</h2>{_budget_table(budget)}
<h2>资金来源 Funding split</h2>{table(funding_rows, ("万元",))}<p>{_e(funding.get("note", ""))}</p>
<h2>下年度申报 Next year's declaration</h2>
<section class="declaration">{form}{markdown_html(declaration_md)}</section>
</body></html>
"""
