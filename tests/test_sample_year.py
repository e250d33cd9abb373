"""Invariants of the whole sample year (data/sample/inbox), run once through the real CLI."""

from __future__ import annotations

import filecmp
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.emit.bank_files import read_bank_file
from pipeline.paths import DEFAULT_INBOX
from pipeline.sql.runner import load_macros

MONTHS = [f"2021-{m:02d}" for m in range(1, 13)]
pytestmark = pytest.mark.skipif(not (DEFAULT_INBOX / "2021-12").is_dir(), reason="sample inbox not generated")


@pytest.fixture(scope="module")
def year(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample-year")
    assert main(["run", "--month", "2021-12", "--catch-up", "--out", str(out), "--quiet"]) == 0
    return out


def sql(out: Path, query: str) -> pd.DataFrame:
    with duckdb.connect() as con:
        con.execute(f"set file_search_path = '{out}'")
        load_macros(con)
        return con.sql(query).df()


@pytest.mark.parametrize("month", MONTHS)
def test_net_equals_due_or_gap_is_held(year, month):
    gaps = sql(
        year,
        f"""
        with links as (  -- ID corrections so far: an old ID's entries are the new ID's
            select distinct old_id_number, new_id_number
            from read_parquet('*/state/id_corrections.parquet', union_by_name = true) where run_month <= '{month}'
        ),
        net as (
            select coalesce(l.new_id_number, e.id_number) as id_number, period, component,
                   sum(amount_fen) as net_fen
            from read_parquet('ledger/run_month=*/*.parquet') as e
            left join links as l on e.id_number = l.old_id_number
            where run_month <= '{month}' group by all
        ),
        due as (  -- due as of the month: each key from the latest month whose scope held it
            select * from due_as_of('*/state/due.parquet', '*/state/recomputed_people.parquet',
                                    '*/state/repriced_periods.parquet', '{month}')
        ),
        holds as (select id_number, period, component, gap_fen from read_parquet('{month}/state/holds.parquet'))
        select coalesce(n.id_number, d.id_number) as id_number, coalesce(n.period, d.period) as period,
               coalesce(n.component, d.component) as component,
               coalesce(d.due_fen, 0) - coalesce(n.net_fen, 0) as gap_fen, h.gap_fen as held_fen
        from net as n full outer join due as d using (id_number, period, component)
        left join holds as h using (id_number, period, component)
        where coalesce(d.due_fen, 0) <> coalesce(n.net_fen, 0)
    """,
    )
    assert (gaps["gap_fen"] > 0).all(), "net above due"
    assert (gaps["gap_fen"] == gaps["held_fen"]).all(), "an unpaid gap that is not in holds"


@pytest.mark.parametrize("month", MONTHS)
def test_bank_files_equal_ledger_per_bank_and_nobody_twice_in_a_batch(year, month):
    controls = [json.loads(p.read_text()) for p in sorted((year / month / "bank").glob("*.control.json"))]
    assert controls, "every sample month pays someone"
    ledger = sql(year, f"select * from read_parquet('ledger/run_month={month}/*.parquet')")
    carried = ledger[ledger["batch_id"].notna()].groupby("batch_id")["amount_fen"].sum()
    for control in controls:
        assert carried[control["batch_id"]] == control["total_fen"]
        body = read_bank_file(year / month / "bank" / control["file"], control)  # in the bank's layout
        assert len(body) == control["line_count"]
        assert not body["id_number"].duplicated().any()
        assert body["amount_fen"].sum() == control["total_fen"]
        assert body["line_no"].tolist() == list(range(1, control["line_count"] + 1))
    payments = ledger[(ledger["kind"] == "payment")]
    assert payments["amount_fen"].sum() > 0


def test_row_counts_reconcile_every_month(year):
    for month in MONTHS:
        summary = json.loads((year / month / "summary.json").read_text())
        for row in summary["rows"]["per_file"]:
            assert row["rows_read"] == row["accepted"] + row["rejected"], (month, row)
        assert summary["money"]["bank_reconciles"], month


def test_audit_passes_on_the_sample_year(year):
    assert main(["audit", "--out", str(year)]) == 0


def test_closed_month_refuses_rerun(year, capsys):
    assert main(["run", "--month", "2021-11", "--out", str(year)]) == 2
    assert "closed" in capsys.readouterr().err


def test_rerun_of_open_month_is_byte_identical(year, tmp_path):
    before = tmp_path / "before"
    _copy_tree(year / "2021-12", before / "2021-12")
    _copy_tree(year / "ledger" / "run_month=2021-12", before / "ledger")
    assert main(["run", "--month", "2021-12", "--out", str(year), "--quiet"]) == 0
    for left, right in (
        (before / "2021-12", year / "2021-12"),
        (before / "ledger", year / "ledger" / "run_month=2021-12"),
    ):
        files = sorted(p.relative_to(left) for p in left.rglob("*") if p.is_file())
        assert files == sorted(p.relative_to(right) for p in right.rglob("*") if p.is_file())
        match, mismatch, errors = filecmp.cmpfiles(left, right, [str(f) for f in files], shallow=False)
        assert mismatch == [] and errors == []


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_month_from_carried_balances_equals_the_whole_ledger_path(year, capsys):
    """`payout verify` computes each month of the year both ways from the history the year left:
    ledger entries, bank lines, holds and grants, due and balances identical row by row (so, month
    by month, the whole year run the old way gives the same ledger, bank files and lists); it
    writes nothing."""
    before = snapshot(year)
    for month in MONTHS:
        code = main(["verify", "--month", month, "--out", str(year)])
        said = capsys.readouterr().out
        assert code == 0, said
        assert "identical" in said, said
        carried = "from the balances the month before carried"
        assert (carried in said) == (month != MONTHS[0]), said
    assert snapshot(year) == before


def test_run_with_verify_drafts_the_month_when_both_ways_agree_and_stops_when_not(year, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    _copy_tree(year, out)
    december = out / "2021-12"
    drafted = {k: v for k, v in snapshot(december).items() if k != "status.json"}
    assert main(["run", "--month", "2021-12", "--out", str(out), "--verify", "--quiet"]) == 0
    assert {k: v for k, v in snapshot(december).items() if k != "status.json"} == drafted  # the same draft again
    capsys.readouterr()

    def one_difference(carried, reference):
        return pd.DataFrame({"table": ["ledger"], "side": ["carried only"], "row": ["320281********123X 2021-12"]})

    monkeypatch.setattr("pipeline.verify.differences", one_difference)
    before = snapshot(out)
    assert main(["run", "--month", "2021-12", "--out", str(out), "--verify", "--quiet"]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "1 rows differ" in err and "nothing was written" in err and "Traceback" not in err
    assert {k: v for k, v in snapshot(out).items() if k != ".lock"} == {k: v for k, v in before.items() if k != ".lock"}


def test_verify_names_a_carried_balance_that_differs_from_the_ledger(year, tmp_path, capsys):
    out = tmp_path / "out"
    _copy_tree(year, out)
    path = out / "2021-06" / "state" / "balances.parquet"
    balances = pq.read_table(path).to_pandas()
    person = balances.loc[(balances["component"] == "base") & (balances["period"] == "2021-06"), "id_number"].iloc[0]
    changed = (balances["id_number"] == person) & (balances["period"] == "2021-06") & (balances["component"] == "base")
    balances.loc[changed, "net_fen"] += 100
    pq.write_table(pa.Table.from_pandas(balances, preserve_index=False), path)
    assert main(["verify", "--month", "2021-07", "--out", str(out)]) == 1
    said = capsys.readouterr().out
    assert "rows differ" in said
    assert "balances (carried only)" in said and "balances (reference only)" in said
    assert person not in said and person[:6] + "********" + person[-4:] in said


def _copy_tree(source: Path, target: Path) -> None:
    import shutil

    shutil.copytree(source, target)


def test_answers_documented_in_the_data_dictionary(year):
    """docs/ledger.md quotes these answers on the sample year: keep them true."""
    from pipeline.audit.check import connect_views
    from pipeline.paths import OutDir

    with connect_views(OutDir(year)) as con:
        april = con.sql(
            "select sum(amount_fen), count(*), min(line_no), max(line_no) from person_history("
            "'320281196011089815') where run_month = '2021-04'"
        ).fetchall()
        assert april == [(171040, 8, 98, 98)]
        assert con.sql("select count(*) from paid_after_death").fetchall() == [(0,)]
        assert con.sql("select count(*) from double_payments").fetchall() == [(0,)]
        late = con.sql(
            "select period, component, settlement, amount_fen from person_history('320281194803129812') "
            "where run_month = '2021-07' order by all"
        ).fetchall()
        assert late == [
            # the account left: opening 1,344.00 less Jan-May's 5 x 22.40 = 1,232.00 (SPEC §5a)
            ("2021-05", "account_refund", "bank", 123200),
            ("2021-05", "funeral_grant", "bank", 235200),
            ("2021-06", "account", "set_off", -2240),
            ("2021-06", "base", "set_off", -39200),
            ("2021-06", "topup65", "set_off", -500),
        ]
        jrcb = con.sql(
            "select ledger_lines, ledger_total_fen, reconciles from bank_batches "
            "where batch_id = '2021-03-JRCB-PENSION'"
        ).fetchall()
        assert jrcb == [(1281, 56800622, True)]  # 杜错生 (id_correction): 392.00 + 35.60 more than before
        corrected = con.sql(
            "select id_number, sum(amount_fen), count(*) from person_history('320281195703059815') "
            "where run_month = '2021-06' group by 1"
        ).fetchall()
        assert corrected == [("320281195503059810", 45760, 8)]
        both = [
            con.sql(f"select count(*), sum(amount_fen) from person_history('{pid}')").fetchall()
            for pid in ("320281195703059815", "320281195503059810")
        ]
        assert both[0] == both[1] == [(5 * 2 + 5 + 7 * 3, 5 * (39200 + 3560) + 2500 + 7 * (39200 + 500 + 3560))]
        owed = con.sql("select id_number, owed_fen from recoveries_open order by owed_fen desc").fetchall()
        assert owed == [("320281195901209810", 130800), ("32028119430707981X", 41360)]


def test_indicators_of_the_sample_year_pass_and_fail_as_measured(year):
    from pipeline.indicators.annual import run_indicators
    from pipeline.paths import DEFAULT_POLICY, Inbox, OutDir
    from pipeline.policy import load_policy

    folder = run_indicators(2021, inbox=Inbox(DEFAULT_INBOX), out=OutDir(year), policy=load_policy(DEFAULT_POLICY))
    measured = {i["key"]: i for i in json.loads((folder / "indicators.json").read_text(encoding="utf-8"))["indicators"]}
    coverage, accuracy = measured["coverage"], measured["accuracy"]
    assert coverage["numerator"] == coverage["denominator"] > 2000 and coverage["passed"] is True
    # the sample's bounced February line and its recoveries make accuracy fall just short of 100%
    assert accuracy["numerator"] < accuracy["denominator"] and accuracy["passed"] is False
    assert measured["satisfaction_pensioners"]["passed"] is None


def account_cases() -> dict:
    """The named account cases of the sample and the figures expected of them (their `account`
    facts in edge_cases.json, written by hand in tools/synth/cases/scenario/2*_account_*.toml)."""
    catalogue = json.loads((DEFAULT_INBOX.parent / "edge_cases.json").read_text(encoding="utf-8"))
    return {key: entry for key, entry in catalogue.items() if "account" in entry}


def statements(out: Path) -> dict[str, list[tuple]]:
    from pipeline.audit.check import connect_views
    from pipeline.paths import OutDir

    with connect_views(OutDir(out)) as con:
        return {
            key: con.sql(
                f"select run_month, period, component, amount_fen from account_statement('{e['id_number']}')"
            ).fetchall()
            for key, e in account_cases().items()
        }


def test_named_accounts_are_opened_credited_corrected_and_earn_interest(year):
    """What is built of SPEC §5a on the named account cases: the opening balance, the credits (the
    2020 payments inside the opening balance are not credited again), the corrected contribution
    as a correcting entry in its run, and the December interest on the 1 January balance."""
    cases, found = account_cases(), statements(year)
    for key, e in cases.items():
        opening = ("2021-01", "2021-01", "opening", int(Decimal(e["opening_yuan"]) * 100))
        credits = [r for r in found[key] if r[2] in ("opening", "contribution", "subsidy", "interest")]
        expected = [opening]
        if key == "contribution_corrected":
            expected += [
                ("2021-10", "2021-10", "contribution", 40000),
                ("2021-10", "2021-10", "subsidy", 12000),
                ("2021-11", "2021-11", "contribution", e["account"]["correction_fen"]),  # the tier-5 row
            ]
        if key != "account_refund":  # its December interest depends on the refund (below)
            expected.append(("2021-12", "2021-12", "interest", e["account"]["interest_2021_fen"]))
            assert credits == expected, key
        else:
            assert credits[0] == opening


def test_the_months_summaries_count_the_fund_paid_of_the_one_account_run_out(year):
    """summary.json's fund_paid_fen is the standing total by which accounts' debits pass their
    credits: the sample's only exhausted account (account_exhausted), person by person. 杜错生's
    account, split across his ID correction in June, is not exhausted and counts nothing."""
    facts = account_cases()["account_exhausted"]["account"]
    summaries = {m: json.loads((year / m / "summary.json").read_text(encoding="utf-8"))["accounts"] for m in MONTHS}
    assert [summaries[m]["fund_paid_fen"] for m in ("2021-04", "2021-05", "2021-06")] == [0, 10000, 22000]
    assert summaries["2021-12"]["fund_paid_fen"] == facts["fund_paid_2021_fen"] == 93250
    assert {summaries[m]["accounts_exhausted"] for m in MONTHS[MONTHS.index(facts["exhausted_month"]) :]} == {1}


def test_named_accounts_after_the_award_debits_and_refund(year):
    """The hand-computed year of each named account (edge_cases.json): debits from the award on,
    the refund at death, and the balance after December."""
    for key, e in account_cases().items():
        facts, rows = e["account"], statements(year)[key]
        assert -sum(r[3] for r in rows if r[2] == "pension_debit") == facts.get("debited_2021_fen", 0), key
        refunds = [(r[1], -r[3]) for r in rows if r[2] == "refund"]
        assert refunds == ([(facts["refund_period"], facts["refund_fen"])] if "refund_fen" in facts else []), key
        assert sum(r[3] for r in rows if r[2] == "interest") == facts["interest_2021_fen"], key
        assert sum(r[3] for r in rows) == facts["balance_2021_12_fen"], key


def test_a_months_due_file_holds_its_scope_only(year):
    # June's file: the keys of its recomputed people and of its repriced months (June), every grant;
    # every other key of due as of June is an earlier month's row
    counts = sql(
        year,
        """
        with
        as_of as (
            select * from due_as_of('*/state/due.parquet', '*/state/recomputed_people.parquet',
                                    '*/state/repriced_periods.parquet', '2021-06')
        ),
        june as (select * exclude (run_month) from read_parquet('2021-06/state/due.parquet')),
        in_scope as (
            select * exclude (run_month) from as_of
            where id_number in (select id_number from read_parquet('2021-06/state/recomputed_people.parquet'))
                or period in (select period from read_parquet('2021-06/state/repriced_periods.parquet'))
                or component in ('funeral_grant', 'account_refund')
        )
        select (select count(*) from june) as june_rows, (select count(*) from as_of) as as_of_rows,
               (select count(*) from (select * from june except all select * from in_scope)) as june_only,
               (select count(*) from (select * from in_scope except all select * from june)) as scope_only,
               (select count(*) from as_of where run_month < '2021-06') as earlier_rows,
               (select list(period) from read_parquet('2021-06/state/repriced_periods.parquet')) as repriced
        """,
    ).iloc[0]
    assert (counts["june_only"], counts["scope_only"]) == (0, 0)
    assert list(counts["repriced"]) == ["2021-06"]
    assert counts["earlier_rows"] > 0 and counts["june_rows"] + counts["earlier_rows"] == counts["as_of_rows"]
    assert counts["june_rows"] < counts["as_of_rows"] / 3  # one month of six, and the few recomputed
