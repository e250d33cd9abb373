"""The auditors' views and invariants on a small hand-built output folder: two months, three
people, one bank batch a month. Each invariant is then fed a folder that breaks it."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pipeline.audit.check import connect_month_views, connect_views, invariant_checks, month_invariant_checks
from pipeline.core.idcard import normalise, with_checksum
from pipeline.emit.files import sha256_of, write_json, write_parquet
from pipeline.paths import OutDir
from pipeline.sql.runner import sql_text
from schemas.account import AccountEntry
from schemas.empty import empty_frame
from schemas.id_correction import IdCorrection
from schemas.ledger import LedgerEntry

ANN, BO, CAI = "320281195001010011", "320281195202020021", "320281195303030031"


def entry(
    run_month,
    id_number,
    period,
    component="base",
    kind="payment",
    reason="current",
    amount=39200,
    batch=None,
    line=None,
    settlement="bank",
    reverses=None,
    source_row=2,
) -> dict:
    return {
        "run_month": run_month,
        "entry_id": f"{run_month}-{id_number[-4:]}-{period}-{component}-{kind}-{settlement}",
        "id_number": id_number,
        "township_code": "320281001",
        "period": period,
        "component": component,
        "kind": kind,
        "reason": reason,
        "settlement": settlement,
        "amount_fen": amount,
        "bank_code": "JRCB" if batch else None,
        "account_number": "6228000000000001" if batch else None,
        "batch_id": batch,
        "line_no": line,
        "source_file": f"{run_month}/rosters/a.csv",
        "source_row": source_row,
        "reverses_entry_id": reverses,
    }


JAN = "2021-01-JRCB-PENSION"
FEB = "2021-02-JRCB-PENSION"
LEDGER = {
    "2021-01": [
        entry("2021-01", ANN, "2021-01", batch=JAN, line=1),
        entry("2021-01", BO, "2021-01", batch=JAN, line=2),
        entry("2021-01", CAI, "2021-01", batch=JAN, line=3),
    ],
    "2021-02": [
        entry("2021-02", ANN, "2021-02", batch=FEB, line=1),
        entry(
            "2021-02",
            BO,
            "2021-01",
            kind="reversal",
            reason="bank_failed",
            settlement="returned",
            amount=-39200,
            reverses=f"2021-01-{BO[-4:]}-2021-01-base-payment-bank",
        ),
        entry("2021-02", CAI, "2021-02", reason="current", batch=FEB, line=2),
        entry("2021-02", CAI, "2021-01", kind="recovery", reason="correction", settlement="owed", amount=-1000),
    ],
}
DUE = {  # as computed by each month's run
    "2021-01": [(ANN, "2021-01", 39200), (BO, "2021-01", 39200), (CAI, "2021-01", 39200)],
    "2021-02": [
        (ANN, "2021-01", 39200),
        (ANN, "2021-02", 39200),
        (BO, "2021-01", 39200),
        (BO, "2021-02", 39200),
        (CAI, "2021-01", 38200),
        (CAI, "2021-02", 39200),
    ],
}
HOLDS = {"2021-02": [(BO, "2021-01", 39200, "bank_account_rejected"), (BO, "2021-02", 39200, "bank_account_rejected")]}
# the personal accounts: ANN's opening balance, awarded in January (139,000 ÷ 139 = 1,000), debited in February
ACCOUNTS = {
    "2021-01": [(ANN, "2021-01", "opening", 139000, None)],
    "2021-02": [(ANN, "2021-02", "pension_debit", -1000, None)],
}
AWARDS = [(ANN, "2021-01", "computed", 139000, 139, 1000)]


TOWNSHIPS = [{"code": "320281001", "name": "澄江街道", "funding": "split", "submits_roster": True}]
PEOPLE = [(ANN, "安"), (BO, "博"), (CAI, "蔡")]


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """The ledger's column types, without its checks (some tests write broken ledgers on purpose)."""
    columns = list(LedgerEntry.to_schema().columns)
    return frame[columns].astype({"amount_fen": "int64", "line_no": "Int64", "source_row": "Int64"})


def carried_balances(ledger, month: str, *, rewritten_only: bool = False) -> pd.DataFrame:
    """The balances a run carries: every entry up to the month summed per person x period x
    component; rewritten_only: of the periods the month's entries touch only, as a run writes them
    (SPEC §6), the first month every period."""
    entries = pd.DataFrame([e for m, rows in ledger.items() if m <= month for e in rows])
    entries["owed_fen"] = entries["amount_fen"].where(entries["settlement"] == "owed", 0)
    summed = entries.groupby(["id_number", "period", "component"], as_index=False).agg(
        net_fen=("amount_fen", "sum"), owed_fen=("owed_fen", "sum")
    )
    if rewritten_only and month != min(ledger):
        summed = summed[summed["period"].isin({e["period"] for e in ledger[month]})]
    return summed.astype({"net_fen": "int64", "owed_fen": "int64"}).assign(run_month=month).reset_index(drop=True)


def account_tables(accounts, month: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A month's account entries (AccountEntry rows, or (id, period, component, fen, year) tuples),
    and the account balances it carries (every entry up to it summed)."""
    columns = list(AccountEntry.to_schema().columns)

    def frame(rows) -> pd.DataFrame:
        dicts = [
            r
            if isinstance(r, dict)
            else {"entry_id": f"{month}-{r[0][-4:]}-{r[2]}", "id_number": r[0], "township_code": "320281001",
                  "period": r[1], "component": r[2], "amount_fen": r[3], "year": r[4], "source_file": None,
                  "source_row": None}
            for r in rows
        ]  # fmt: skip
        return AccountEntry.validate(pd.DataFrame(dicts, columns=columns)) if dicts else empty_frame(AccountEntry)

    entries = frame(accounts.get(month, [])).assign(run_month=month)
    upto = pd.concat([frame(rs) for m, rs in accounts.items() if m <= month] or [empty_frame(AccountEntry)])
    balances = (
        upto.groupby(["id_number", "component", "year"], dropna=False, as_index=False)["amount_fen"]
        .sum()
        .rename(columns={"amount_fen": "net_fen"})
        .astype({"net_fen": "int64", "year": "Int64"})
        .assign(held_on_1_january_fen=0, run_month=month)
    )
    return entries, balances


def build(
    root: Path,
    ledger=LEDGER,
    close=("2021-01",),
    deaths=(),
    accounts=None,
    awards=None,
    *,
    due=DUE,
    holds=HOLDS,
    rewritten_only=False,
) -> OutDir:
    """accounts: run month -> its account entries (AccountEntry rows, or (id, period, component,
    fen, year) tuples), ANN's of ACCOUNTS by default; awards: the awards carried (AWARDS with the
    default accounts, else none); rewritten_only: each month's balances of the periods its entries
    touch only, as a run writes them (else every period, as older runs did)."""
    if accounts is None:
        accounts, awards = ACCOUNTS, AWARDS if awards is None else awards
    out = OutDir(root)
    for month, rows in ledger.items():
        write_parquet(typed(pd.DataFrame(rows)), out.ledger_partition(month) / "entries.parquet")
        state = out.state(month)
        write_parquet(
            pd.DataFrame(due[month], columns=["id_number", "period", "due_fen"]).assign(
                component="base", run_month=month
            ),
            state / "due.parquet",
        )
        # each month's due file holds every key (everyone recomputed, every month so far repriced)
        paid = {e["id_number"] for m in ledger if m <= month for e in ledger[m]}
        everyone = sorted({r[0] for r in due[month]} | paid)
        write_parquet(pd.DataFrame({"id_number": everyone, "run_month": month}), state / "recomputed_people.parquet")
        periods = sorted({m for m in ledger if m <= month} | {r[1] for r in due[month]})
        write_parquet(pd.DataFrame({"period": periods, "run_month": month}), state / "repriced_periods.parquet")
        write_parquet(
            pd.DataFrame(holds.get(month, []), columns=["id_number", "period", "gap_fen", "hold_reason"])
            .astype({"id_number": "str", "period": "str", "gap_fen": "int64", "hold_reason": "str"})
            .assign(component="base", township_code="320281001", run_month=month),
            state / "holds.parquet",
        )
        write_parquet(
            pd.DataFrame(list(deaths) or [{"id_number": "x", "death_date": pd.Timestamp("2099-01-01")}])
            .assign(registered_on=pd.Timestamp("2021-01-05"), source_file="d.csv", source_row=2, run_month=month)
            .assign(
                name="故人",
                source="公安",
                payee_name="亲属",
                payee_bank_code="ICBC",
                payee_account_number="6212000000000000001",
                payee_status="complete",
                matched=True,
            ),  # fmt: skip
            state / "deaths.parquet",
        )
        write_parquet(empty_frame(IdCorrection, run_month="str"), state / "id_corrections.parquet")
        write_parquet(carried_balances(ledger, month, rewritten_only=rewritten_only), state / "balances.parquet")
        account_entries, account_balances = account_tables(accounts, month)
        write_parquet(account_entries, state / "account_entries.parquet")
        write_parquet(account_balances, state / "account_balances.parquet")
        columns = ["id_number", "award_month", "basis", "balance_at_award_fen", "divisor", "account_pension_fen"]
        write_parquet(
            pd.DataFrame([a for a in (awards or []) if a[1] <= month], columns=columns)
            .astype({"balance_at_award_fen": "int64", "divisor": "Int64", "account_pension_fen": "int64"})
            .assign(run_month=month),
            state / "awards.parquet",
        )
        batch = [r for r in rows if r["batch_id"]]
        control = {
            "batch_id": batch[0]["batch_id"],
            "line_count": len(batch),
            "file": f"JRCB_{month}_pension.csv",
            "total_fen": sum(r["amount_fen"] for r in batch),
            "sha256": "0" * 64,
        }
        write_json(control, out.month(month) / "bank" / f"JRCB_{month}_pension.control.json")
        write_json({"month": month, "policy": {"values": {"townships": TOWNSHIPS}}}, out.month(month) / "manifest.json")
        write_parquet(
            pd.DataFrame(
                [
                    {
                        "id_number": i,
                        "name": n,
                        "township_code": "320281001",
                        "village": "城东村",
                        "status": "receiving",
                        "bank_code": "JRCB",
                        "run_month": month,
                        "ever_receiving": True,
                    }
                    for i, n in PEOPLE
                ]
            ),  # fmt: skip
            state / "last_known.parquet",
        )
        write_json(
            {"month": month, "status": "draft", "manifest_sha256": None, "ledger": {}}, out.month(month) / "status.json"
        )
    for month in close:
        write_json(
            {
                "month": month,
                "status": "closed",
                "manifest_sha256": sha256_of(out.month(month) / "manifest.json"),
                "ledger": {"entries.parquet": sha256_of(out.ledger_partition(month) / "entries.parquet")},
            },
            out.month(month) / "status.json",
        )
    return out


def rows(out: OutDir, query: str) -> list[tuple]:
    with connect_views(out) as con:
        return con.sql(query).fetchall()


@pytest.fixture
def out(tmp_path) -> OutDir:
    return build(tmp_path)


def test_ledger_and_months(out):
    assert rows(out, "select count(*), sum(amount_fen) from ledger") == [(7, 39200 * 5 - 39200 - 1000)]
    assert rows(out, "select run_month, closed from months order by 1") == [("2021-01", True), ("2021-02", False)]


def test_person_history_lists_every_entry_in_order(out):
    assert rows(
        out, f"select run_month, period, kind, reason, amount_fen, batch_id, line_no from person_history('{BO}')"
    ) == [
        ("2021-01", "2021-01", "payment", "current", 39200, JAN, 2),
        ("2021-02", "2021-01", "reversal", "bank_failed", -39200, None, None),
    ]


def test_net_by_person_period(out):
    assert rows(
        out, f"select period, net_fen, entries from net_by_person_period where id_number = '{CAI}' order by 1"
    ) == [("2021-01", 38200, 2), ("2021-02", 39200, 1)]


def test_bank_batches_next_to_control_files(out):
    assert rows(
        out,
        "select batch_id, ledger_lines, control_lines, ledger_total_fen, control_total_fen, reconciles "
        "from bank_batches order by 1",
    ) == [(JAN, 3, 3, 117600, 117600, True), (FEB, 2, 2, 78400, 78400, True)]


def test_arrears_recoveries_and_holds(out):
    assert rows(out, "select count(*) from arrears") == [(0,)]
    assert rows(out, "select id_number, owed_fen from recoveries_open") == [(CAI, 1000)]
    assert rows(out, "select id_number, period, held_fen, hold_reason from holds_current order by 2") == [
        (BO, "2021-01", 39200, "bank_account_rejected"),
        (BO, "2021-02", 39200, "bank_account_rejected"),
    ]


def test_sound_ledger_has_no_violations(out):
    assert invariant_checks(out)["violations"].tolist() == [0] * 11


def violations(out: OutDir) -> dict[str, int]:
    checks = invariant_checks(out)
    return dict(zip(checks["invariant"], checks["violations"], strict=True))


def test_a_carried_balance_off_the_ledger_is_caught(tmp_path):
    out = build(tmp_path)
    path = out.state("2021-02") / "balances.parquet"
    balances = pd.read_parquet(path)
    wrong = (balances["id_number"] == CAI) & (balances["period"] == "2021-01")
    write_parquet(balances.assign(owed_fen=balances["owed_fen"].where(~wrong, 0)), path)
    assert violations(out)["carried balances equal the ledger's sums"] == 1
    assert rows(
        out,
        "select run_month, id_number, period, carried_owed_fen, ledger_owed_fen, carried_net_fen from balances_unequal",
    ) == [("2021-02", CAI, "2021-01", 0, -1000, 38200)]


def test_the_months_self_audit_finds_what_the_whole_folder_check_finds(tmp_path):
    """A run checks its month from its files and its balances only; on these folders (sound, a
    payment after death, a wrong carried balance) it counts what the whole-ledger check counts."""
    sound = build(tmp_path / "sound")
    after_death = build(tmp_path / "dead", deaths=[{"id_number": ANN, "death_date": pd.Timestamp("2021-01-20")}])
    wrong = build(tmp_path / "wrong")
    path = wrong.state("2021-02") / "balances.parquet"
    balances = pd.read_parquet(path)
    write_parquet(balances.assign(net_fen=balances["net_fen"] + 1), path)
    for out in (sound, after_death):
        whole, month = invariant_checks(out), month_invariant_checks(out, "2021-02")
        assert month.to_dict("records") == whole.to_dict("records"), out.root.name
    assert month_invariant_checks(after_death, "2021-02")["violations"].sum() == 1
    # the month's net is read from its balances: a wrong one also shows as gaps, besides invariant 8
    assert month_invariant_checks(wrong, "2021-02")["violations"].tolist()[7] == len(balances)
    assert invariant_checks(wrong)["violations"].tolist()[7] == len(balances)


@pytest.mark.parametrize("tamper", ["untouched", "touched", "dropped", "added", "dropped_at_zero", "added_at_zero"])
def test_the_months_self_audit_lists_the_carried_balances_the_whole_check_lists(tmp_path, tamper):
    # the month's check sums only the keys its entries touched and compares the others by bucket
    # checksums; either way a wrong row is listed as the whole-folder check lists it
    out = build(tmp_path)
    path = out.state("2021-02") / "balances.parquet"
    balances = pd.read_parquet(path)
    february = pd.read_parquet(next(out.ledger_partition("2021-02").glob("*.parquet")))
    touched = balances.set_index(["id_number", "period", "component"]).index.isin(
        february.set_index(["id_number", "period", "component"]).index
    )
    assert touched.any() and not touched.all()
    pick = balances.index[touched if tamper == "touched" else ~touched][0]
    at_zero = balances.index[(balances["net_fen"] == 0) & (balances["owed_fen"] == 0)]
    assert len(at_zero) == 1  # BO's January, paid then returned by the bank: a key carried at 0
    if tamper in ("untouched", "touched"):
        balances.loc[pick, "net_fen"] += 1
    elif tamper in ("dropped", "dropped_at_zero"):
        balances = balances.drop(index=at_zero if tamper == "dropped_at_zero" else pick)
    else:
        row = balances.loc[at_zero if tamper == "added_at_zero" else [pick]]
        balances = pd.concat([balances, row.assign(period="2020-12")], ignore_index=True)
    write_parquet(balances, path)
    query = "select * from balances_unequal order by all"
    with connect_views(out) as con:
        whole = con.sql(query).fetchall()
    with connect_month_views(out, "2021-02") as con:
        month = con.sql(query).fetchall()
    assert len(whole) == 1 and month == whole


# March: ANN and CAI paid March, CAI's February corrected down by 10.00 (owed); BO still held. Its
# entries touch February and March: its balances file holds those two periods, and January is
# read from February's file, the last to rewrite it (SPEC §6)
MAR = "2021-03-JRCB-PENSION"
LEDGER_MARCH = {
    **LEDGER,
    "2021-03": [
        entry("2021-03", ANN, "2021-03", batch=MAR, line=1),
        entry("2021-03", CAI, "2021-03", batch=MAR, line=2),
        entry("2021-03", CAI, "2021-02", kind="recovery", reason="correction", settlement="owed", amount=-1000),
    ],
}
DUE_MARCH = {
    **DUE,
    "2021-03": [
        *((pid, period, 39200) for pid in (ANN, BO) for period in ("2021-01", "2021-02", "2021-03")),
        (CAI, "2021-01", 38200),
        (CAI, "2021-02", 38200),
        (CAI, "2021-03", 39200),
    ],
}
HOLDS_MARCH = {
    **HOLDS,
    "2021-03": [(BO, period, 39200, "bank_account_rejected") for period in ("2021-01", "2021-02", "2021-03")],
}


def build_march(root: Path) -> OutDir:
    return build(
        root, LEDGER_MARCH, close=("2021-01", "2021-02"), due=DUE_MARCH, holds=HOLDS_MARCH, rewritten_only=True
    )


def test_each_period_is_read_from_the_last_month_that_rewrote_it(tmp_path):
    out = build_march(tmp_path)
    march = pd.read_parquet(out.state("2021-03") / "balances.parquet")
    assert sorted(set(march["period"])) == ["2021-02", "2021-03"]
    as_of = rows(
        out,
        "select id_number, period, net_fen, owed_fen, run_month "
        "from carried_as_of(getvariable('balances_files'), '2021-03') order by all",
    )
    assert as_of == [
        (ANN, "2021-01", 39200, 0, "2021-02"),
        (ANN, "2021-02", 39200, 0, "2021-03"),
        (ANN, "2021-03", 39200, 0, "2021-03"),
        (BO, "2021-01", 0, 0, "2021-02"),  # paid in January, returned in February
        (CAI, "2021-01", 38200, -1000, "2021-02"),
        (CAI, "2021-02", 38200, -1000, "2021-03"),
        (CAI, "2021-03", 39200, 0, "2021-03"),
    ]
    # the whole check and the month's find the folder sound, and agree
    assert invariant_checks(out)["violations"].sum() == 0
    assert month_invariant_checks(out, "2021-03").to_dict("records") == invariant_checks(out).to_dict("records")


@pytest.mark.parametrize(
    ("tamper", "listed"),
    [
        ("touched_period_left_out", 2),  # CAI's and ANN's February, no longer carried by anyone
        ("untouched_key_changed", 1),  # ANN's February, in a rewritten period, off by 1 fen
        ("untouched_key_dropped", 1),  # ANN's February dropped from its rewritten period
        ("other_period_rewritten_off", 1),  # January written again by March, off by 1 fen
    ],
)
def test_a_month_rewriting_a_period_wrongly_is_caught_by_both_checks(tmp_path, tamper, listed):
    out = build_march(tmp_path)
    path = out.state("2021-03") / "balances.parquet"
    march = pd.read_parquet(path)
    ann_february = (march["id_number"] == ANN) & (march["period"] == "2021-02")
    if tamper == "touched_period_left_out":
        march = march[march["period"] != "2021-02"]
    elif tamper == "untouched_key_changed":
        march.loc[ann_february, "net_fen"] += 1
    elif tamper == "untouched_key_dropped":
        march = march[~ann_february]
    else:
        february = pd.read_parquet(out.state("2021-02") / "balances.parquet")
        january = february[february["period"] == "2021-01"].assign(run_month="2021-03")
        january.loc[january["id_number"] == ANN, "net_fen"] += 1
        march = pd.concat([march, january], ignore_index=True)
    write_parquet(march.reset_index(drop=True), path)
    query = "select * from balances_unequal order by all"
    with connect_views(out) as con:
        whole = con.sql(query).fetchall()
    with connect_month_views(out, "2021-03") as con:
        month = con.sql(query).fetchall()
    assert len(whole) == listed and month == whole
    assert month_invariant_checks(out, "2021-03")["violations"].tolist()[7] == listed


@pytest.mark.parametrize("tamper", ["due_raised", "due_dropped", "hold_dropped", "hold_added"])
def test_the_months_self_audit_lists_the_gaps_the_whole_check_lists(tmp_path, tamper):
    # the month's check sums due - net - held per bucket of keys and joins only the buckets whose
    # sum is not 0; a gap it would miss there, or one it would list that the whole check does not,
    # fails this test
    out = build(tmp_path)
    due_path, holds_path = out.state("2021-02") / "due.parquet", out.state("2021-02") / "holds.parquet"
    due, holds = pd.read_parquet(due_path), pd.read_parquet(holds_path)
    if tamper == "due_raised":
        due.loc[(due["id_number"] == ANN) & (due["period"] == "2021-02"), "due_fen"] = 40000
    elif tamper == "due_dropped":
        due = due[~((due["id_number"] == CAI) & (due["period"] == "2021-02"))]
    elif tamper == "hold_dropped":
        holds = holds[holds["period"] != "2021-02"]
    else:  # a hold without a gap: listed in neither check
        holds = pd.concat([holds, holds.iloc[[0]].assign(id_number=ANN, period="2021-02")], ignore_index=True)
    write_parquet(due, due_path)
    write_parquet(holds, holds_path)
    listed = {}
    for scope, connect in (("whole", connect_views), ("month", lambda o: connect_month_views(o, "2021-02"))):
        with connect(out) as con:
            listed[scope] = [
                con.sql(f"select * from {v} order by all").fetchall() for v in ("gaps_unlisted", "double_payments")
            ]
    assert listed["month"] == listed["whole"]
    expected = {"due_raised": (1, 0), "due_dropped": (1, 1), "hold_dropped": (1, 0), "hold_added": (0, 0)}[tamper]
    assert tuple(len(rows) for rows in listed["whole"]) == expected


def test_an_account_balance_off_its_entries_is_caught(tmp_path):
    out = build(tmp_path)
    path = out.state("2021-02") / "account_balances.parquet"
    balances = pd.read_parquet(path)
    write_parquet(balances.assign(net_fen=balances["net_fen"].where(balances["component"] != "opening", 138000)), path)
    assert violations(out)["account balances equal the sums of the account entries"] == 1
    assert rows(
        out, "select run_month, component, year, carried_net_fen, entries_net_fen from account_balances_unequal"
    ) == [("2021-02", "opening", 0, 138000, 139000)]
    assert (
        month_invariant_checks(out, "2021-02").set_index("invariant")["violations"][
            "account balances equal the sums of the account entries"
        ]
        == 1
    )


def test_a_refund_to_a_living_person_is_caught(tmp_path):
    refund = entry("2021-02", CAI, "2021-02", component="account_refund", amount=5000, batch=FEB, line=2)
    ledger = {**LEDGER, "2021-02": LEDGER["2021-02"][:2] + [LEDGER["2021-02"][3], refund]}
    living = build(tmp_path / "living", ledger=ledger)
    assert violations(living)["no account refund to a living person"] == 1
    dead = build(
        tmp_path / "dead", ledger=ledger, deaths=[{"id_number": CAI, "death_date": pd.Timestamp("2021-02-10")}]
    )
    assert violations(dead)["no account refund to a living person"] == 0
    terminated = build(tmp_path / "terminated", ledger=ledger)  # in 2021-02: 2021-01 says receiving
    path = terminated.state("2021-02") / "last_known.parquet"
    people = pd.read_parquet(path)
    write_parquet(people.assign(status=people["status"].where(people["id_number"] != CAI, "terminated")), path)
    assert violations(terminated)["no account refund to a living person"] == 0
    # the run's self-audit reads the people of the month's last_known only: the same verdicts
    for out, expected in ((living, 1), (dead, 0), (terminated, 0)):
        month = month_invariant_checks(out, "2021-02").set_index("invariant")["violations"]
        assert month["no account refund to a living person"] == expected


def test_an_award_off_the_balance_and_divisor_is_caught(tmp_path):
    off = [(ANN, "2021-01", "computed", 139000, 139, 1001)]  # 139,000 ÷ 139 = 1,000
    out = build(tmp_path / "off", awards=off)
    assert violations(out)["an award's account pension is the balance at award ÷ the divisor"] == 1
    assert rows(out, "select id_number, account_pension_fen, expected_fen from awards_unequal") == [(ANN, 1001, 1000)]
    # a balance at award the entries do not give is caught too; a previous-system award is not recomputed
    assert (
        violations(build(tmp_path / "balance", awards=[(ANN, "2021-01", "computed", 139500, 139, 1004)]))[
            "an award's account pension is the balance at award ÷ the divisor"
        ]
        == 1
    )
    previous = [(ANN, "2021-01", "previous_system", 139000, None, 2500)]
    assert (
        violations(build(tmp_path / "previous", awards=previous))[
            "an award's account pension is the balance at award ÷ the divisor"
        ]
        == 0
    )
    # the month's own audit checks the awards of its month: January's from its opening credit
    assert month_invariant_checks(build(tmp_path / "jan", awards=[(ANN, "2021-02", "computed", 139000, 139, 1001)]),
                                  "2021-02").set_index("invariant")["violations"][
        "an award's account pension is the balance at award ÷ the divisor"
    ] == 1  # fmt: skip


def test_payment_after_death_is_caught(tmp_path):
    out = build(tmp_path, deaths=[{"id_number": ANN, "death_date": pd.Timestamp("2021-01-20")}])
    assert violations(out)["nobody is paid beyond the month of death"] == 1
    assert rows(out, "select id_number, period, death_month from paid_after_death") == [(ANN, "2021-02", "2021-01")]


def test_payment_above_due_and_twice_in_a_run_are_caught(tmp_path):
    ledger = {
        **LEDGER,
        "2021-02": LEDGER["2021-02"]
        + [
            entry("2021-02", ANN, "2021-02", reason="arrears", settlement="bank", batch=FEB, line=1)
            | {"entry_id": "dup"}
        ],
    }
    out = build(tmp_path, ledger=ledger)
    problems = rows(out, "select id_number, period, problem from double_payments order by problem")
    assert problems == [(ANN, "2021-02", "net above due"), (ANN, "2021-02", "two payments in one run")]
    assert violations(out)["no net payment above what is due"] == 2


def test_pending_recovery_listed_in_holds_is_not_above_due(tmp_path):
    # ANN on no roster in February after a correction of January to 391.00: the -1.00 is held
    # (not_on_roster), not booked; a gap no holds row gives is caught
    due = {**DUE, "2021-02": [(ANN, "2021-01", 39100), *DUE["2021-02"][1:]]}
    holds = {"2021-02": [*HOLDS["2021-02"], (ANN, "2021-01", -100, "not_on_roster")]}
    out = build(tmp_path / "listed", due=due, holds=holds)
    assert rows(out, "select count(*) from double_payments") == [(0,)]
    assert rows(out, f"select held_fen, hold_reason from holds_current where id_number = '{ANN}'") == [
        (-100, "not_on_roster")
    ]
    assert violations(out)["net = due, or the gap is listed in holds"] == 0

    out = build(tmp_path / "unlisted", due=due)
    assert rows(out, "select id_number, period, gap_fen from gaps_unlisted") == [(ANN, "2021-01", -100)]
    assert violations(out)["net = due, or the gap is listed in holds"] == 1
    assert violations(out)["no net payment above what is due"] == 1


def test_duplicate_entry_id_is_caught(tmp_path):
    copy = dict(LEDGER["2021-02"][0])
    copy["period"] = "2021-01"  # same id, different content
    out = build(tmp_path, ledger={**LEDGER, "2021-02": LEDGER["2021-02"] + [copy]})
    assert violations(out)["entry ids are unique"] == 1


def test_untraceable_entry_is_caught(tmp_path):
    ledger = {
        **LEDGER,
        "2021-02": LEDGER["2021-02"]
        + [
            entry("2021-02", CAI, "2021-02", component="account", amount=100, batch=FEB, line=2) | {"source_file": None}
        ],
    }
    out = build(tmp_path, ledger=ledger)
    assert violations(out)["every entry is traceable to a source row"] == 1


def test_tampered_closed_month_is_caught(tmp_path):
    out = build(tmp_path)
    tampered = pd.DataFrame(LEDGER["2021-01"]).assign(amount_fen=lambda d: d["amount_fen"] + 1)
    write_parquet(typed(tampered), out.ledger_partition("2021-01") / "entries.parquet")
    assert violations(out)["closed months are unchanged since closing"] == 1
    assert rows(out, "select month, file from closed_month_hashes where not unchanged") == [
        ("2021-01", "entries.parquet")
    ]


def test_batch_differing_from_its_control_file_is_caught(tmp_path):
    out = build(tmp_path)
    control = out.month("2021-02") / "bank" / "JRCB_2021-02_pension.control.json"
    write_json({**json.loads(control.read_text()), "total_fen": 78401}, control)
    assert violations(out)["every bank batch equals its ledger entries"] == 1


def test_payout_audit_exit_codes(tmp_path, capsys):
    from pipeline.cli import main

    out = build(tmp_path)
    assert main(["audit", "--out", str(out.root)]) == 0
    control = out.month("2021-01") / "bank" / "JRCB_2021-01_pension.control.json"
    write_json({**json.loads(control.read_text()), "line_count": 4}, control)
    assert main(["audit", "--out", str(out.root)]) == 1


def test_normalise_id_in_sql_matches_the_pipeline(out):
    rng = random.Random(16)
    raw = [f"{rng.randrange(10**14, 10**15)}" for _ in range(300)]
    raw += [" 11010519491231002x ", "320281195001010011", "12345", ""]
    with connect_views(out) as con:
        con.register("raw_ids", pd.DataFrame({"raw": raw}))
        sql = con.sql("select normalise_id(raw) from raw_ids").fetchall()
    assert [r[0] for r in sql] == normalise(pd.Series(raw)).tolist()


def test_person_history_takes_a_legacy_15_digit_or_lowercase_x_id(tmp_path):
    legacy15 = "320281470415998"  # as an old roster wrote it: 1947-04-15
    dong = normalise(pd.Series([legacy15])).iloc[0]
    assert len(dong) == 18 and dong.startswith("32028119470415998")
    serial = next(s for s in range(100, 999) if with_checksum(f"32028119480101{s}").endswith("X"))
    xu = with_checksum(f"32028119480101{serial}")
    extra = [
        entry("2021-02", dong, "2021-01", kind="recovery", reason="correction", settlement="owed", amount=-500),
        entry("2021-02", xu, "2021-01", kind="recovery", reason="correction", settlement="owed", amount=-700),
    ]
    out = build(tmp_path, ledger={**LEDGER, "2021-02": LEDGER["2021-02"] + extra})
    assert rows(out, f"select amount_fen from person_history('{legacy15}')") == [(-500,)]
    assert rows(out, f"select amount_fen from person_history(' {xu.lower()} ')") == [(-700,)]
    assert rows(out, f"select amount_fen, amount_yuan from person_history('{xu}')") == [(-700, Decimal("-7.00"))]


def test_people_maps_an_id_to_its_name_and_township(out):
    assert rows(out, "select id_number, township_code, township, last_roster_month from people where name = '博'") == [
        (BO, "320281001", "澄江街道", "2021-02")
    ]
    assert rows(out, f"select name from person('{BO}')") == [("博",)]


def test_every_view_and_column_is_commented(out):
    with connect_views(out) as con:
        views = con.sql("select view_name, comment from duckdb_views() where not internal").fetchall()
        columns = con.sql(
            "select table_name, column_name, comment from duckdb_columns() "
            "where table_name in (select view_name from duckdb_views() where not internal)"
        ).fetchall()
        kinds = dict(
            ((t, c), k)
            for t, c, k in con.sql("select table_name, column_name, data_type from duckdb_columns()").fetchall()
        )
    assert len(views) >= 15
    assert [v for v, comment in views if not comment] == []
    assert [(t, c) for t, c, comment in columns if not comment] == []
    assert (
        kinds[("ledger", "amount_yuan")] == "DECIMAL(18,2)" and kinds[("holds_current", "held_yuan")] == "DECIMAL(18,2)"
    )
    assert kinds[("deaths_in_force", "death_date")] == "DATE"


def test_the_start_up_line_of_make_audit_names_the_views_and_macros(out):
    with connect_views(out) as con:
        lines = [r[0] for r in con.sql(sql_text("audit/startup")).fetchall()]
    assert lines[0].startswith("views: ") and "people" in lines[0] and "ledger" in lines[0]
    assert lines[1].startswith("macros: ") and "person_history" in lines[1] and "normalise_id" in lines[1]


def narrow_february_scope(out: OutDir) -> None:
    """February's due as a run writes it: its scope only (BO held and CAI corrected are
    recomputed; its own month is repriced), ANN's January left as January computed it."""
    state = out.state("2021-02")
    due = pd.read_parquet(state / "due.parquet")
    write_parquet(due[due["id_number"].isin([BO, CAI]) | (due["period"] == "2021-02")], state / "due.parquet")
    write_parquet(pd.DataFrame({"id_number": [BO, CAI], "run_month": "2021-02"}), state / "recomputed_people.parquet")
    write_parquet(pd.DataFrame({"period": ["2021-02"], "run_month": "2021-02"}), state / "repriced_periods.parquet")


def test_due_latest_reads_each_key_from_the_latest_month_whose_scope_held_it(tmp_path):
    out = build(tmp_path)
    narrow_february_scope(out)
    assert rows(out, f"select period, due_fen from due_latest where id_number = '{ANN}' order by period") == [
        ("2021-01", 39200),  # January's, which February's scope did not hold
        ("2021-02", 39200),
    ]
    assert rows(out, f"select period, due_fen from due_latest where id_number = '{CAI}' order by period") == [
        ("2021-01", 38200),
        ("2021-02", 39200),
    ]
    gaps = ["no net payment above what is due", "net = due, or the gap is listed in holds"]
    for checks in (invariant_checks(out), month_invariant_checks(out, "2021-02")):
        assert checks.set_index("invariant")["violations"][gaps].tolist() == [0, 0]


def test_the_months_self_audit_lists_an_entry_outside_its_scope(tmp_path):
    # a payment for ANN's January, which February's scope does not hold: due there is January's
    stray = entry("2021-02", ANN, "2021-01", reason="arrears", amount=100, batch=FEB, line=3)
    out = build(tmp_path, ledger={**LEDGER, "2021-02": [*LEDGER["2021-02"], stray]})
    narrow_february_scope(out)
    with connect_month_views(out, "2021-02") as con:
        listed = con.sql("select id_number, period, problem from double_payments").fetchall()
    assert listed == [(ANN, "2021-01", "net above due")]
    with connect_views(out) as con:  # the whole check finds it too, against January's due
        assert con.sql("select id_number, period, net_fen, due_fen from double_payments").fetchall() == [
            (ANN, "2021-01", 39300, 39200)
        ]


def test_the_months_self_audit_lists_pay_after_death_outside_its_scope(tmp_path):
    # ANN died in December 2020 and was paid January and February; February's scope holds only its
    # own month of ANN: the dead's every period is checked all the same
    out = build(tmp_path, deaths=[{"id_number": ANN, "death_date": pd.Timestamp("2020-12-15")}])
    narrow_february_scope(out)
    listed = {}
    for scope, connect in (("whole", connect_views), ("month", lambda o: connect_month_views(o, "2021-02"))):
        with connect(out) as con:
            listed[scope] = con.sql("select id_number, period, net_fen from paid_after_death order by all").fetchall()
    assert listed["month"] == listed["whole"] == [(ANN, "2021-01", 39200), (ANN, "2021-02", 39200)]
