"""`payout validate` prints what a clerk must fix: a count per township and reason, in words."""

from __future__ import annotations

import pandas as pd

from pipeline.cli import reject_counts


def test_counts_per_township_and_reason_with_the_message(policy):
    rejects = pd.DataFrame(
        {
            "township_code": ["320281001", "320281001", "320281001", ""],
            "reason_code": ["ID_CHECKSUM", "ID_CHECKSUM", "NAME_MISSING", "RETURN_UNMATCHED"],
            "message": ["身份证号校验位错误", "身份证号校验位错误", "姓名为空", "回盘行不符"],
        }
    )
    text = reject_counts(rejects, policy)
    assert text.splitlines() == [
        "4 rows rejected 退回行, by township and reason 按镇街和原因:",
        "  (no township 无镇街)  RETURN_UNMATCHED ×1: 回盘行不符",
        "  320281001 澄江街道  ID_CHECKSUM ×2: 身份证号校验位错误",
        "  320281001 澄江街道  NAME_MISSING ×1: 姓名为空",
    ]
    assert reject_counts(rejects.iloc[0:0], policy).startswith("No rows rejected")
