"""tools.synth: deterministic, valid, roughly the right proportions, and the sample inbox."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pipeline.core import idcard
from pipeline.core.months import month_range
from pipeline.ingest.columns import DEATH, ROSTER
from pipeline.paths import DEFAULT_POLICY, REPO
from pipeline.policy import load_policy
from tools.synth.edge import build_edge_cases
from tools.synth.generator import synthesize_inbox

SAMPLE = REPO / "data" / "sample"
YEAR = month_range("2021-01", "2021-12")
HEADERS = {c.chinese: c.name for c in ROSTER + DEATH}


@pytest.fixture(scope="module")
def policy():
    return load_policy(DEFAULT_POLICY)


def read_table(path: Path) -> pd.DataFrame:
    """Any generated file, every cell as it is stored (str, or float for an Excel number)."""
    if path.suffix == ".xlsx":
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        frame = pd.DataFrame(rows[1:], columns=rows[0], dtype=object)
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return frame.rename(columns=HEADERS)


def rosters(root: Path, month: str) -> pd.DataFrame:
    frames = []
    for path in sorted((root / month / "rosters").iterdir()):
        frame = read_table(path)
        frame["file"] = path.name
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_same_seed_same_bytes(tmp_path, policy):
    months = ["2021-01", "2021-02"]
    a = synthesize_inbox(tmp_path / "a", policy=policy, people=300, months=months, edge_cases=True)
    b = synthesize_inbox(tmp_path / "b", policy=policy, people=300, months=months, edge_cases=True)
    first, second = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert first == second
    assert sorted(first) == list(a.files) == list(b.files)
    assert any(name.endswith(".xlsx") for name in first)
    other = synthesize_inbox(tmp_path / "c", policy=policy, seed=7, people=300, months=months)
    assert tree(tmp_path / "c") != first
    assert other.people == 300


def test_ids_valid_and_sexes_agree(tmp_path, policy):
    report = synthesize_inbox(tmp_path, policy=policy, people=2000, months=YEAR[:3])
    assert report.edge_cases == 0
    seen_receiving: set[str] = set()
    for month in YEAR[:3]:
        frame = rosters(tmp_path, month)
        ids = frame["id_number"]
        assert idcard.checksum_ok(ids).all()
        assert ids.str.startswith("320281").all()
        sex = frame["sex"].map({"男": "M", "女": "F", "M": "M", "F": "F"})
        assert (idcard.sexes(ids) == sex).all()
        births = idcard.birth_dates(ids)
        assert births.notna().all()
        listed = frame["birth_date"] != ""
        assert (births[listed].dt.strftime("%Y-%m-%d") == frame.loc[listed, "birth_date"]).all()
        assert not ids.duplicated().any()  # neither within a file nor across townships
        codes = frame["township_code"].str.slice(0, 9)
        assert set(codes) <= set(policy.rostering_townships)
        receiving = frame["status"].isin(["领取", "receiving"])
        # benefit_start never before the month of the 60th (men) / 55th (women) birthday
        age = sex.map({"M": policy.pension_age_male, "F": policy.pension_age_female})
        pension = (births.dt.year + age) * 12 + births.dt.month - 1
        start = frame["benefit_start"].str.slice(0, 4).replace("", "0").astype(int) * 12 + (
            frame["benefit_start"].str.slice(5, 7).replace("", "1").astype(int) - 1
        )
        assert (start[receiving] >= pension[receiving]).all()
        assert (frame.loc[receiving, "account_number"].str.len().between(16, 19)).all()
        assert set(frame.loc[receiving, "bank_code"]) <= set(policy.bank_codes)
        # a status never goes back from receiving to contributing
        now_receiving = set(ids[receiving])
        assert seen_receiving <= now_receiving | (seen_receiving - set(ids))
        seen_receiving |= now_receiving
    deaths = read_table(tmp_path / "2021-02" / "deaths" / "deaths_2021-02.csv")
    assert idcard.checksum_ok(deaths["id_number"]).all()
    assert (deaths["death_date"] <= deaths["registered_on"]).all()
    assert deaths["registered_on"].str.startswith("2021-02").all()
    assert set(deaths["source"]) <= {"公安", "民政", "卫健", "镇街"}
    contributions = read_table(tmp_path / "contributions" / "2021.csv")
    assert idcard.checksum_ok(contributions["id_number"]).all()
    assert contributions["缴费日期"].between("2021-10-01", "2021-12-31").all()


def test_ids_a_clerks_excel_turned_into_numbers_are_number_cells(tmp_path, policy):
    synthesize_inbox(tmp_path, policy=policy, people=300, months=YEAR[:5], edge_cases=True)
    catalogue = build_edge_cases().catalogue
    expected = {catalogue[f"numeric_id_{n}"]["excel_value"] for n in (1, 2, 3)}
    may = rosters(tmp_path, "2021-05")
    numbers = may[may["id_number"].map(lambda v: not isinstance(v, str))]
    assert set(numbers["id_number"]) == expected
    assert set(numbers["file"]) == {"320281111_顾山镇_2021-05.xlsx"}
    april = rosters(tmp_path, "2021-04")
    assert april["id_number"].map(lambda v: isinstance(v, str)).all()


def test_proportions(tmp_path, policy):
    synthesize_inbox(tmp_path, policy=policy, people=5000, months=["2021-01"], formats="csv")
    frame = rosters(tmp_path, "2021-01")
    assert len(frame) == 5000
    receiving = frame["status"] == "领取"
    assert 0.76 < receiving.mean() < 0.84
    births = idcard.birth_dates(frame.loc[receiving, "id_number"])
    over65 = (births.dt.year * 12 + births.dt.month) <= 1956 * 12 + 1
    assert 0.76 < over65.mean() < 0.86
    sizes = frame["file"].value_counts()
    assert len(sizes) == 18 and sizes.min() > 80


def test_csv_format_many_people(tmp_path, policy):
    report = synthesize_inbox(tmp_path, policy=policy, people=200_000, months=["2021-01"], formats="csv")
    assert report.roster_rows == {"2021-01": 200_000}
    assert all(name.endswith(".csv") for name in report.files)
    first = next((tmp_path / "2021-01" / "rosters").iterdir()).read_bytes()
    assert first.startswith("身份证号,".encode())


def test_bad_arguments(tmp_path, policy):
    with pytest.raises(ValueError):
        synthesize_inbox(tmp_path, policy=policy, months=["2021-01", "2021-03"])
    with pytest.raises(ValueError):
        synthesize_inbox(tmp_path, policy=policy, formats="parquet")


# ------------------------------------------------------------------- the committed sample


def test_sample_has_every_roster_every_month(policy):
    inbox = SAMPLE / "inbox"
    for month in YEAR:
        names = sorted(p.name for p in (inbox / month / "rosters").iterdir())
        assert [n[:9] for n in names] == sorted(policy.rostering_townships), month
        assert all(n.endswith((f"_{month}.csv", f"_{month}.xlsx")) for n in names)
    assert (inbox / "contributions" / "2021.csv").is_file()
    assert [p.parent.name for p in inbox.glob("*/bank_returns")] == ["2021-03"]  # the bank's answer to February
    sizes = [p.stat().st_size for p in SAMPLE.rglob("*") if p.is_file()]
    assert max(sizes) < 2_000_000 and sum(sizes) < 15_000_000


def test_sample_catalogue_matches_files(policy):
    catalogue = json.loads((SAMPLE / "edge_cases.json").read_text(encoding="utf-8"))
    assert set(catalogue) == set(build_edge_cases().catalogue)
    inbox = SAMPLE / "inbox"
    by_month = {m: rosters(inbox, m) for m in YEAR}
    for key, entry in catalogue.items():
        for month in entry["roster_months"]:
            frame = by_month[month]
            ids = frame["id_number"].map(lambda v: v if isinstance(v, str) else "")
            found = (ids == entry["id_number"]) | (frame["name"] == entry["name"])
            assert found.any(), (key, month)
        if entry["kind"] == "scenario" and entry["roster_months"]:
            last = entry["roster_months"][-1]
            if last != "2021-12":
                after = by_month[month_range(last, "2021-12")[1]]
                assert not (after["id_number"] == entry["id_number"]).any(), key
    # the three IDs stored as Excel numbers
    may = by_month["2021-05"]
    numbers = may[may["id_number"].map(lambda v: not isinstance(v, str))]
    assert sorted(numbers["name"]) == ["许数一", "许数三", "许数二"]
    # 钱迟报's death is only in July's file
    qian = catalogue["late_death"]["id_number"]
    for path in sorted(inbox.glob("*/deaths/*")):
        deaths = read_table(path)
        assert (qian in set(deaths["id_number"])) == (path.parent.parent.name == "2021-07")


def test_sample_reject_share_well_below_threshold():
    catalogue = json.loads((SAMPLE / "edge_cases.json").read_text(encoding="utf-8"))
    inbox = SAMPLE / "inbox"
    for entry in catalogue.values():
        for r in entry["expected_rejects"]:
            path = next((inbox / r["month"] / "rosters").glob(f"{r['file_township']}_*"))
            rows = len(read_table(path))
            assert r["rows"] / rows < 0.05, path.name


def test_sample_rows_are_valid_except_the_deliberate_ones(policy):
    """Only the catalogued bad rows may break a row rule checked here."""
    catalogue = json.loads((SAMPLE / "edge_cases.json").read_text(encoding="utf-8"))
    deliberate = {e["id_number"] for e in catalogue.values() if e["kind"] != "scenario"}
    for month in YEAR:
        frame = rosters(SAMPLE / "inbox", month)
        frame = frame[frame["id_number"].map(lambda v: isinstance(v, str))]
        frame = frame[~frame["id_number"].isin(deliberate)]
        ids = idcard.normalise(frame["id_number"])
        assert idcard.checksum_ok(ids).all(), month
        sex = frame["sex"].map({"男": "M", "女": "F", "M": "M", "F": "F"})
        assert (idcard.sexes(ids) == sex).all(), month
        births = idcard.birth_dates(ids)
        age = sex.map({"M": policy.pension_age_male, "F": policy.pension_age_female})
        pension = (births.dt.year + age) * 12 + births.dt.month - 1
        paid = frame["status"].isin(["领取", "暂停", "receiving", "suspended"])
        start = frame.loc[paid, "benefit_start"]
        assert start.str.fullmatch(r"\d{4}-\d{2}").all(), month
        start = start.str.slice(0, 4).astype(int) * 12 + start.str.slice(5, 7).astype(int) - 1
        assert (start >= pension[paid]).all(), month
        assert (frame.loc[paid, "account_number"].str.fullmatch(r"\d{12,25}")).all(), month
        assert set(frame.loc[paid, "bank_code"]) <= set(policy.bank_codes), month
        assert (frame["name"] != "").all()
