"""Next year's 项目资金总额的计算依据, in the seed's own form, with the arithmetic shown."""

from __future__ import annotations

from pipeline.core.money import FEN_PER_WAN, rate_yuan_text, wan_text
from pipeline.policy import Policy


def project(
    counts: dict,
    *,
    year: int,
    policy: Policy,
    continuation: float | None,
    zone_share: float,
    central_subsidy_wan: int | None,
) -> dict:
    """Head counts and money (fen) for year+1 from this year's counts and next year's rates."""
    rate = policy.rate_in(f"{year + 1}-01")
    death_rate = counts["deaths_year"] / counts["pensioners_avg_year"] if counts["pensioners_avg_year"] else 0.0
    deaths = round(death_rate * counts["pensioners_now"])
    # average monthly head counts of next year: today's, plus entrants for the months they draw,
    # less the deaths spread over the year (half a year lost on average)
    pensioners = round(counts["pensioners_now"] + counts["entrant_months"] / 12 - deaths / 2)
    over_65 = round(counts["pensioners_65_now"] * (1 - death_rate / 2) + counts["turning_65_months"] / 12)
    # the contributors the accounts show (credited a subsidy this year); a year whose runs credited
    # none (its contributions not in yet) falls back on the roster's contributors, and says so
    from_accounts = counts.get("subsidy_accounts_next", 0) > 0
    base = counts["subsidy_accounts_next"] if from_accounts else counts["contributors_next"]
    contributors = round(base * (continuation if continuation is not None else 1.0))
    money = {
        "contribution_subsidy": contributors * policy.subsidy_per_person_fen,
        "base_pension": pensioners * int(rate["base_fen"]) * 12,
        "topup65": over_65 * int(rate["topup65_fen"]) * 12,
        "funeral_grant": deaths * int(rate["base_fen"]) * policy.funeral_grant_months,
    }
    total = sum(money.values())
    zones = round(total * zone_share)
    remaining = total - zones
    townships = remaining // 2
    central = (central_subsidy_wan or 0) * FEN_PER_WAN
    return {
        "year": year + 1,
        "rates": {
            "base_fen": int(rate["base_fen"]),
            "topup65_fen": int(rate["topup65_fen"]),
            "subsidy_per_person_fen": policy.subsidy_per_person_fen,
            "funeral_grant_months": policy.funeral_grant_months,
        },
        "counts": {"contributors": contributors, "pensioners": pensioners, "over_65": over_65, "deaths": deaths},
        "inputs": {
            **counts,
            "death_rate": round(death_rate, 6),
            "continuation": continuation,
            "contributors_basis": "accounts" if from_accounts else "roster",
            "zone_share": round(zone_share, 6),
        },
        "money_fen": money,
        "total_fen": total,
        "zones_fen": zones,
        "remaining_fen": remaining,
        "townships_fen": townships,
        "central_fen": central,
        "city_request_fen": remaining - townships - central,
    }


yuan = rate_yuan_text
wan = wan_text


def _request_sentence(fen: int) -> str:
    """A negative request is no request: say so rather than ask for minus millions."""
    if fen >= 0:
        return f"申请财政专项拨款{wan(fen)}万元。"
    return (
        f"申请财政专项拨款：无法按此申报（测算结果为负{wan(fen)}万元：央补资金大于余下部分减乡镇承担，"
        "数据覆盖人数远少于申报口径，请核对后再填）。"
    )


def _contributors_line(p: dict, continuation) -> str:
    i, c = p["inputs"], p["counts"]
    if i.get("contributors_basis") == "accounts":
        counted = (
            f"{i['subsidy_accounts_next']} personal accounts credited a subsidy in {p['year'] - 1} whose holders "
            f"are contributors on the last roster still under pension age at the end of {p['year']}"
        )
    else:
        counted = (
            f"{i['contributors_next']} contributors on the last roster still under pension age at the end of "
            f"{p['year']} (none of whom has an account credited a subsidy in {p['year'] - 1})"
        )
    return f"- 缴费人数 contributors = {counted} × continuation rate {continuation} = {c['contributors']}"


def declaration_markdown(p: dict) -> str:
    r, c, m = p["rates"], p["counts"], p["money_fen"]
    i = p["inputs"]
    continuation = i["continuation"] if i["continuation"] is not None else "n/a (1.0 used)"
    basis = (
        f"缴费人数{c['contributors']}人*{yuan(r['subsidy_per_person_fen'])}元/人={wan(m['contribution_subsidy'])}万元。"
        f"居保基础养老金发放：{c['pensioners']}人*{yuan(r['base_fen'])}元/月*12={wan(m['base_pension'])}万元。"
        f"居保待遇（65周岁以上）倾斜金额：{c['over_65']}人*{yuan(r['topup65_fen'])}元/月*12={wan(m['topup65'])}万元。"
        f"居保死亡人员丧葬费：{c['deaths']}人*{yuan(r['base_fen'])}元/人*{r['funeral_grant_months']}={wan(m['funeral_grant'])}万元。"
        f"全年预计总支出{wan(p['total_fen'])}万元。其中两个开发区{wan(p['zones_fen'])}万元全额自筹，"
        f"余下{wan(p['remaining_fen'])}万元，乡镇承担{wan(p['townships_fen'])}万元，央补资金划拨{wan(p['central_fen'])}万元，"
        + _request_sentence(p["city_request_fen"])
    )
    lines = [
        f"# {p['year']}年度居民养老保险 项目资金总额的计算依据 (projected)",
        "",
        "## 计算依据 (in the form of the declaration)",
        "",
        basis,
        "",
        "## How the counts were projected (for the budget officer to check)",
        "",
        _contributors_line(p, continuation),
        f"- 领取人数 pensioners (average month) = {i['pensioners_now']} now "
        f"+ {i['entrant_months']} entrant-months / 12 "
        f"({i['entrants']} people reach pension age in {p['year']}) − {c['deaths']} deaths / 2 = {c['pensioners']}",
        f"- 65周岁以上 = {i['pensioners_65_now']} now × (1 − death rate {i['death_rate']} / 2) "
        f"+ {i['turning_65_months']} top-up months / 12 of people turning 65 = {c['over_65']}",
        f"- 死亡人数 deaths = death rate {i['death_rate']} ({i['deaths_year']} deaths ÷ {i['pensioners_avg_year']} "
        f"pensioners on an average roster) × {i['pensioners_now']} = {c['deaths']}",
        f"- rates in force in {p['year']}-01 (policy file): base {yuan(r['base_fen'])} 元/月, "
        f"65+ {yuan(r['topup65_fen'])} 元/月, "
        f"subsidy {yuan(r['subsidy_per_person_fen'])} 元/人, funeral grant {r['funeral_grant_months']} months of base",
        f"- development zones' share {i['zone_share']:.4f} = their share of this year's actual cost",
        "",
    ]
    return "\n".join(lines)
