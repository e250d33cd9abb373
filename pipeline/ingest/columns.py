"""Column names of the input files: canonical English, the Chinese header clerks use, and
whether a file without that column cannot be read at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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

ID_CORRECTION = (
    Column("old_id_number", "旧身份证号", True),
    Column("new_id_number", "新身份证号", True),
    Column("reason", "原因", True),
    Column("registered_on", "登记日期", True),
)

CONTRIBUTION = (
    Column("id_number", "身份证号", True),
    Column("year", "年度", True),
    Column("tier", "档次", True),
    Column("personal_yuan", "个人缴费", True),
    Column("subsidy_yuan", "政府补贴", True),
    Column("paid_on", "缴费日期", True),
)

OPENING_BALANCE = (
    Column("id_number", "身份证号", True),
    Column("balance_yuan", "账户余额", True),
    Column("as_of_month", "余额年月", True),
)

COLUMNS = {
    "rosters": ROSTER,
    "deaths": DEATH,
    "bank_returns": BANK_RETURN,
    "id_corrections": ID_CORRECTION,
    "contributions": CONTRIBUTION,
    "opening_balances": OPENING_BALANCE,
}

# Columns whose digits a spreadsheet destroys when it stores them as numbers.
DIGIT_STRINGS = {"id_number", "account_number", "payee_account_number", "old_id_number", "new_id_number"}

# Every table read from a file carries where each row came from.
SOURCE_FILE = "source_file"
SOURCE_ROW = "source_row"  # the row number the clerk sees in Excel: the header is row 1

# Roster columns whose rule is YYYY-MM: a spreadsheet cell typed as a date there is a month.
MONTH_COLUMNS = {"benefit_start", "suspended_from", "end_month", "employee_pension_from", "as_of_month"}


def header_key(header: object) -> str:
    """How headers are compared: without padding (also a BOM or full-width space), English in
    lower case."""
    return str(header).strip().lstrip("\ufeff").strip().lower()


# Every header the pipeline knows without configuration -> its canonical column name.
KNOWN_HEADERS: dict[str, str] = {
    header_key(header): column.name
    for kind_columns in COLUMNS.values()
    for column in kind_columns
    for header in (column.name, column.chinese)
}


@dataclass(frozen=True)
class HeaderRules:
    """The headers clerks use beyond the canonical English and Chinese names (policy [headers]).

    synonyms: another header for a canonical column (公民身份号码 -> id_number), so that a file
    using it is read instead of stopped. ignored: headers of columns the pipeline does not need
    (备注); they are dropped. Any other unknown header stops the run: a renamed column must
    never be silently missing. A column of the file's own kind wins over `ignored` (序号 is the
    line number of a bank return even when rosters' 序号 is ignored).
    """

    synonyms: Mapping[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not isinstance(self.synonyms, Mapping) or not all(isinstance(v, str) for v in self.synonyms.values()):
            raise ValueError("synonyms must be a table of header = column")
        if isinstance(self.ignored, str) or not all(isinstance(h, str) for h in self.ignored):
            raise ValueError("ignored must be a list of headers")
        synonyms = {header_key(h): self._target(h, c) for h, c in self.synonyms.items()}
        ignored = frozenset(header_key(h) for h in self.ignored)
        both = sorted(set(synonyms) & ignored)
        if both:
            raise ValueError(f"header(s) {', '.join(both)} are both a synonym and ignored")
        object.__setattr__(self, "synonyms", synonyms)
        object.__setattr__(self, "ignored", ignored)

    @staticmethod
    def _target(header: str, column: str) -> str:
        """The canonical column a synonym stands for; a known header cannot be redefined."""
        if header_key(header) in KNOWN_HEADERS:
            raise ValueError(f"synonym {header!r} is already the header of {KNOWN_HEADERS[header_key(header)]}")
        if header_key(column) not in KNOWN_HEADERS:
            raise ValueError(f"synonym {header!r} names {column!r}, which is not a column of any input")
        return KNOWN_HEADERS[header_key(column)]

    def column_of(self, header: object) -> str | None:
        """The canonical column a header names, or None when it names none (of any kind)."""
        key = header_key(header)
        return self.synonyms.get(key) or KNOWN_HEADERS.get(key)


DEFAULT_HEADERS = HeaderRules()  # only the canonical names: every other header stops the run
