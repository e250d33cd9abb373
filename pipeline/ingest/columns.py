"""Column names of the input files: canonical English, the Chinese header clerks use, and
whether a file without that column cannot be read at all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    chinese: str
    required: bool  # a file lacking this column stops the run


ROSTER = (
    Column("id_number", "身份证号", True),
    Column("name", "姓名", True),
    Column("sex", "性别", True),
    Column("birth_date", "出生日期", False),
    Column("township_code", "镇街代码", True),
    Column("village", "村居", False),
    Column("hukou_local", "本地户籍", True),
    Column("status", "参保状态", True),
    Column("benefit_start", "待遇起始年月", False),
    Column("suspended_from", "暂停年月", False),
    Column("end_month", "终止年月", False),
    Column("employee_pension_from", "职工养老金起始年月", False),
    Column("account_pension", "个人账户养老金", False),
    Column("bank_code", "开户银行", False),
    Column("account_number", "银行账号", False),
    Column("account_name", "户名", False),
)

DEATH = (
    Column("id_number", "身份证号", True),
    Column("name", "姓名", True),
    Column("death_date", "死亡日期", True),
    Column("registered_on", "登记日期", True),
    Column("source", "信息来源", True),
    Column("payee_name", "领取人姓名", False),
    Column("payee_bank_code", "领取人开户银行", False),
    Column("payee_account_number", "领取人银行账号", False),
)

BANK_RETURN = (
    Column("batch_id", "批次号", True),
    Column("line_no", "序号", True),
    Column("account_number", "账号", True),
    Column("amount", "金额", True),
    Column("result", "结果", True),
    Column("reason", "失败原因", False),
)

CONTRIBUTION = (
    Column("id_number", "身份证号", True),
    Column("year", "年度", True),
    Column("tier", "档次", True),
    Column("personal_yuan", "个人缴费", True),
    Column("subsidy_yuan", "政府补贴", True),
    Column("paid_on", "缴费日期", True),
)

COLUMNS = {
    "rosters": ROSTER,
    "deaths": DEATH,
    "bank_returns": BANK_RETURN,
    "contributions": CONTRIBUTION,
}

# Columns whose digits a spreadsheet destroys when it stores them as numbers.
DIGIT_STRINGS = {"id_number", "account_number", "payee_account_number"}

# Every table read from a file carries where each row came from.
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"  # the row number the clerk sees in Excel: the header is row 1
