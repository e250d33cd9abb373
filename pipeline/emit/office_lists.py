"""The office's working lists: recoveries (money owed back), holds (money kept unpaid, with the
reason), changes (who joined, left, was rejected or changed since last month) and account
mismatches (a roster's account pension that differs from the award paid)."""

from __future__ import annotations

import pandas as pd

from pipeline.core.frames import isin, lookup
from pipeline.core.money import yuan_column

HOLD_REASONS = {
    "death_conflict": "死亡登记相互矛盾，待核实 conflicting death registrations, awaiting one that stands",
    "suspended": "暂停发放 suspended",
    "bank_account_rejected": "银行退回，账号未更正 bank rejected the account; roster unchanged",
    "row_rejected": "本月名册行被退回 roster row rejected this month",
    "not_on_roster": "不在本月名册 not on any roster this month",
    "awaiting_payee": "待补领取人信息 awaiting payee details",
    "no_bank_account": "名册无银行账户 no bank account on the roster",
}
RECOVERY_REASONS = {
    "after_death": "死亡后多发 paid after death",
    "after_employee_pension": "已领职工养老金 employee pension",
    "correction": "信息更正 correction",
    "owed_set_off": "此前欠款以丧葬费抵扣 earlier debt set off against the funeral grant",
}
CHANGE_COLUMNS = [
    "status",
    "township_code",
    "bank_code",
    "account_number",
    "account_pension_fen",
    "benefit_start",
    "suspended_from",
    "end_month",
    "employee_pension_from",
]


def recovery_rows(ledger: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Grain: one row per person per period per component recovered this month."""
    rec = ledger[ledger["kind"] == "recovery"].copy()
    rec["fen"] = -rec["amount_fen"]
    wide = rec.pivot_table(
        index=["id_number", "township_code", "period", "component", "reason"],
        columns="settlement",
        values="fen",
        aggfunc="sum",
        fill_value=0,
    )
    wide = wide.reindex(columns=["set_off", "owed"], fill_value=0).reset_index()
    return pd.DataFrame(
        {
            "镇街代码 township_code": wide["township_code"],
            "姓名 name": lookup(wide["id_number"], people["id_number"], people["name"]).fillna(""),
            "身份证号 id_number": wide["id_number"],
            "所属月份 period": wide["period"],
            "项目 component": wide["component"],
            "原因 reason": wide["reason"].map(RECOVERY_REASONS),
            "应追回 recovered": yuan_column(wide["set_off"] + wide["owed"]),
            "丧葬费抵扣 set_off": yuan_column(wide["set_off"]),
            "尚欠 owed": yuan_column(wide["owed"]),
        }
    )


def hold_rows(positions: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """Grain: one row per person per period per component kept unpaid this month."""
    held = positions[positions["action"] == "hold"].sort_values(["township_code", "id_number", "period", "component"])
    return pd.DataFrame(
        {
            "镇街代码 township_code": held["township_code"].fillna(""),
            "姓名 name": lookup(held["id_number"], people["id_number"], people["name"]).fillna(""),
            "身份证号 id_number": held["id_number"],
            "所属月份 period": held["period"],
            "项目 component": held["component"],
            "暂缓金额 held": yuan_column(held["gap_fen"]),
            "原因代码 hold_reason": held["hold_reason"],
            "原因 reason": held["hold_reason"].map(HOLD_REASONS),
        }
    ).reset_index(drop=True)


RECOVERY_AMOUNTS = ("应追回 recovered", "丧葬费抵扣 set_off", "尚欠 owed")
HOLD_AMOUNTS = ("暂缓金额 held",)


def change_rows(roster: pd.DataFrame, previous: pd.DataFrame, rejected_ids: pd.Series | None = None) -> pd.DataFrame:
    """Grain: one row per person who joined, left or changed since the previous month's roster.

    A person missing from this month's accepted roster because their row was rejected has not
    left: the township sent them and must correct the row, so they are listed as "rejected"."""
    on_before = isin(roster["id_number"], previous["id_number"])
    on_now = isin(previous["id_number"], roster["id_number"])
    stayed = roster[on_before].set_index("id_number")
    before = previous[on_now].set_index("id_number").reindex(stayed.index)
    differs = stayed[CHANGE_COLUMNS].astype("str").fillna("").ne(before[CHANGE_COLUMNS].astype("str").fillna(""))
    changed = differs.any(axis=1).to_numpy()
    labels = pd.DataFrame({c: differs[c].map({True: c + ";", False: ""}) for c in CHANGE_COLUMNS})[changed]
    gone = previous[~on_now]
    rejected = isin(gone["id_number"], rejected_ids) if rejected_ids is not None else pd.Series(False, gone.index)
    frames = [
        _changes(roster[~on_before], "joined", ""),
        _changes(gone[~rejected], "left", ""),
        _changes(gone[rejected], "rejected", ""),
        _changes(stayed[changed].reset_index(), "changed", labels.sum(axis=1).str.rstrip(";").to_numpy()),
    ]
    return pd.concat(frames, ignore_index=True).sort_values(
        ["镇街代码 township_code", "身份证号 id_number"], ignore_index=True
    )


def _changes(people: pd.DataFrame, change: str, fields) -> pd.DataFrame:
    # the text columns stay in Arrow (to_numpy would make a Python string per person)
    people = people.reset_index(drop=True)
    return pd.DataFrame(
        {
            "镇街代码 township_code": people["township_code"].fillna(""),
            "姓名 name": people["name"].fillna(""),
            "身份证号 id_number": people["id_number"],
            "变动 change": change,
            "变动项 fields": fields,
        }
    ).astype("str")


AWARD_BASES = {
    "computed": "本系统核定 computed at award (balance ÷ divisor)",
    "previous_system": "原系统核定 awarded by the previous system",
}
MISMATCH_AMOUNTS = ("名册个人账户养老金 roster", "核定个人账户养老金 awarded", "差额 difference")


def account_mismatch_rows(roster: pd.DataFrame, awards: pd.DataFrame, account_pensions: pd.DataFrame) -> pd.DataFrame:
    """Grain: one row per person on this month's roster with an award whose roster account_pension
    differs from the account pension awarded (and paid: SPEC §5a, the roster's column is
    informational once a person is awarded). account_pensions (by current ID) says who has an
    award of an earlier month; awards holds this month's new ones."""
    new = awards.loc[~isin(awards["id_number"], account_pensions.loc[account_pensions["awarded"], "id_number"])]
    awarded = account_pensions[account_pensions["awarded"] | isin(account_pensions["id_number"], new["id_number"])]
    listed = roster[["id_number", "township_code", "name", "account_pension_fen"]]  # not every column merged
    rows = listed.merge(awarded, on="id_number", how="inner", suffixes=("_roster", ""))
    rows = rows[rows["account_pension_fen_roster"] != rows["account_pension_fen"]]
    rows = rows.sort_values(["township_code", "id_number"], ignore_index=True)
    award_month = lookup(rows["id_number"], awards["id_number"], awards["award_month"])
    return pd.DataFrame(
        {
            "镇街代码 township_code": rows["township_code"],
            "姓名 name": rows["name"],
            "身份证号 id_number": rows["id_number"],
            "名册个人账户养老金 roster": yuan_column(rows["account_pension_fen_roster"]),
            "核定个人账户养老金 awarded": yuan_column(rows["account_pension_fen"]),
            "差额 difference": yuan_column(rows["account_pension_fen_roster"] - rows["account_pension_fen"]),
            "核定方式 basis": rows["basis"].map(AWARD_BASES),
            "核定月份 award_month": award_month.fillna(""),
            "核定时账户余额 balance_at_award": yuan_column(rows["balance_at_award_fen"]),
            "计发月数 divisor": rows["divisor"].astype("Int64").astype("str").replace("<NA>", ""),
        }
    )
