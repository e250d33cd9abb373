"""`payout indicators --year YYYY`: the seed's form filled with facts, under out/indicators/YYYY/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from pipeline.durable import atomic_write_bytes
from pipeline.emit.files import write_csv, write_json, write_parquet
from pipeline.emit.lists import write_list
from pipeline.indicators import budget as budget_lines
from pipeline.indicators.accounts import account_figures, contributions_by_tier
from pipeline.indicators.declaration import declaration_markdown, project
from pipeline.indicators.measure import (
    YearData,
    budget_actuals,
    connect_year,
    declaration_counts,
    measure_indicators,
    report_series,
)
from pipeline.indicators.report import render
from pipeline.indicators.status import report_status, warnings
from pipeline.ingest.inputs import read_files
from pipeline.lifecycle import publish
from pipeline.paths import Inbox, OutDir
from pipeline.policy import Policy
from pipeline.run import code_version
from pipeline.validate.contributions import validate_contributions
from pipeline.validate.reject_rows import empty_rejects
from schemas.contribution import Contribution
from schemas.empty import empty_frame


def load_year(inbox: Inbox, year: int, policy: Policy) -> YearData:
    def contributions(y: int):
        files = inbox.contributions(y)
        if not files:
            return empty_frame(Contribution), empty_rejects()
        raw = read_files(files, "contributions", inbox.root, headers=policy.header_rules)
        result = validate_contributions(raw, year=y, tiers=policy.contribution_tiers)
        return result.accepted, result.rejects

    accepted, rejects = contributions(year)
    previous, _ = contributions(year - 1)
    return YearData(year, accepted, rejects, previous)


def run_indicators(year: int, *, inbox: Inbox, out: OutDir, policy: Policy) -> Path:
    data = load_year(inbox, year, policy)
    target = out.root / "indicators" / str(year)
    staging = out.root / "indicators" / f".staging-{year}"
    if staging.exists():
        shutil.rmtree(staging)
    write_parquet(data.contributions, staging / "contributions.parquet")
    write_parquet(data.contribution_rejects, staging / "contribution_rejects.parquet")
    write_parquet(data.contributions_previous, staging / "contributions_previous.parquet")
    declared = policy.budget(year) or {}
    with connect_year(out, data, policy) as con:
        indicators = measure_indicators(con, policy)
        actuals = budget_actuals(con)
        counts = declaration_counts(con)
        series = report_series(con)
        accounts = account_figures(con, declared or None)
        tiers = contributions_by_tier(con)
    table = budget_lines.budget_table(actuals, declared or None)
    funding, per_township = budget_lines.funding_split(actuals, policy, declared.get("central_subsidy_wan"))
    continuation = next(i["value"] for i in indicators if i["key"] == "continuation")
    zone_share = funding["zones_self_funded_fen"] / funding["total_fen"] if funding["total_fen"] else 0.0
    next_budget = policy.budget(year + 1) or declared
    projection = project(
        counts,
        year=year,
        policy=policy,
        continuation=continuation,
        zone_share=zone_share,
        central_subsidy_wan=next_budget.get("central_subsidy_wan"),
    )
    declaration = declaration_markdown(projection)

    write_json({"year": year, "indicators": indicators}, staging / "indicators.json")
    write_csv(pd.DataFrame(indicators), staging / "indicators.csv")
    write_list(
        budget_lines.budget_for_people(table),
        staging / "budget.csv",
        label="预算执行 budget execution",
        month=f"{year}年度",
        township="全市 whole city",
        amounts=budget_lines.PEOPLE_AMOUNTS,
    )
    write_csv(per_township, staging / "funding_by_township.csv")
    write_json(
        {"budget": table.to_dict(orient="records"), "funding": funding, "projection": projection},
        staging / "budget.json",
    )
    write_csv(data.contribution_rejects, staging / "contribution_rejects.csv")
    write_json({"year": year, "accounts": accounts}, staging / "accounts.json")
    write_csv(tiers, staging / "contributions_by_tier.csv")
    atomic_write_bytes(staging / f"declaration_{year + 1}.md", declaration.encode("utf-8"))
    township_names = policy.townships.set_index("code")["name"]
    status = report_status(out, inbox, year, code_version())
    cautions = warnings(status, table.to_dict(orient="records"), funding, projection)
    page = render(
        year,
        indicators,
        table,
        funding,
        series,
        township_names,
        declaration,
        projection=projection,
        status=status,
        warnings=tuple(cautions),
    )
    atomic_write_bytes(staging / "report.html", page.encode("utf-8"))
    publish(staging, target)
    return target
