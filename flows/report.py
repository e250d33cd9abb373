"""What the Prefect UI shows of a month: built from summary.json and audit.json only.

summary.json holds counts and money, never an ID number or an account; nothing here reads the
rejects, holds or ledger rows. Hashes are shortened to 12 characters (enough to compare by eye;
the control files and manifest.json keep the full ones). No Prefect import: tested as plain code.
"""

from __future__ import annotations

from pathlib import Path

from pipeline.emit.summary import change_sentence
from pipeline.money_text import yuan_text

MONEY_COLUMNS = ("payment", "recovery", "reversal", "net")
OFFICE_FILES = (
    "summary.md",
    "rejects.csv",
    "holds.csv",
    "recoveries.csv",
    "funeral_grants.csv",
    "funeral_grants.xlsx",
    "changes.csv",
    "manifest.json",
    "audit.json",
)


def yuan(fen: int) -> str:
    return yuan_text(fen)


def short(digest: str | None) -> str:
    return (digest or "")[:12]


def money_table(summary: dict, township_names: dict[str, str]) -> list[dict]:
    """Money per township and component in yuan, then one total line per component."""
    rows = summary.get("money", {}).get("per_township_component_fen", [])
    table = [
        {
            "township_code": r["township_code"],
            "township": township_names.get(r["township_code"], ""),
            "component": r["component"],
            **{c: yuan(r[c]) for c in MONEY_COLUMNS},
        }
        for r in rows
    ]
    totals: dict[str, dict[str, int]] = {}
    for r in rows:
        per = totals.setdefault(r["component"], dict.fromkeys(MONEY_COLUMNS, 0))
        for c in MONEY_COLUMNS:
            per[c] += r[c]
    table += [
        {
            "township_code": "all",
            "township": "合计 total",
            "component": component,
            **{c: yuan(v) for c, v in values.items()},
        }
        for component, values in sorted(totals.items())
    ]
    return table


def rejects_table(summary: dict, township_names: dict[str, str]) -> dict[str, list]:
    """Reject counts per township and reason (counts only: the rows stay in rejects.csv)."""
    rows = summary.get("rejects_by_township_and_reason", [])
    return {
        "township_code": [r["township_code"] for r in rows],
        "township": [township_names.get(r["township_code"], "") for r in rows],
        "reason_code": [r["reason_code"] for r in rows],
        "rows": [int(r["rows"]) for r in rows],
    }


def report_markdown(
    month: str,
    folder: Path,
    summary: dict,
    audit: dict | None,
    *,
    status: str,
    manifest_sha256: str | None,
    ledger_partition: Path,
) -> str:
    """The month at a glance: reconciliations, money, holds and recoveries, audit, files."""
    lines = [
        f"# Monthly payout {month} 月度发放",
        "",
        f"Status: **{status}** · manifest `{short(manifest_sha256)}` · folder `{folder}`",
        "",
    ]
    rows = summary.get("rows", {})
    lines += [
        "## Rows 行数 (read = accepted + rejected)",
        "",
        "| input | read | accepted | rejected |",
        "|---|---|---|---|",
    ]
    for kind, c in sorted(rows.get("per_kind", {}).items()):
        lines.append(f"| {kind} | {c['rows_read']} | {c['accepted']} | {c['rejected']} |")
    lines += ["", f"Every file reconciles: **{rows.get('reconciles')}**", ""]
    money = summary.get("money")
    if money:
        holds = money.get("holds_fen_by_reason", {})
        lines += [
            "## Money 金额 (yuan 元)",
            "",
            f"- payments 发放: {yuan(money['payments_fen'])} to {money['people_paid']} people; "
            f"funeral grants issued 丧葬补助: {money['funeral_grants_issued']}",
            f"- recoveries 追回: {yuan(money['recoveries_fen'])}, "
            f"of which owed 尚欠: {yuan(money['recoveries_owed_fen'])}",
            f"- reversals 银行退回: {yuan(money['reversals_fen'])}",
            f"- holds 暂缓: {money['hold_rows']} rows, "
            + (", ".join(f"{reason} {yuan(fen)}" for reason, fen in sorted(holds.items())) or "none"),
            f"- bank files 银行文件: {yuan(money['bank_total_fen'])}; "
            f"every batch equals its ledger entries: **{money['bank_reconciles']}**",
            "",
            "| batch | file | lines | total (yuan) | reconciles | sha256 |",
            "|---|---|---|---|---|---|",
        ]
        for b in money.get("bank_batches", []):
            lines.append(
                f"| {b['batch_id']} | bank/{b['file']} | {b['line_count']} "
                f"| {yuan(b['total_fen'])} | {b['reconciles']} | `{short(b.get('sha256'))}` |"
            )
        lines.append("")
    lines += ["## Self-audit 自查", ""]
    if audit is None:
        lines += ["(not run)", ""]
    else:
        lines += [f"Passed: **{audit['passed']}**", ""]
        lines += [
            f"- {'✓' if c['violations'] == 0 else '✗'} {c['invariant']}: {c['violations']} violations"
            for c in audit["invariants"]
        ]
        lines.append("")
    lines += ["## Files 文件", ""]
    lines += [f"- `{folder / name}`" for name in OFFICE_FILES if (folder / name).exists()]
    lines += [f"- `{p}`" for p in sorted((folder / "bank").glob("*.csv"))]
    lines += [
        f"- `{folder / 'rejects'}/` (one file per township)",
        f"- ledger `{ledger_partition}/`",
        "",
    ]
    return "\n".join(lines)


def approval_description(month: str, summary: dict, audit: dict | None, manifest_sha256: str) -> str:
    """Shown above the approve/reject form in the Prefect UI."""
    money = summary.get("money", {})
    rows = summary.get("rows", {}).get("per_kind", {})
    rejected = sum(c["rejected"] for c in rows.values())
    return "\n".join(
        [
            f"## Release the {month} payout to the banks? 是否发放",
            "",
            f"- bank files: **{yuan(money.get('bank_total_fen', 0))} yuan** "
            f"to {money.get('people_paid', 0)} people "
            f"(batches reconcile: {money.get('bank_reconciles')})",
            f"- rejected rows: {rejected}; held rows: {money.get('hold_rows', 0)}; "
            f"recoveries owed: {yuan(money.get('recoveries_owed_fen', 0))} yuan",
            f"- {change_sentence(money.get('change_from_last_month'))}",
            f"- self-audit passed: {audit['passed'] if audit else 'not run'}",
            f"- draft manifest `{short(manifest_sha256)}` (see the artifacts of this run)",
            "",
            "Tick **approve** to close the month and release its bank files "
            "(it can never change again). Leave it unticked and give a **reason** to reject: "
            "the draft stays open for a rerun.",
        ]
    )
