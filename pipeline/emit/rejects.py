"""rejects.csv for the office and rejects/<township>.csv for each township's clerk."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from pipeline.emit.files import write_csv
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


def write_rejects(rejects: pd.DataFrame, folder: Path, policy: Policy) -> list[Path]:
    named = rejects.assign(
        township_name=rejects["township_code"].map(policy.townships.set_index("code")["name"]).fillna("")
    )[list(HEADERS)]
    written = [folder / "rejects.csv"]
    write_csv(named.rename(columns=HEADERS), written[0])
    for code, rows in named.groupby("township_code", sort=True):
        if code:
            path = folder / "rejects" / f"{code}_{policy.township_name(code)}_rejects.csv"
            write_csv(rows.rename(columns=HEADERS), path)
            written.append(path)
    return written
