"""Bank files in each bank's layout: widths in bytes, templates, truncation at a character
boundary, the pain.001 XSD; and the round trip of every sample layout: issue the batch, a result
file in that bank's layout fails one line, the line is reversed and held, and re-issued once the
roster gives a new account."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import sepaxml
from lxml import etree
from openpyxl import load_workbook

from pipeline.core.errors import RunStopped
from pipeline.emit.bank_files import read_bank_file
from pipeline.emit.bank_formats import Batch, file_name, render
from pipeline.paths import DEFAULT_POLICY
from pipeline.policy import load_policy
from tests.support.scenario import Person, Scenario

POLICY = load_policy(DEFAULT_POLICY)
PAIN001_XSD = Path(sepaxml.__file__).parent / "schemas" / "pain.001.001.03.xsd"


def batch(bank: str, names: list[str], accounts: list[str] | None = None, encoding: str = "gb18030") -> Batch:
    n = len(names)
    rows = pd.DataFrame(
        {
            "batch_id": f"2021-03-{bank}-PENSION",
            "line_type": "pension",
            "bank_code": bank,
            "序号": range(1, n + 1),
            "户名": names,
            "账号": accounts or [f"62220000000000{i:05d}" for i in range(n)],
            "金额": ["397.00"] * n,
            "身份证号": [f"32028119500101{i:03d}X" for i in range(n)],
            "摘要": "居保养老金 2021-03",
            "amount_fen": [39700 + i for i in range(n)],
        }
    )
    rows["金额"] = [f"{Decimal(f) / 100:.2f}" for f in rows["amount_fen"]]
    return Batch(bank, POLICY.bank_name(bank), "pension", "2021-03", encoding, rows)


def test_fixed_width_fields_are_bytes_of_the_encoding():
    layout = POLICY.bank_layouts["ICBC"]
    rendered = render(layout, batch("ICBC", ["王五", "欧阳娜娜"]))
    lines = rendered.data.split(b"\r\n")
    width = sum(f.width for f in layout.fields)
    assert [len(line) for line in lines[:2]] == [width, width]  # bytes, not characters
    assert lines[0].decode("gb18030").startswith("000001" + "6222000000000000000" + " " * 6 + "王五")
    assert lines[0][6 + 25 : 6 + 25 + 60].decode("gb18030") == "王五" + " " * 56  # 2 characters, 4 bytes
    assert lines[0][91:103] == b"000000039700"  # fen, zero-padded to 12
    assert lines[2] == b"2|79401" and lines[3] == b""  # the trailer: count|total_fen
    assert file_name(layout, batch("ICBC", ["王五"])) == "ICBC_DF_202103_pension.txt"


def test_a_long_name_is_cut_at_a_character_boundary_and_listed():
    layout = POLICY.bank_layouts["ICBC"]
    long_name = "a" + "阿" * 40  # 81 bytes: cut to 60 bytes would split a character
    rendered = render(layout, batch("ICBC", [long_name, "李四"]))
    first = rendered.data.split(b"\r\n")[0]
    name = first[31:91].decode("gb18030")  # decodes: no half character
    assert name == "a" + "阿" * 29 + " "  # 59 bytes of name, one byte of padding
    assert rendered.truncated.to_dict("records") == [
        {
            "开户银行 bank_code": "ICBC",
            "批次号 batch_id": "2021-03-ICBC-PENSION",
            "序号 line_no": 1,
            "身份证号 id_number": "32028119500101000X",
            "字段 field": "payee_name",
            "原文 written": long_name,
            "发送 sent": "a" + "阿" * 29,
        }
    ]


def test_an_account_too_wide_for_its_field_stops():
    layout = POLICY.bank_layouts["ICBC"]
    with pytest.raises(RunStopped, match=r"ICBC pension line 1 \(320281\*{8}000X\): its account_number needs 26"):
        render(layout, batch("ICBC", ["王五"], accounts=["6" * 26]))


def test_xlsx_layout_has_title_totals_and_numeric_amounts():
    layout = POLICY.bank_layouts["ABC"]
    rendered = render(layout, batch("ABC", ["王五", "李四"]))
    sheet = load_workbook(io.BytesIO(rendered.data)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "江阴市社保中心 代发pension 批次 2021-03-ABC-PENSION"
    assert rows[1] == ("序号", "账号", "户名", "金额", "证件号码", "用途")
    assert rows[2][:4] == ("1", "6222000000000000000", "王五", 397)
    assert sheet.cell(row=3, column=4).number_format == "0.00"
    assert sheet.cell(row=3, column=2).data_type == "s"  # the account stays text
    assert rows[4][0] == "合计 2 笔 794.01 元"
    assert render(layout, batch("ABC", ["王五", "李四"])).data == rendered.data  # same bytes again


def test_pain001_validates_against_the_iso_schema():
    layout = POLICY.bank_layouts["BOC"]
    rendered = render(layout, batch("BOC", ["王五", "李四", "赵六"], encoding="utf-8"))
    document = etree.fromstring(rendered.data)
    schema = etree.XMLSchema(etree.parse(str(PAIN001_XSD)))
    assert schema.validate(document), schema.error_log
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:NbOfTxs", namespaces=ns) == "3"
    assert document.findtext("p:CstmrCdtTrfInitn/p:GrpHdr/p:CtrlSum", namespaces=ns) == "1191.03"
    ids = [e.text for e in document.iterfind(".//p:EndToEndId", ns)]
    assert ids == ["2021-03-BOC-PENSION-1", "2021-03-BOC-PENSION-2", "2021-03-BOC-PENSION-3"]
    assert all(len(i) <= 35 for i in ids)
    amounts = [(e.text, e.get("Ccy")) for e in document.iterfind(".//p:InstdAmt", ns)]
    assert amounts == [("397.00", "CNY"), ("397.01", "CNY"), ("397.02", "CNY")]
    accounts = [e.text for e in document.iterfind(".//p:CdtrAcct/p:Id/p:Othr/p:Id", ns)]
    assert accounts[0] == "6222000000000000000"


@pytest.mark.parametrize("bank", ["JRCB", "ICBC", "ABC", "BOC"])
def test_every_layout_reads_back_as_written(bank, tmp_path):
    layout = POLICY.bank_layouts[bank]
    encoding = "utf-8" if layout.format == "pain001" else POLICY.bank_encoding(bank)
    written = batch(bank, ["王五", "=SUM(A1)", "欧阳娜娜"], encoding=encoding)
    path = tmp_path / file_name(layout, written)
    path.write_bytes(render(layout, written).data)
    control = {"encoding": encoding} | ({"layout": layout.model_dump(mode="json")} if bank != "JRCB" else {})
    back = read_bank_file(path, control)
    assert back["line_no"].tolist() == [1, 2, 3]
    assert back["account_number"].tolist() == written.rows["账号"].tolist()
    assert back["amount_fen"].tolist() == written.rows["amount_fen"].tolist()
    assert back["payee_name"].tolist() == ["王五", "=SUM(A1)", "欧阳娜娜"]


# -- the round trip through the monthly run ------------------------------------------------------

NEW_ACCOUNTS = {"ICBC": "6212999900000000001", "ABC": "6228999900000000002", "BOC": "6216999900000000003"}


def icbc_return(line: pd.Series, batch_id: str) -> bytes:
    cells = [batch_id.ljust(24), str(line["line_no"]).zfill(6), line["account_number"].ljust(25),
             str(line["amount_fen"]).zfill(12), "002", _pad("账户已销户", 40)]  # fmt: skip
    return ("".join(cells) + "\r\n" + "1|" + str(line["amount_fen"]) + "\r\n").encode("gb18030")


def _pad(text: str, width: int) -> str:
    return text + " " * (width - len(text.encode("gb18030")))


def abc_return(line: pd.Series, batch_id: str) -> bytes:
    amount = f"{Decimal(int(line['amount_fen'])) / 100:.2f}"
    fields = [batch_id, str(line["line_no"]), line["account_number"], amount, "F", "户名不符"]
    body = "批次号|序号|账号|金额|结果|原因\r\n" + "|".join(fields) + "\r\n"
    return body.encode("gb18030")


def boc_return(line: pd.Series, batch_id: str) -> bytes:
    amount = f"{Decimal(int(line['amount_fen'])) / 100:.2f}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"><CstmrPmtStsRpt>
<GrpHdr><MsgId>R1</MsgId><CreDtTm>2021-02-03T10:00:00</CreDtTm></GrpHdr>
<OrgnlGrpInfAndSts><OrgnlMsgId>{batch_id}</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.03</OrgnlMsgNmId></OrgnlGrpInfAndSts>
<OrgnlPmtInfAndSts><OrgnlPmtInfId>{batch_id}</OrgnlPmtInfId>
<TxInfAndSts><OrgnlEndToEndId>{batch_id}-{line["line_no"]}</OrgnlEndToEndId><TxSts>RJCT</TxSts>
<StsRsnInf><Rsn><Cd>AC04</Cd></Rsn></StsRsnInf>
<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">{amount}</InstdAmt></Amt>
<CdtrAcct><Id><Othr><Id>{line["account_number"]}</Id></Othr></Id></CdtrAcct></OrgnlTxRef></TxInfAndSts>
</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>""".encode()


RETURNS = {"ICBC": ("ICBC_HP_202101.txt", icbc_return), "ABC": ("ABC_HP_202101.txt", abc_return),
           "BOC": ("BOC_pain002_202101.xml", boc_return)}  # fmt: skip


@pytest.mark.parametrize("bank", list(RETURNS))
def test_a_failed_line_in_the_banks_own_result_file_is_reversed_held_and_reissued(bank, tmp_path):
    person = Person("柳换卡", "1950-04-04", "M", 40, {"bank_code": bank})
    scenario = Scenario(tmp_path)
    scenario.roster("2021-01", [person.row()])
    january = scenario.run("2021-01")
    control = next(
        c
        for c in (pd.read_json(p, typ="series") for p in sorted((january / "bank").glob(f"{bank}_*.control.json")))
        if c["line_type"] == "pension"
    )
    lines = read_bank_file(january / "bank" / control["file"], control.to_dict())
    line = lines[lines["id_number"] == person.id].iloc[0]
    name, make = RETURNS[bank]
    folder = scenario.inbox.month_dir("2021-02") / "bank_returns"
    folder.mkdir(parents=True)
    (folder / name).write_bytes(make(line, control["batch_id"]))
    scenario.roster("2021-02", [person.row()])
    scenario.run("2021-02")
    scenario.roster("2021-03", [person.row(account_number=NEW_ACCOUNTS[bank])])
    scenario.run("2021-03")

    paid = [("2021-01", "2021-01", c, "payment", "current", "bank", f) for c, f in (("base", 39200), ("topup65", 500))]
    reversed_ = [("2021-02", "2021-01", c, "reversal", "bank_failed", "returned", -f) for c, f in (("base", 39200),
                 ("topup65", 500))]  # fmt: skip
    reissued = [("2021-03", p, c, "payment", "arrears", "bank", f) for p in ("2021-01", "2021-02")
                for c, f in (("base", 39200), ("topup65", 500))]  # fmt: skip
    current = [
        ("2021-03", "2021-03", c, "payment", "current", "bank", f) for c, f in (("base", 39200), ("topup65", 500))
    ]
    assert scenario.entries_of(person) == sorted(paid + reversed_ + reissued + current)
    holds = scenario.output("2021-02", "holds.csv")
    assert set(holds.loc[holds["身份证号 id_number"] == person.id, "原因代码 hold_reason"]) == {"bank_account_rejected"}
