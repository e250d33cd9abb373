"""rejects.csv for the office and rejects/<township>.csv for each township's clerk, each with
its .xlsx twin (Excel opens a CSV's 18-digit ID as 3.2028119551204E+017; the twin keeps it text)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.emit.lists import write_list, write_per_township
from pipeline.policy import Policy

HEADERS = {
    "input_kind": "文件类型 input_kind",
    "source_file": "来源文件 source_file",
    "source_row": "行号 row",
    "township_code": "镇街代码 township_code",
    "township_name": "镇街 township",
    "id_number": "身份证号 id_number",
    "name": "姓名 name",
    "reason_code": "原因代码 reason_code",
    "reason_codes": "全部原因 all_reasons",
    "message": "说明 message",
    "row_values": "原始内容 row_values",
}


LABEL = "退回名单 rejected rows"


def write_rejects(rejects: pd.DataFrame, folder: Path, policy: Policy, month: str = "") -> list[Path]:
    named = rejects.assign(
        township_name=rejects["township_code"].map(policy.townships.set_index("code")["name"]).fillna("")
    )[list(HEADERS)].rename(columns=HEADERS)
    written = write_list(named, folder / "rejects.csv", label=LABEL, month=month)
    return written + write_per_township(
        named, folder / "rejects", "rejects", label=LABEL, month=month, township_names=policy.township_name
    )
