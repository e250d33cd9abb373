"""Payment files for the banks: bank/<BANK>_<YYYY-MM>_<pension|funeral>.csv, one line per payee,
in the bank's encoding, each with a control file (batch id, line count, total, SHA-256)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.emit.files import sha256_of, write_csv, write_json, yuan
from pipeline.frames import lookup, map_values
from pipeline.policy import Policy

MEMO = {"pension": "居保养老金 {month}", "funeral": "居保丧葬补助费 {month}"}


def bank_file_rows(lines: pd.DataFrame, people: pd.DataFrame, deaths: pd.DataFrame, month: str) -> pd.DataFrame:
    """lines: BankLine; the payee's name is the account name (pension) or the next of kin (grant)."""
    ids = lines["id_number"]
    account_name = lookup(ids, people["id_number"], people["account_name"])
    payee_name = account_name.where(
        lines["line_type"] == "pension", lookup(ids, deaths["id_number"], deaths["payee_name"])
    )
    return pd.DataFrame(
        {
            "batch_id": lines["batch_id"],
            "line_type": lines["line_type"],
            "bank_code": lines["bank_code"],
            "序号": lines["line_no"].astype("int64"),
            "户名": payee_name.fillna("").astype("str"),
            "账号": lines["account_number"],
            "金额": yuan(lines["amount_fen"]),
            "身份证号": lines["id_number"],
            "摘要": map_values(lines["line_type"], {kind: memo.format(month=month) for kind, memo in MEMO.items()}),
            "amount_fen": lines["amount_fen"].astype("int64"),
        }
    )


def write_bank_files(rows: pd.DataFrame, folder: Path, month: str, policy: Policy) -> list[dict]:
    """Write each batch and its control file; return the controls (for summary and manifest)."""
    controls = []
    for (bank, line_type), batch in rows.groupby(["bank_code", "line_type"], sort=True):
        path = folder / "bank" / f"{bank}_{month}_{line_type}.csv"
        body = batch.sort_values("序号")[["序号", "户名", "账号", "金额", "身份证号", "摘要"]]
        write_csv(body, path, encoding=policy.bank_encoding(bank), numeric=("序号", "金额"))
        control = {
            "batch_id": batch["batch_id"].iloc[0],
            "bank_code": bank,
            "line_type": line_type,
            "file": path.name,
            "encoding": policy.bank_encoding(bank),
            "line_count": len(batch),
            "total_fen": int(batch["amount_fen"].sum()),
            "total_yuan": yuan(pd.Series([batch["amount_fen"].sum()])).iloc[0],
            "sha256": sha256_of(path),
        }
        write_json(control, path.with_suffix(".control.json"))
        controls.append(control)
    return controls
