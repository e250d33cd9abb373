"""summary.json (for machines and the Prefect artifact) and summary.md (for people)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd

from pipeline.core.frames import isin, lookup
from pipeline.core.money import yuan_text
from pipeline.durable import atomic_write_bytes
from pipeline.emit.files import write_json
from pipeline.emit.office_lists import HOLD_REASONS
from pipeline.policy import Policy
from pipeline.validate.month import ValidatedMonth


def validation_summary(month: ValidatedMonth, policy: Policy) -> dict:
    counts = month.row_counts
    rejects = month.rejects
    by_kind = counts.groupby("input_kind")[["rows_read", "accepted", "rejected"]].sum()
    reasons = (
        rejects.groupby(["township_code", "reason_code"])
        .size()
        .rename("rows")
        .reset_index()
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


def month_summary(
    month: ValidatedMonth,
    result,
    controls: list[dict],
    policy: Policy,
    *,
    run_month: str,
    previous_bank_fen: int | None,
    accounts=None,
    id_links: pd.DataFrame,
) -> dict:
    """Validation counts plus the money: per township and component, the reconciliations, and
    the change from last month's bank total (flagged for the approver beyond the policy's share)."""
    summary = {"month": run_month, "status": "draft", **validation_summary(month, policy)}
    ledger = result.ledger
    per_township = (
        ledger.assign(township_code=ledger["township_code"].fillna(""))
        .pivot_table(
            index=["township_code", "component"], columns="kind", values="amount_fen", aggfunc="sum", fill_value=0
        )
        .reindex(columns=["payment", "recovery", "reversal"], fill_value=0)
        .reset_index()
    )
    per_township["net"] = per_township[["payment", "recovery", "reversal"]].sum(axis=1)
    carried = ledger[ledger["batch_id"].notna()].groupby("batch_id")["amount_fen"].sum()
    batches = [
        {
            **c,
            "ledger_total_fen": int(carried.get(c["batch_id"], 0)),
            "reconciles": int(carried.get(c["batch_id"], 0)) == c["total_fen"],
        }
        for c in controls
    ]
    holds = result.positions[result.positions["action"] == "hold"]
    summary["money"] = {
        "per_township_component_fen": [
            {k: (int(v) if k not in ("township_code", "component") else v) for k, v in row.items()}
            for row in per_township.to_dict(orient="records")
        ],
        "payments_fen": int(ledger.loc[ledger["kind"] == "payment", "amount_fen"].sum()),
        "recoveries_fen": int(ledger.loc[ledger["kind"] == "recovery", "amount_fen"].sum()),
        "recoveries_owed_fen": int(ledger.loc[ledger["settlement"] == "owed", "amount_fen"].sum()),
        "reversals_fen": int(ledger.loc[ledger["kind"] == "reversal", "amount_fen"].sum()),
        "bank_total_fen": int(sum(c["total_fen"] for c in controls)),
        "bank_batches": batches,
        "bank_reconciles": all(b["reconciles"] for b in batches),
        "hold_rows": len(holds),
        # money kept unpaid, and recoveries kept pending (negative gaps of people on no roster):
        # summed apart, so that one never hides the other
        "holds_fen_by_reason": _by_reason(holds[holds["gap_fen"] > 0]),
        "pending_recoveries_fen_by_reason": _by_reason(holds[holds["gap_fen"] < 0]),
        "holds_by_reason": [
            {"hold_reason": k, "rows": int(len(g)), "fen": int(g["gap_fen"].sum())}
            for k, g in holds.groupby("hold_reason", sort=True)
        ],
        # per township and reason, for the Prefect artifacts: counts and money only, never a person
        "holds_by_township_and_reason": _holds_by_township_and_reason(holds),
        "recoveries_by_township_and_reason": _recoveries_by_township_and_reason(ledger),
        "people_paid": int(result.bank_lines.loc[result.bank_lines["line_type"] == "pension", "id_number"].nunique()),
        "funeral_grants_issued": int(((ledger["component"] == "funeral_grant") & (ledger["kind"] == "payment")).sum()),
    }
    if accounts is not None:
        summary["accounts"] = account_summary(accounts, result.awards, run_month, id_links)
    bank_fen = summary["money"]["bank_total_fen"]
    summary["money"]["change_from_last_month"] = total_change(
        bank_fen, previous_bank_fen, Decimal(str(policy.limits_in(run_month)["max_total_change_share"]))
    )
    return summary


def account_summary(accounts, awards: pd.DataFrame, run_month: str, id_links: pd.DataFrame) -> dict:
    """The personal accounts of the month (SPEC §5a): what was credited and debited, the awards
    fixed, and the accounts exhausted (awarded, at 0 or below, not refunded). fund_paid_fen is the
    standing total by which accounts' debits exceed their credits: the account pension the fund
    has paid beyond the balances. An account is the person's: an old ID's entries and award count
    under the new ID (id_links: old_id_number, new_id_number)."""
    entries = accounts.entries
    by_component = entries.groupby("component")["amount_fen"].sum()
    balances = accounts.balances.assign(id_number=current_ids(accounts.balances["id_number"], id_links))
    balance = balances.groupby("id_number", sort=False)["net_fen"].sum()
    new = awards[awards["award_month"] == run_month]
    # an account paid out at death or on leaving is closed, not exhausted
    refunded = balances.loc[balances["component"] == "refund", "id_number"]
    ids = balance.index.to_series()  # pandas' Index.isin on text builds a Python object per ID
    awarded_ids = current_ids(awards["id_number"], id_links)
    awarded = balance[(isin(ids, awarded_ids) & ~isin(ids, refunded)).to_numpy()]
    return {
        "entries": len(entries),
        "fen_by_component": {k: int(v) for k, v in by_component.sort_index().items()},
        "awards_new": {k: int(v) for k, v in new["basis"].value_counts().sort_index().items()},
        "awards_total": len(awards),
        "accounts_exhausted": int((awarded <= 0).sum()),
        "fund_paid_fen": int((-balance).clip(lower=0).sum()),
    }


def current_ids(ids: pd.Series, id_links: pd.DataFrame) -> pd.Series:
    """Each ID as the person's current one: a corrected old ID gives its new ID."""
    return lookup(ids, id_links["old_id_number"], id_links["new_id_number"]).fillna(ids)


def _holds_by_township_and_reason(holds: pd.DataFrame) -> list[dict]:
    """Money kept unpaid (held_fen > 0) and recoveries kept pending (pending_recovery_fen < 0)."""
    frame = holds.assign(
        township_code=holds["township_code"].fillna(""),
        held_fen=holds["gap_fen"].clip(lower=0),
        pending_recovery_fen=holds["gap_fen"].clip(upper=0),
    )
    grouped = frame.groupby(["township_code", "hold_reason"], sort=True).agg(
        rows=("gap_fen", "size"), held_fen=("held_fen", "sum"), pending_recovery_fen=("pending_recovery_fen", "sum")
    )
    return [
        {"township_code": code, "hold_reason": reason, **{k: int(v) for k, v in row.items()}}
        for (code, reason), row in grouped.iterrows()
    ]


def _recoveries_by_township_and_reason(ledger: pd.DataFrame) -> list[dict]:
    """Recovery entries (negative fen) and the part still owed, per township and reason."""
    recoveries = ledger[ledger["kind"] == "recovery"]
    frame = recoveries.assign(
        township_code=recoveries["township_code"].fillna(""),
        owed_fen=recoveries["amount_fen"].where(recoveries["settlement"] == "owed", 0),
    )
    grouped = frame.groupby(["township_code", "reason"], sort=True).agg(
        entries=("amount_fen", "size"), recovered_fen=("amount_fen", "sum"), owed_fen=("owed_fen", "sum")
    )
    return [
        {"township_code": code, "reason": reason, **{k: int(v) for k, v in row.items()}}
        for (code, reason), row in grouped.iterrows()
    ]


def _by_reason(holds: pd.DataFrame) -> dict[str, int]:
    return {k: int(v) for k, v in holds.groupby("hold_reason")["gap_fen"].sum().items()}


def total_change(bank_fen: int, previous_fen: int | None, limit: Decimal) -> dict | None:
    """This month's bank total against last month's, exactly (Decimal shares, no float)."""
    if previous_fen is None:  # the opening month: nothing to compare with
        return None
    change = bank_fen - previous_fen
    share = Decimal(abs(change)) / Decimal(previous_fen) if previous_fen else None
    flagged = share is None and change != 0 or share is not None and share > limit
    return {
        "previous_bank_total_fen": previous_fen,
        "change_fen": change,
        "change_share": None if share is None else str(share.quantize(Decimal("0.0001"))),
        "limit_share": str(limit),
        "flagged": bool(flagged),
    }


def change_sentence(change: dict | None) -> str:
    """One line for people (summary.md, the approval form)."""
    if change is None:
        return "change from last month 较上月变化: none (first month)"
    share = "n/a" if change["change_share"] is None else f"{Decimal(change['change_share']) * 100:.2f}%"
    sign = "+" if change["change_fen"] >= 0 else ""
    text = f"change from last month 较上月变化: {sign}{yuan_text(change['change_fen'])} yuan ({share})"
    if change["flagged"]:
        limit = f"{Decimal(change['limit_share']) * 100:.0f}%"
        text += f" — **FLAGGED 异常: more than {limit}; check why before approving**"
    return text


STATUS_WORDS = {"draft": "草稿 draft", "closed": "已关账 closed"}


def write_summary(summary: dict, folder: Path) -> None:
    write_json(summary, folder / "summary.json")
    atomic_write_bytes(folder / "summary.md", summary_markdown(summary).encode("utf-8"))


def summary_markdown(summary: dict) -> str:
    per_file = pd.DataFrame(summary["rows"]["per_file"])
    title = "# Monthly run summary 月度发放汇总"
    if "month" in summary:  # written when the month is drafted; closing records its hash, never rewrites it
        title += f" {summary['month']} · 状态 status: {STATUS_WORDS.get(summary.get('status'), summary.get('status'))}"
    lines = [title, "", "## Rows 行数核对 (rows read = accepted + rejected)", ""]
    lines += _table(per_file, ["input_kind", "source_file", "township_code", "rows_read", "accepted", "rejected"])
    lines += ["", f"All files reconcile: **{summary['rows']['reconciles']}**", ""]
    if "money" in summary:
        lines += _money_markdown(summary["money"])
    reasons = pd.DataFrame(summary["rejects_by_township_and_reason"])
    if not reasons.empty:
        lines += ["## Rejects by township and reason 退回原因", ""]
        lines += _table(reasons, ["township_code", "reason_code", "rows"])
    return "\n".join(lines) + "\n"


def _money_markdown(money: dict) -> list[str]:
    yuan = yuan_text
    lines = [
        "## Money 金额 (yuan 元)",
        "",
        f"- payments 发放: {yuan(money['payments_fen'])}",
        f"- recoveries 追回: {yuan(money['recoveries_fen'])} (owed 尚欠 {yuan(money['recoveries_owed_fen'])})",
        f"- reversals 银行退回: {yuan(money['reversals_fen'])}",
        f"- bank files 银行文件合计: {yuan(money['bank_total_fen'])}; every batch equals its ledger entries: "
        f"**{money['bank_reconciles']}**",
        f"- held 暂缓: {money['hold_rows']} rows, {yuan(sum(money['holds_fen_by_reason'].values()))} "
        f"(by reason below); recoveries pending 待追回 "
        f"{yuan(sum(money.get('pending_recoveries_fen_by_reason', {}).values()))}",
        f"- {change_sentence(money.get('change_from_last_month'))}",
        "",
    ]
    lines += _holds_markdown(money)
    per = pd.DataFrame(money["per_township_component_fen"])
    if not per.empty:
        for column in ("payment", "recovery", "reversal", "net"):
            per[column] = per[column].map(yuan)
        lines += ["### Per township and component 分镇街分项目", ""]
        lines += _table(per, ["township_code", "component", "payment", "recovery", "reversal", "net"])
    batches = pd.DataFrame(money["bank_batches"])
    if not batches.empty:
        lines += ["", "### Bank batches 银行批次", ""]
        lines += _table(batches, ["batch_id", "line_count", "total_yuan", "ledger_total_fen", "reconciles", "sha256"])
    return lines + [""]


def _holds_markdown(money: dict) -> list[str]:
    """Holds by reason, in yuan, with the reason in words (holds.csv lists the rows)."""
    held = money.get("holds_by_reason")
    if held is None:  # a summary written before the rows were counted
        held = [{"hold_reason": k, "rows": "", "fen": v} for k, v in money["holds_fen_by_reason"].items()]
    if not held:
        return []
    lines = [
        "### Held by reason 暂缓原因 (yuan 元)",
        "",
        "| hold_reason | 原因 reason | rows | held (yuan) |",
        "|---|---|---:|---:|",
    ]
    lines += [
        f"| {h['hold_reason']} | {HOLD_REASONS.get(h['hold_reason'], '')} | {h['rows']} | {yuan_text(h['fen'])} |"
        for h in held
    ]
    total = sum(h["fen"] for h in held)
    rows = sum(h["rows"] for h in held if h["rows"] != "")
    return lines + [f"| **total 合计** | | {rows} | {yuan_text(total)} |", ""]


def _table(frame: pd.DataFrame, columns: list[str]) -> list[str]:
    if frame.empty:
        return ["(none)"]
    rows = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    rows += ["| " + " | ".join(str(v) for v in record) + " |" for record in frame[columns].itertuples(index=False)]
    return rows
