"""funeral_grants.csv/.xlsx: the funeral lines of this run for the townships and the office: each
deceased's grant and account refund (SPEC §5a), the set-off against them, and the net paid.
Grain: one row per deceased participant with a grant or refund paid or waiting this month."""

from __future__ import annotations

import pandas as pd

from pipeline.core.codes import FUNERAL_COMPONENTS
from pipeline.core.money import yuan_column

AMOUNTS = (
    "补助金额 grant",
    "个人账户退还 account_refund",
    "抵扣多发 set_off",
    "其中抵扣账户退还 set_off_refund",
    "实发 net",
)
STATUS = {
    "payment": "已发放 issued",
    "awaiting_payee": "待补领取人信息 awaiting payee details",
    "bank_account_rejected": "银行退回，待更正账号 bank rejected the account",
    "death_conflict": "死亡登记相互矛盾，待核实 conflicting death registrations",
}


def funeral_grant_rows(
    positions: pd.DataFrame, ledger: pd.DataFrame, deaths: pd.DataFrame, township_names: pd.Series
) -> pd.DataFrame:
    on_line = (
        positions["component"].isin(FUNERAL_COMPONENTS)
        & positions["death_month"].notna()
        & positions["action"].isin(["payment", "hold"])
    )
    line = positions[on_line]
    amounts = line.pivot_table(
        index="id_number", columns="component", values="gap_fen", aggfunc="sum", fill_value=0
    ).reindex(columns=list(FUNERAL_COMPONENTS), fill_value=0)
    # the grant and the refund share one line, one payee and so one hold reason
    first = line.sort_values(["id_number", "component"]).drop_duplicates("id_number")
    grants = first[["id_number", "township_code", "action", "hold_reason"]].merge(
        amounts.reset_index(), on="id_number", how="left"
    )
    died = deaths[["id_number", "name", "death_date", "payee_name", "payee_bank_code", "payee_account_number"]]
    set_off = (
        ledger[ledger["settlement"] == "set_off"]
        .groupby("id_number", as_index=False)["amount_fen"]
        .sum()
        .rename(columns={"amount_fen": "set_off_fen"})
    )
    rows = grants.merge(died, on="id_number", how="left").merge(set_off, on="id_number", how="left")
    grant = rows["funeral_grant"].astype("int64")
    refund = rows["account_refund"].astype("int64")
    offset = (-rows["set_off_fen"].fillna(0)).astype("int64").where(rows["action"] == "payment", 0)
    # set off against the grant first, then against the refund (SPEC §5a)
    from_refund = (offset - grant).clip(lower=0)
    frame = pd.DataFrame(
        {
            "镇街代码 township_code": rows["township_code"].fillna(""),
            "镇街 township": rows["township_code"].map(township_names).fillna(""),
            "姓名 deceased": rows["name"].fillna(""),
            "身份证号 id_number": rows["id_number"],
            "死亡日期 death_date": pd.to_datetime(rows["death_date"]).dt.strftime("%Y-%m-%d"),
            "补助金额 grant": yuan_column(grant),
            "个人账户退还 account_refund": yuan_column(refund),
            "抵扣多发 set_off": yuan_column(offset),
            "其中抵扣账户退还 set_off_refund": yuan_column(from_refund),
            "实发 net": yuan_column(grant + refund - offset),
            "领取人 payee": rows["payee_name"].fillna(""),
            "领取人开户银行 payee_bank": rows["payee_bank_code"].fillna(""),
            "领取人账号 payee_account": rows["payee_account_number"].fillna(""),
            "状态 status": rows["hold_reason"].where(rows["action"] == "hold", "payment").map(STATUS),
        }
    )
    return frame.sort_values(["镇街代码 township_code", "身份证号 id_number"], ignore_index=True)
