"""`payout-dev compare`: the proof a refactoring gives that it changed no output."""

from __future__ import annotations

import json
import shutil

import pandas as pd

from pipeline.emit.files import write_parquet
from tools.compare_outputs import differences


def folder(root, code="abc", rows=(("320281195001010011", 39200),)):
    month = root / "2021-01"
    month.mkdir(parents=True)
    (month / "holds.csv").write_text("id,amount\n1,392.00\n", encoding="utf-8")
    (month / "status.json").write_text(json.dumps({"status": "draft", "at": code}), encoding="utf-8")
    (month / "manifest.json").write_text(
        json.dumps({"code_version": code, "outputs": {"holds.csv": "h1", "state/due.parquet": code}}), encoding="utf-8"
    )
    write_parquet(pd.DataFrame(rows, columns=["id_number", "due_fen"]), month / "state" / "due.parquet")
    return root


def test_the_code_version_and_the_run_records_are_not_differences(tmp_path):
    assert differences(folder(tmp_path / "a", "abc"), folder(tmp_path / "b", "def")) == []


def test_a_changed_byte_a_changed_row_and_a_new_file_are(tmp_path):
    base = folder(tmp_path / "a")
    new = folder(tmp_path / "b", rows=(("320281195001010011", 39700),))
    (new / "2021-01" / "holds.csv").write_text("id,amount\n1,397.00\n", encoding="utf-8")
    shutil.copy(new / "2021-01" / "holds.csv", new / "2021-01" / "extra.csv")
    assert differences(base, new) == [
        "only in the new: 2021-01/extra.csv",
        "bytes differ: 2021-01/holds.csv",
        "table differs: 2021-01/state/due.parquet: 1 rows only in the base, 1 only in the new",
    ]
