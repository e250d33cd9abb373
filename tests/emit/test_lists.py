"""The lists a clerk opens: every CSV has an .xlsx twin with the same cells, laid out by one writer
(title row, frozen header, autofilter, fitted widths, amounts as numbers, total row, landscape)."""

from __future__ import annotations

from decimal import Decimal

import openpyxl
import pandas as pd
import pytest

from pipeline.emit.xlsx import display_width
from tests.support.scenario import TOWNSHIP, Person, Scenario

ALICE = Person("甲故去", "1950-01-10", "M", 41)  # dies in January, registered in March
BO = Person("乙迁出", "1950-02-10", "M", 42)  # leaves the roster in March
CAI = Person("丙退回", "1950-03-10", "F", 43)  # March row rejected (bad account)
DU = Person("丁新增", "1950-04-10", "F", 44)  # joins in March
# ten more people: one bad row in thirteen stays under the 10% reject limit
OTHERS = [Person(f"戊{n}", "1951-05-10", "M", 50 + i) for i, n in enumerate("一二三四五六七八九十")]


@pytest.fixture(scope="module")
def march(tmp_path_factory) -> Scenario:
    scenario = Scenario(tmp_path_factory.mktemp("lists"))
    for month in ("2021-01", "2021-02"):
        scenario.roster(month, [ALICE.row(), BO.row(), CAI.row(), *(p.row() for p in OTHERS)])
        scenario.run(month)
    scenario.roster("2021-03", [ALICE.row(), CAI.row(account_number="12AB"), DU.row(), *(p.row() for p in OTHERS)])
    scenario.deaths(
        "2021-03",
        [
            {
                "id_number": ALICE.id,
                "name": ALICE.name,
                "death_date": "2021-01-20",
                "registered_on": "2021-03-02",
                "source": "公安",
                "payee_name": "甲亲属",
                "payee_bank_code": "ICBC",
                "payee_account_number": "6212000000000000041",
            }
        ],
    )
    scenario.run("2021-03", close=False)
    return scenario


def sheet(path):
    return openpyxl.load_workbook(path).active


def test_funeral_grants_xlsx_is_laid_out_for_a_clerk(march):
    folder = march.out.month("2021-03")
    ws = sheet(folder / "funeral_grants.xlsx")
    rows = list(ws.iter_rows())
    title, header, line, total = rows[0], rows[1], rows[2], rows[-1]
    assert "丧葬补助费" in title[0].value and "2021-03" in title[0].value and "draft" in title[0].value
    names = [c.value for c in header]
    assert names[:4] == ["镇街代码 township_code", "镇街 township", "姓名 deceased", "身份证号 id_number"]
    cells = dict(zip(names, line, strict=True))
    texts = ("身份证号 id_number", "领取人账号 payee_account", "镇街代码 township_code", "领取人开户银行 payee_bank")
    for text in texts:
        assert cells[text].data_type == "s", text
    assert cells["身份证号 id_number"].value == ALICE.id
    assert cells["领取人账号 payee_account"].value == "6212000000000000041"
    assert cells["死亡日期 death_date"].value == "2021-01-20"
    for amount in ("补助金额 grant", "抵扣多发 set_off", "实发 net"):
        assert cells[amount].data_type == "n" and cells[amount].number_format == "#,##0.00", amount
    grant, set_off, net = (cells[a].value for a in ("补助金额 grant", "抵扣多发 set_off", "实发 net"))
    assert grant > 0 and set_off > 0 and net == pytest.approx(grant - set_off)  # February paid after death
    assert total[0].value.startswith("合计 total")
    totals = dict(zip(names, total, strict=True))
    assert totals["实发 net"].value == pytest.approx(net) and totals["实发 net"].number_format == "#,##0.00"
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == f"A2:{openpyxl.utils.get_column_letter(len(names))}{len(rows) - 1}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$2"
    widths = {c.column_letter: ws.column_dimensions[c.column_letter].width for c in header}
    for cell in header:  # every header and value fits: a CJK character counts two
        column = [c.value for c in ws[cell.column_letter][1:-1]]
        needed = display_width(pd.Series([str(v) for v in column if v is not None])).max()
        assert widths[cell.column_letter] >= min(needed, 60), cell.value
    assert widths["D"] >= 18 + 2  # 18-digit ID


def _xlsx_as_text(path) -> list[list[str]]:
    """Header and data rows (no title, no total) as text: numbers (only amounts are numbers) with
    their two decimals, as the 0.00 format shows them."""
    ws = sheet(path)
    rows = list(ws.iter_rows(values_only=True))[1:-1]
    return [["" if v is None else f"{v:.2f}" if isinstance(v, (int, float)) else str(v) for v in row] for row in rows]


def _csv_as_text(path) -> list[list[str]]:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return [list(frame.columns)] + frame.values.tolist()


@pytest.mark.parametrize(
    "name",
    [
        "rejects.csv",
        f"rejects/{TOWNSHIP}_澄江街道_rejects.csv",
        f"funeral_grants/{TOWNSHIP}_澄江街道_funeral_grants.csv",
        "funeral_grants.csv",
        "holds.csv",
        "recoveries.csv",
        "changes.csv",
    ],
)
def test_every_clerk_list_has_an_xlsx_twin_with_the_same_cells(march, name):
    csv = march.out.month("2021-03") / name
    twin = csv.with_suffix(".xlsx")
    assert twin.is_file()
    rows = _csv_as_text(csv)
    assert len(rows) > 1, name  # the scenario puts a row in every list
    assert _xlsx_as_text(twin) == rows
    ws = sheet(twin)
    ids = [c for c in ws[2] if c.value and "id_number" in c.value]
    for cell in ws[ids[0].column_letter][2:-1]:
        assert cell.data_type == "s"  # every digit kept


def test_twin_totals_are_exact(march):
    ws = sheet(march.out.month("2021-03") / "holds.xlsx")
    rows = list(ws.iter_rows(values_only=True))
    column = rows[1].index("暂缓金额 held")
    held = sum(Decimal(f"{r[column]:.2f}") for r in rows[2:-1])
    assert Decimal(f"{rows[-1][column]:.2f}") == held > 0


def test_changes_say_rejected_not_left(march):
    changes = march.output("2021-03", "changes.csv").set_index("身份证号 id_number")["变动 change"]
    assert changes[CAI.id] == "rejected"
    assert changes[BO.id] == "left"
    assert changes[DU.id] == "joined"
