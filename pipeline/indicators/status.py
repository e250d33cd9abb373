"""What the budget officer must know before trusting the report: which months are closed or
still drafts, whether the inputs are the sample, when and by which code the report was made,
and the checks that catch numbers nobody should sign (a negative appropriation, say)."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from pipeline.emit.files import sha256_of
from pipeline.paths import DEFAULT_INBOX, Inbox, OutDir

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLAUSIBLE_EXECUTION = (0.5, 1.5)  # a line spent below half or above 150% of its declaration


def month_states(out: OutDir, year: int) -> list[dict]:
    """One row per month of the year: closed / draft / not run, and its manifest's hash."""
    rows = []
    for m in range(1, 13):
        month = f"{year}-{m:02d}"
        folder = out.month(month)
        status_file, manifest = folder / "status.json", folder / "manifest.json"
        status = json.loads(status_file.read_text(encoding="utf-8"))["status"] if status_file.is_file() else "not run"
        code = json.loads(manifest.read_text(encoding="utf-8")).get("code_version", "") if manifest.is_file() else ""
        rows.append(
            {
                "month": month,
                "status": status,
                "manifest_sha256": sha256_of(manifest) if manifest.is_file() else "",
                "code_version": code,
            }
        )
    return rows


def report_status(out: OutDir, inbox: Inbox, year: int, code_version: str) -> dict:
    months = month_states(out, year)
    return {
        "months": months,
        "closed": [m["month"] for m in months if m["status"] == "closed"],
        "draft": [m["month"] for m in months if m["status"] == "draft"],
        "not_run": [m["month"] for m in months if m["status"] == "not run"],
        "sample": inbox.root.resolve() == DEFAULT_INBOX.resolve() or "sample" in inbox.root.resolve().parts,
        "inbox": inbox.root.name,
        "generated_at": datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S %Z"),
        "code_version": code_version,
    }


def warnings(status: dict, budget_rows: list[dict], funding: dict, projection: dict) -> list[str]:
    """Sentences for the top of the report: each a reason not to sign the numbers as they stand."""
    found = []
    if status["sample"]:
        found.append("输入为样例数据 the inputs are the repository's sample (synthetic) data, not the county's.")
    if status["draft"] or status["not_run"]:
        found.append(
            f"年度未全部关账 the year is not closed: {len(status['closed'])} of 12 months closed"
            + (f"; drafts {', '.join(status['draft'])}" if status["draft"] else "")
            + (f"; not run {', '.join(status['not_run'])}" if status["not_run"] else "")
            + ". Figures may still change."
        )
    low, high = PLAUSIBLE_EXECUTION
    for row in budget_rows:
        rate = row.get("execution_rate")
        if rate is not None and rate == rate and not low <= rate <= high:
            found.append(
                f"执行率不合理 implausible execution rate for {row['line_zh']}: {rate:.2%} "
                f"(expected {low:.0%}–{high:.0%}); check the declared budget and the data's coverage."
            )
    if funding.get("city_appropriation_fen", 0) < 0:
        found.append(
            "市财政拨款为负 the city's share this year comes out negative: the configured central subsidy "
            "exceeds it (the data covers far fewer people than the declared budget)."
        )
    if projection.get("city_request_fen", 0) < 0:
        found.append(
            "申请拨款为负 next year's request to the city comes out negative: the declaration is not "
            "fit to submit as it stands (the projection is built from this data's head counts)."
        )
    return found
