"""What the Prefect UI shows of a month: built from summary.json and audit.json only.

summary.json holds counts and money, never an ID number or an account; nothing here reads the
rejects, holds or ledger rows. Hashes are shortened to 12 characters (enough to compare by eye;
the control files and manifest.json keep the full ones). No Prefect import: tested as plain code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline.core.codes import REJECT_REASONS, reject_message
from pipeline.core.money import yuan_text
from pipeline.emit.office_lists import HOLD_REASONS, RECOVERY_REASONS
from pipeline.emit.summary import change_sentence

MONEY_COLUMNS = ("payment", "recovery", "reversal", "net")
TOTAL = "合计 total"
# the office's lists (each a .csv with its .xlsx twin, pipeline/emit/lists.py), then the records
LISTS = ("rejects", "holds", "recoveries", "funeral_grants", "changes")
OFFICE_FILES = (
    "summary.md",
    *(f"{name}.{ext}" for name in LISTS for ext in ("csv", "xlsx")),
    "truncated_payees.csv",
    "summary.json",
    "manifest.json",
    "audit.json",
)
PER_TOWNSHIP_FOLDERS = ("rejects", "funeral_grants")


def short(digest: str | None) -> str:
    return (digest or "")[:12]


def money_table(summary: dict, township_names: dict[str, str]) -> list[dict]:
    """Money per township and component in yuan, one total line per component, then the total."""
    rows = summary.get("money", {}).get("per_township_component_fen", [])
    table = [
        {
            "township_code": r["township_code"],
            "township": township_names.get(r["township_code"], ""),
            "component": r["component"],
            **{c: yuan_text(r[c]) for c in MONEY_COLUMNS},
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
            "township": TOTAL,
            "component": component,
            **{c: yuan_text(v) for c, v in values.items()},
        }
        for component, values in sorted(totals.items())
    ]
    table.append(
        {
            "township_code": "all",
            "township": TOTAL,
            "component": "all",
            **{c: yuan_text(sum(r[c] for r in rows)) for c in MONEY_COLUMNS},
        }
    )
    return table


def reason_message(code: str) -> str:
    return reject_message(code) if code in REJECT_REASONS else ""


def township_reason_table(
    rows: list[dict],
    township_names: dict[str, str],
    *,
    reason_key: str,
    words: Callable[[str], str],
    counts: tuple[str, ...],
    fen: dict[str, str] | None = None,
) -> list[dict]:
    """One line per township and reason (the reason's code and words), its counts and its money
    (fen columns shown in yuan, by the name given), then the total line."""
    fen = fen or {}
    table = [
        {
            "township_code": r["township_code"],
            "township": township_names.get(r["township_code"], ""),
            "reason_code": r[reason_key],
            "reason": words(r[reason_key]),
            **{c: int(r[c]) for c in counts},
            **{shown: yuan_text(r[field]) for shown, field in fen.items()},
        }
        for r in rows
    ]
    total = {
        "township_code": "all",
        "township": TOTAL,
        "reason_code": "",
        "reason": "",
        **{c: sum(int(r[c]) for r in rows) for c in counts},
        **{shown: yuan_text(sum(r[field] for r in rows)) for shown, field in fen.items()},
    }
    return [*table, total]


def rejects_table(summary: dict, township_names: dict[str, str]) -> list[dict]:
    """Reject counts per township and reason with the reason's message (counts only: the rows
    stay in rejects.csv)."""
    return township_reason_table(
        summary.get("rejects_by_township_and_reason", []),
        township_names,
        reason_key="reason_code",
        words=reason_message,
        counts=("rows",),
    )


def holds_table(summary: dict, township_names: dict[str, str]) -> list[dict]:
    """Per township and reason: rows held, money kept unpaid and recoveries kept pending (yuan)."""
    return township_reason_table(
        summary.get("money", {}).get("holds_by_township_and_reason", []),
        township_names,
        reason_key="hold_reason",
        words=lambda code: HOLD_REASONS.get(code, ""),
        counts=("rows",),
        fen={"held": "held_fen", "pending_recovery": "pending_recovery_fen"},
    )


def recoveries_table(summary: dict, township_names: dict[str, str]) -> list[dict]:
    """Per township and reason: recovery entries, the money recovered and the part still owed (yuan)."""
    return township_reason_table(
        summary.get("money", {}).get("recoveries_by_township_and_reason", []),
        township_names,
        reason_key="reason",
        words=lambda code: RECOVERY_REASONS.get(code, ""),
        counts=("entries",),
        fen={"recovered": "recovered_fen", "owed": "owed_fen"},
    )


def audit_markdown(month: str, audit: dict | None) -> str:
    """Each invariant with its violations; a failed one with the query (`make audit`) listing them."""
    lines = [f"# Self-audit {month} 自查", ""]
    if audit is None:
        return "\n".join([*lines, "(not run)", ""])
    lines += [f"Passed: **{audit['passed']}**", "", "| | invariant | violations | to see them (`make audit`) |"]
    lines.append("|---|---|---:|---|")
    for c in audit["invariants"]:
        failed = c["violations"] != 0
        query = f"`{c['query']}`" if failed and c.get("query") else ""
        lines.append(f"| {'✗' if failed else '✓'} | {c['invariant']} | {c['violations']} | {query} |")
    return "\n".join([*lines, ""])


def link(folder: Path, path: Path) -> str:
    """A markdown link named relative to the output folder, to a file:// URI (never a bare path)."""
    name = path.relative_to(folder.parent).as_posix()
    return f"[{name}]({path.absolute().as_uri()})"


def month_files(folder: Path, ledger_partition: Path) -> list[str]:
    """The month's files as links, bank files (not their control files) and per-township folders."""
    files = [folder / name for name in OFFICE_FILES if (folder / name).exists()]
    files += sorted(p for p in (folder / "bank").glob("*") if p.is_file() and not p.name.endswith(".control.json"))
    lines = [f"- {link(folder, p)}" for p in files]
    lines += [
        f"- {link(folder, folder / name)}/ (one .csv and .xlsx per township)"
        for name in PER_TOWNSHIP_FOLDERS
        if (folder / name).is_dir()
    ]
    return lines + [f"- ledger {link(folder, ledger_partition)}/"]


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
        f"Status: **{status}** · manifest `{short(manifest_sha256)}` · folder {link(folder, folder)}",
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
        pending = money.get("pending_recoveries_fen_by_reason", {})
        lines += [
            "## Money 金额 (yuan 元)",
            "",
            f"- payments 发放: {yuan_text(money['payments_fen'])} to {money['people_paid']} people; "
            f"funeral grants issued 丧葬补助: {money['funeral_grants_issued']}",
            f"- recoveries 追回: {yuan_text(money['recoveries_fen'])}, "
            f"of which owed 尚欠: {yuan_text(money['recoveries_owed_fen'])}",
            f"- reversals 银行退回: {yuan_text(money['reversals_fen'])}",
            f"- holds 暂缓: {money['hold_rows']} rows, "
            + (", ".join(f"{reason} {yuan_text(fen)}" for reason, fen in sorted(holds.items())) or "none"),
            "- recoveries pending 待追回 (people on no roster): "
            + (", ".join(f"{reason} {yuan_text(fen)}" for reason, fen in sorted(pending.items())) or "none"),
            f"- bank files 银行文件: {yuan_text(money['bank_total_fen'])}; "
            f"every batch equals its ledger entries: **{money['bank_reconciles']}**",
            "",
            "| batch | file | lines | total (yuan) | reconciles | sha256 |",
            "|---|---|---|---|---|---|",
        ]
        for b in money.get("bank_batches", []):
            lines.append(
                f"| {b['batch_id']} | bank/{b['file']} | {b['line_count']} "
                f"| {yuan_text(b['total_fen'])} | {b['reconciles']} | `{short(b.get('sha256'))}` |"
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
    lines += ["## Files 文件", "", *month_files(folder, ledger_partition), ""]
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
            f"- bank files: **{yuan_text(money.get('bank_total_fen', 0))} yuan** "
            f"to {money.get('people_paid', 0)} people "
            f"(batches reconcile: {money.get('bank_reconciles')})",
            f"- rejected rows: {rejected}; held rows: {money.get('hold_rows', 0)}; "
            f"recoveries owed: {yuan_text(money.get('recoveries_owed_fen', 0))} yuan",
            f"- {change_sentence(money.get('change_from_last_month'))}",
            f"- self-audit passed: {audit['passed'] if audit else 'not run'}",
            f"- draft manifest `{short(manifest_sha256)}` (see the artifacts of this run)",
            "",
            "Tick **approve** to close the month and release its bank files "
            "(it can never change again). Leave it unticked and give a **reason** to reject: "
            "the draft stays open for a rerun.",
        ]
    )
