"""The merge numbers each bank batch's lines across the counties as one run numbers them (by
township, then ID) and points each ledger entry at its line's new number."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from pipeline.entitlement import month_balances
from pipeline.partition.merge import renumbered

A1, A2, B1 = "320281001", "320281400", "320282001"
PENSION_ICBC, PENSION_BOC = "2021-03-ICBC-PENSION", "2021-03-BOC-PENSION"


def lines(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["batch_id", "line_no", "id_number", "township_code", "amount_fen"])
    return frame.assign(
        line_type="pension",
        bank_code=frame["batch_id"].str.split("-").str[2],
        account_number="6222" + frame["id_number"],
    )


def entries(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["id_number", "batch_id", "line_no", "amount_fen"]).astype({"line_no": "Int64"})
    return frame.assign(
        period="2021-03", component="base", kind="payment", settlement="bank", entry_id=frame["id_number"]
    )


def county(code: str, bank_lines: pd.DataFrame, ledger: pd.DataFrame) -> SimpleNamespace:
    return SimpleNamespace(county=code, entitlement=SimpleNamespace(bank_lines=bank_lines, ledger=ledger))


def test_lines_of_a_batch_are_numbered_across_counties_and_entries_follow():
    second = county(
        "320282",
        lines([(PENSION_ICBC, 1, "p5", B1, 700), (PENSION_ICBC, 2, "p6", B1, 800)]),
        entries([("p5", PENSION_ICBC, 1, 700), ("p6", PENSION_ICBC, 2, 800)]),
    )
    first = county(
        "320281",
        lines([(PENSION_ICBC, 1, "p1", A1, 100), (PENSION_ICBC, 2, "p2", A2, 200), (PENSION_BOC, 1, "p3", A1, 300)]),
        entries(
            [
                ("p1", PENSION_ICBC, 1, 100),
                ("p2", PENSION_ICBC, 2, 200),
                ("p3", PENSION_BOC, 1, 300),
                ("p4", None, None, -50),
            ]
        ),
    )
    merged_lines, ledger = renumbered([second, first])
    assert merged_lines[["batch_id", "line_no", "id_number"]].values.tolist() == [
        [PENSION_BOC, 1, "p3"],
        [PENSION_ICBC, 1, "p1"],
        [PENSION_ICBC, 2, "p2"],
        [PENSION_ICBC, 3, "p5"],
        [PENSION_ICBC, 4, "p6"],
    ]
    by_person = ledger.set_index("id_number")["line_no"]
    assert by_person[["p1", "p2", "p3", "p5", "p6"]].tolist() == [1, 2, 1, 3, 4]
    assert pd.isna(by_person["p4"])  # a recovery carried by no bank line keeps none
    assert ledger["id_number"].tolist() == ["p1", "p2", "p3", "p4", "p5", "p6"]
    assert list(merged_lines.columns) == list(first.entitlement.bank_lines.columns)


def test_the_month_rewrites_a_period_one_county_touched_for_every_county():
    # county A re-issues A1's February; county B's people have no entry of February. The month
    # rewrites February in full, B1's row included (each county alone would have written only its
    # own periods, and the next month would read B1's February from this month's file: missing)
    before = pd.DataFrame(
        [(p, period, "base", 39200, 0, "2021-02") for p in (A1, B1) for period in ("2021-01", "2021-02")],
        columns=["id_number", "period", "component", "net_fen", "owed_fen", "run_month"],
    )
    before.loc[(before["id_number"] == A1) & (before["period"] == "2021-02"), "net_fen"] = 0  # returned
    ledger = pd.DataFrame(
        [(A1, "2021-03", 39200), (B1, "2021-03", 39200), (A1, "2021-02", 39200)],
        columns=["id_number", "period", "amount_fen"],
    ).assign(component="base", settlement="bank")
    month = month_balances(ledger, SimpleNamespace(balances=before, prior_ledger=None))
    assert month.select(["id_number", "period", "net_fen"]).to_pylist() == [
        {"id_number": A1, "period": "2021-02", "net_fen": 39200},
        {"id_number": A1, "period": "2021-03", "net_fen": 39200},
        {"id_number": B1, "period": "2021-02", "net_fen": 39200},
        {"id_number": B1, "period": "2021-03", "net_fen": 39200},
    ]
