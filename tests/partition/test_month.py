"""The month partitioned by county (counties one after the other, no cluster) writes what the
single-process run writes, byte for byte, on a province of two counties whose months hold the
generator's edge cases, a failed bank line in each county and an ID on rosters of both."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from pipeline.partition.index import counties_of, person_index
from pipeline.partition.month import run_month_partitioned
from pipeline.paths import Inbox, OutDir
from pipeline.progress import Progress
from pipeline.run import RunContext, history, ingest, run, validate
from tests.support.province import files_of, province_inbox, province_policy

MONTHS = ["2021-01", "2021-02", "2021-03"]


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("province")
    policy = province_policy(root / "policy", counties=2)
    planted = province_inbox(root / "inbox", policy, people=2400, months=MONTHS)
    outs = {}
    for name, runner in (("single", run), ("partitioned", run_month_partitioned)):
        ctx = RunContext(MONTHS[-1], Inbox(root / "inbox"), OutDir(root / name), policy)
        runner(ctx, Progress(quiet=True), catch_up=True)
        outs[name] = root / name
    return policy, root / "inbox", outs, planted


def test_the_partitioned_run_writes_the_single_process_run_s_files(province):
    _, _, outs, _ = province
    single, partitioned = files_of(outs["single"]), files_of(outs["partitioned"])
    assert sorted(partitioned) == sorted(single)
    assert [name for name in single if partitioned[name] != single[name]] == []
    assert any(name.startswith("ledger/run_month=2021-03/") for name in single)
    assert len([name for name in single if name.startswith("2021-03/bank/")]) >= 2


def test_both_counties_hold_people_and_the_bank_lines_run_across_them(province):
    policy, _, outs, _ = province
    lines = pd.read_parquet(outs["partitioned"] / "2021-03" / "state" / "issued_lines.parquet")
    counties = lines["township_code"].str[:6]
    assert set(counties) == set(policy.county_codes)
    for _, batch in lines.groupby("batch_id"):  # one numbering per batch, county 320281's lines first
        assert batch["line_no"].tolist() == list(range(1, len(batch) + 1))
        assert batch.sort_values("line_no")["township_code"].is_monotonic_increasing


def test_an_id_on_rosters_of_two_counties_is_rejected_in_both_and_paid_nowhere(province):
    _, _, outs, planted = province
    rejects = pd.read_csv(outs["partitioned"] / "2021-03" / "rejects.csv", dtype=str, encoding="utf-8-sig")
    doubled = rejects[rejects["身份证号 id_number"] == planted["doubled_id"]]
    assert doubled["原因代码 reason_code"].tolist() == ["DUPLICATE_ACROSS_TOWNSHIPS"] * 2
    assert sorted(doubled["镇街代码 township_code"].str[:6]) == ["320281", "320282"]
    ledger = pd.read_parquet(outs["partitioned"] / "ledger" / "run_month=2021-03" / "entries.parquet")
    paid = ledger[(ledger["id_number"] == planted["doubled_id"]) & (ledger["period"] == "2021-03")]
    assert paid.empty


def test_the_failed_line_of_each_county_is_reversed_in_its_month(province):
    _, _, outs, planted = province
    ledger = pd.read_parquet(outs["partitioned"] / "ledger" / "run_month=2021-02" / "entries.parquet")
    reversed_lines = ledger[ledger["kind"] == "reversal"]
    issued = pd.read_parquet(outs["partitioned"] / "2021-01" / "state" / "issued_lines.parquet")
    failed = issued.merge(
        pd.DataFrame([(r["batch_id"], int(r["line_no"])) for r in planted["returns"]], columns=["batch_id", "line_no"])
    )
    assert len(failed) == 2
    assert set(failed["id_number"]) <= set(reversed_lines["id_number"])
    assert (
        reversed_lines.loc[reversed_lines["id_number"].isin(failed["id_number"]), "amount_fen"].sum()
        == -failed["amount_fen"].sum()
    )


def test_the_unmatched_death_is_listed_once_and_kept_by_the_first_county(province):
    policy, inbox, outs, _ = province
    summary = json.loads((outs["partitioned"] / "2021-02" / "summary.json").read_text(encoding="utf-8"))
    assert summary["deaths"]["unmatched"] == 1
    ctx = RunContext("2021-02", Inbox(inbox), OutDir(outs["partitioned"]), policy)
    quiet = Progress(quiet=True)
    past = history(ctx, quiet)
    validated = validate(ctx, ingest(ctx, quiet), past, quiet)
    index = person_index(validated, past, policy)
    unmatched = validated.deaths.loc[~validated.deaths["matched"], "id_number"]
    assert unmatched.tolist() == ["320281193912259814"] and "320281193912259814" not in index
    assert counties_of(unmatched, index, policy.county_codes[0]).tolist() == ["320281"]
