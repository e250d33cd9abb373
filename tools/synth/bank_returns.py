"""Bank return files for the sample: the bank's answer to a batch the pipeline issued.

Return lines must match issued lines (batch, line, account, amount), so they are made from the
bank file that a normal `payout run` of the earlier months wrote, not invented. Nothing here runs
the pipeline: `make sample` runs it first, as an operator would, and names its output folder.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.paths import OutDir
from pipeline.policy import Policy


def returns_for(
    issued: pd.DataFrame, batch_id: str, *, failed_ids: dict[str, str], successes: int, bogus: bool
) -> pd.DataFrame:
    """issued: the bank file (序号, 账号, 金额, 身份证号). failed_ids: id -> the bank's reason.
    A few lines are confirmed paid; with bogus=True one line quotes a wrong amount (rejected)."""
    failed = issued[issued["身份证号"].isin(failed_ids)]
    confirmed = issued[~issued["身份证号"].isin(failed_ids)].head(successes)
    lines = pd.concat(
        [
            _lines(failed, batch_id, "失败", failed["身份证号"].map(failed_ids)),
            _lines(confirmed, batch_id, "成功", ""),
        ]
    )
    unanswered = issued[~issued.index.isin(failed.index) & ~issued.index.isin(confirmed.index)]
    if bogus and len(unanswered):
        wrong = _lines(unanswered.head(1), batch_id, "失败", "户名不符")
        whole, cents = wrong["金额"].iloc[0].split(".")
        wrong["金额"] = f"{whole}.{(int(cents) + 1) % 100:02d}"
        lines = pd.concat([lines, wrong])
    return lines.sort_values("序号", key=lambda s: s.astype(int), ignore_index=True)


def _lines(rows: pd.DataFrame, batch_id: str, result: str, reason) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "批次号": batch_id,
            "序号": rows["序号"],
            "账号": rows["账号"],
            "金额": rows["金额"],
            "结果": result,
            "失败原因": reason,
        }
    )


def add_bank_returns(
    inbox: Path,
    policy: Policy,
    issued: OutDir,
    *,
    issued_month: str,
    return_month: str,
    bank: str,
    failed_ids: dict[str, str],
) -> Path:
    """Write the bank's return file for issued_month's pension batch, read from the bank file in
    the `issued` output folder, into the inbox of return_month."""
    bank_file = issued.month(issued_month) / "bank" / f"{bank}_{issued_month}_pension.csv"
    if not bank_file.is_file():
        raise FileNotFoundError(
            f"{bank_file} is missing: run `payout run --month {issued_month} --catch-up --out {issued.root}` "
            "on the sample inbox first"
        )
    issued_lines = pd.read_csv(bank_file, dtype=str, encoding=policy.bank_encoding(bank))
    batch_id = f"{issued_month}-{bank}-PENSION"
    lines = returns_for(issued_lines, batch_id, failed_ids=failed_ids, successes=20, bogus=True)
    target = inbox / return_month / "bank_returns" / f"{bank}_回盘_{issued_month}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(lines.to_csv(index=False, lineterminator="\r\n").encode("gb18030"))
    return target
