"""A month's inbox read into raw tables, with per-file row counts."""

from __future__ import annotations

import pytest

from pipeline.errors import RunStopped
from pipeline.ingest.columns import ROSTER
from pipeline.ingest.inputs import read_month
from pipeline.paths import Inbox
from tests.builders import MONTH, chinese, death_row, make_id, write_csv


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
