"""summary.json (for machines and the Prefect artifact) and summary.md (for people)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.emit.files import write_json
from pipeline.policy import Policy
from pipeline.validate.month import ValidatedMonth


def validation_summary(month: ValidatedMonth, policy: Policy) -> dict:
    counts = month.row_counts
    rejects = month.rejects
    by_kind = counts.groupby("input_kind")[["rows_read", "accepted", "rejected"]].sum()
    reasons = (
        rejects.groupby(["township_code", "reason_code"]).size().rename("rows").reset_index()
        .sort_values(["township_code", "reason_code"], ignore_index=True)
    )
    return {
        "rows": {
            "per_file": counts.to_dict(orient="records"),
            "per_kind": {k: {c: int(v) for c, v in row.items()} for k, row in by_kind.iterrows()},
            "reconciles": bool((counts["rows_read"] == counts["accepted"] + counts["rejected"]).all()),
        },
        "rejects_by_township_and_reason": reasons.to_dict(orient="records"),
        "roster": {
            "accepted": len(month.roster),
            "by_status": {k: int(v) for k, v in month.roster["status"].value_counts().sort_index().items()},
        },
        "deaths": {
            "accepted": len(month.deaths),
            "unmatched": int((~month.deaths["matched"]).sum()),
        },
        "bank_return_lines": {
            "accepted": len(month.bank_returns),
            "failed": int((month.bank_returns["result"] == "failed").sum()),
        },
    }


def write_summary(summary: dict, folder: Path) -> None:
    write_json(summary, folder / "summary.json")
    (folder / "summary.md").write_text(summary_markdown(summary), encoding="utf-8")


def summary_markdown(summary: dict) -> str:
    per_file = pd.DataFrame(summary["rows"]["per_file"])
    lines = ["# Monthly run summary 月度发放汇总", "", "## Rows 行数核对 (rows read = accepted + rejected)", ""]
    lines += _table(per_file, ["input_kind", "source_file", "township_code", "rows_read", "accepted", "rejected"])
    lines += ["", f"All files reconcile: **{summary['rows']['reconciles']}**", ""]
    reasons = pd.DataFrame(summary["rejects_by_township_and_reason"])
    if not reasons.empty:
        lines += ["## Rejects by township and reason 退回原因", ""]
        lines += _table(reasons, ["township_code", "reason_code", "rows"])
    return "\n".join(lines) + "\n"


def _table(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    if frame.empty:
        return ["(none)"]
    rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    rows += ["| " + " | ".join(str(v) for v in record) + " |" for record in frame[columns].itertuples(index=False)]
    return rows
