"""A month's inbox read into raw tables, with per-file row counts."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipeline.core.errors import RunStopped
from pipeline.ingest.columns import ROSTER, HeaderRules
from pipeline.ingest.inputs import read_files, read_month
from pipeline.paths import Inbox
from tests.support.builders import MONTH, chinese, death_row, make_id, write_csv


def test_reads_every_roster_with_labels_relative_to_the_inbox(inbox, policy):
    raw = read_month(Inbox(inbox.root), MONTH)
    assert len(raw.rosters) == 10 * len(policy.rostering_townships)
    labels = sorted(raw.rosters["source_file"].unique())
    assert labels == sorted(f"{MONTH}/rosters/{p.name}" for p in inbox.files.values())
    assert raw.deaths.empty and raw.bank_returns.empty
    assert list(raw.deaths.columns[-2:]) == ["source_file", "source_row"]
    assert sorted(raw.files) == sorted(inbox.files.values())
    counts = raw.rows_read.set_index("source_file")["rows"]
    assert (counts == 10).all() and len(counts) == len(policy.rostering_townships)
    assert set(raw.rows_read["kind"]) == {"rosters"}


def test_rows_read_counts_a_header_only_file(inbox):
    write_csv(
        inbox.month_dir / "deaths" / "empty.csv",
        [],
        header=["身份证号", "姓名", "死亡日期", "登记日期", "信息来源"],
    )
    write_csv(
        inbox.month_dir / "deaths" / "some.csv",
        [chinese(death_row(make_id("1940-01-01")), "deaths")],
    )
    raw = read_month(Inbox(inbox.root), MONTH)
    deaths = raw.rows_read[raw.rows_read["kind"] == "deaths"].set_index("source_file")["rows"]
    assert deaths.to_dict() == {f"{MONTH}/deaths/empty.csv": 0, f"{MONTH}/deaths/some.csv": 1}
    assert len(raw.deaths) == 1


def test_hidden_and_excel_lock_files_are_ignored(inbox):
    (inbox.month_dir / "rosters" / ".DS_Store").write_bytes(b"\x00\x01")
    (inbox.month_dir / "rosters" / "~$320281001.xlsx").write_bytes(b"lock")
    raw = read_month(Inbox(inbox.root), MONTH)
    assert raw.rows_read["rows"].sum() == len(raw.rosters)
    assert not any(p.name.startswith((".", "~$")) for p in raw.files)


def test_no_inbox_folder_for_the_month_stops(tmp_path):
    with pytest.raises(RunStopped, match="no inbox folder for 2021-05"):
        read_month(Inbox(tmp_path), "2021-05")


def test_unreadable_file_stops_naming_it_relative_to_the_inbox(inbox):
    (inbox.month_dir / "rosters" / "notes.txt").write_text("see attached", encoding="utf-8")
    with pytest.raises(RunStopped) as stop:
        read_month(Inbox(inbox.root), MONTH)
    assert stop.value.file == f"{MONTH}/rosters/notes.txt"


def test_header_only_roster_reads(inbox):
    code = next(iter(inbox.files))
    inbox.files[code].unlink()
    write_csv(inbox.month_dir / "rosters" / f"{code}.csv", [], header=[c.chinese for c in ROSTER])
    raw = read_month(Inbox(inbox.root), MONTH)
    counts = raw.rows_read.set_index("source_file")["rows"]
    assert counts[f"{MONTH}/rosters/{code}.csv"] == 0


def test_hashes_are_of_the_bytes_read(inbox):
    write_csv(inbox.month_dir / "deaths" / "d.csv", [chinese(death_row(make_id("1940-01-01")), "deaths")])
    raw = read_month(Inbox(inbox.root), MONTH)
    expected = {str(p.relative_to(inbox.root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.files}
    assert raw.hashes == expected
    assert set(raw.hashes) == set(raw.rows_read["source_file"])
    assert f"{MONTH}/deaths/d.csv" in raw.hashes


def test_headers_reach_every_file(inbox):
    code = next(iter(inbox.rosters))
    rows = [{**r, "备注": "x"} for r in inbox.rosters[code]]
    inbox.rewrite_roster(code, rows)
    with pytest.raises(RunStopped, match="unknown column 备注"):
        read_month(Inbox(inbox.root), MONTH)
    raw = read_month(Inbox(inbox.root), MONTH, headers=HeaderRules(synonyms={}, ignored=frozenset({"备注"})))
    assert "备注" not in raw.rosters.columns


def test_a_folder_the_pipeline_cannot_list_stops(inbox, monkeypatch):
    def refuse(self, month, kind):
        raise PermissionError(13, "Permission denied", str(self.month_dir(month) / kind))

    monkeypatch.setattr(Inbox, "files", refuse)
    with pytest.raises(RunStopped, match=r"cannot be opened by the pipeline's user \(Permission denied\)") as stop:
        read_month(Inbox(inbox.root), MONTH)
    assert stop.value.file == str(inbox.month_dir / "rosters")


def test_read_files_takes_the_header_rules(tmp_path):
    rows = [
        {
            "公民身份号码": make_id("1950-01-01"),
            "年度": "2021",
            "档次": "1",
            "个人缴费": "100",
            "政府补贴": "30",
            "缴费日期": "2021-10-01",
        }
    ]
    path = write_csv(tmp_path / "contributions" / "2021.csv", rows)
    rules = HeaderRules(synonyms={"公民身份号码": "id_number"}, ignored=frozenset())
    assert read_files([path], "contributions", tmp_path, headers=rules)["id_number"].tolist() == [
        rows[0]["公民身份号码"]
    ]


def test_an_inbox_the_pipeline_cannot_open_stops(inbox, monkeypatch):
    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_dir", refuse)
    with pytest.raises(RunStopped, match=r"cannot be opened by the pipeline's user \(Permission denied\)") as stop:
        read_month(Inbox(inbox.root), MONTH)
    assert stop.value.file == str(inbox.month_dir)


@pytest.mark.skipif(os.geteuid() == 0, reason="root opens a folder whatever its permissions")
def test_a_rosters_folder_without_permissions_stops(inbox):
    folder = inbox.month_dir / "rosters"
    folder.chmod(0)
    try:
        with pytest.raises(RunStopped, match="cannot be opened by the pipeline's user"):
            read_month(Inbox(inbox.root), MONTH)
    finally:
        folder.chmod(0o755)


def test_id_corrections_are_read_from_csv_and_xlsx_with_either_header(inbox):
    import pandas as pd

    from pipeline.emit.xlsx import write_xlsx

    old, new = make_id("1957-03-05"), make_id("1955-03-05")
    folder = inbox.month_dir / "id_corrections"
    write_csv(
        folder / "a.csv",
        [{"旧身份证号": old, "新身份证号": new, "原因": "出生日期登记错误", "登记日期": "2021-01-05"}],
    )
    frame = pd.DataFrame(
        [{"old_id_number": new, "new_id_number": old, "reason": "typo", "registered_on": "2021-01-06"}]
    )
    write_xlsx(frame, folder / "b.xlsx", sheet_name="Sheet1")
    raw = read_month(Inbox(inbox.root), MONTH)
    assert raw.id_corrections[["old_id_number", "new_id_number", "source_file", "source_row"]].values.tolist() == [
        [old, new, f"{MONTH}/id_corrections/a.csv", 2],
        [new, old, f"{MONTH}/id_corrections/b.xlsx", 2],
    ]
    kinds = raw.rows_read[raw.rows_read["kind"] == "id_corrections"]
    assert kinds["rows"].tolist() == [1, 1]
