"""Bank file layouts (代发格式) as configuration: one TOML file per layout in `config/banks/`,
named by the policy's `[[banks]] layout`. A layout says how a batch of bank lines becomes the
bytes a bank's system accepts, and how that bank's result file (回盘) is read back into the
bank-return table. Adding a bank needs a layout file, never code (docs/banks.md).

Only the shape of the configuration lives here (validated with the rest of the policy); the
writers are in `pipeline/emit/bank_formats.py`, the readers in `pipeline/ingest/bank_formats.py`.
"""

from __future__ import annotations

import codecs
import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

# What a field of a payment line can hold (from the bank line and its batch).
LINE_FIELDS = ("line_no", "payee_name", "account_number", "amount", "id_number", "memo", "batch_id", "month")
# What a field of a result line can hold (mapped onto the bank-return table).
RETURN_FIELDS = ("batch_id", "line_no", "account_number", "amount", "result", "reason", "ignore")
# Placeholders of file names, header and trailer lines, and titles.
TEMPLATE_KEYS = ("bank", "bank_name", "month", "yyyymm", "line_type", "batch_id", "count", "total_fen", "total_yuan")
# Fields whose text may be cut to the bank's byte limit (listed for the office); any other field
# that does not fit its width stops the run: an account number or an amount is never cut.
TRUNCATABLE = ("payee_name", "memo")
LINE_ENDINGS = {"crlf": "\r\n", "lf": "\n"}


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _known_placeholders(template: str) -> str:
    for _, key, _, _ in string.Formatter().parse(template):
        if key is not None and key not in TEMPLATE_KEYS:
            raise ValueError(f"unknown placeholder {{{key}}} in {template!r}; known: {', '.join(TEMPLATE_KEYS)}")
    return template


def _encoding_exists(value: str) -> str:
    try:
        codecs.lookup(value)
    except LookupError:
        raise ValueError(f"'{value}' is not a text encoding (e.g. gb18030, gbk, utf-8)") from None
    return value


Encoding = Annotated[str, AfterValidator(_encoding_exists)]


class LineField(Strict):
    """One column of a payment file: which value, under which title, how wide (fixed width, in
    bytes of the file's encoding: a Chinese character is 2 bytes in GBK/GB18030)."""

    value: Literal[LINE_FIELDS]
    title: str = ""
    width: Annotated[int, Field(ge=1, le=200)] | None = None
    align: Literal["left", "right"] = "left"
    pad: Annotated[str, Field(min_length=1, max_length=1)] = " "
    max_bytes: Annotated[int, Field(ge=1, le=400)] | None = None

    @model_validator(mode="after")
    def _limits(self) -> LineField:
        if self.max_bytes is not None and self.value not in TRUNCATABLE:
            raise ValueError(f"max_bytes cuts text: only for {', '.join(TRUNCATABLE)}, not {self.value}")
        return self


class ReturnField(Strict):
    value: Literal[RETURN_FIELDS]
    width: Annotated[int, Field(ge=1, le=200)] | None = None


class ReturnLayout(Strict):
    """How the bank's result file is read: a file in `bank_returns/` whose name starts with
    `file_prefix` is this bank's; its lines map onto batch, line, account, amount, result, reason."""

    format: Literal["delimited", "fixed", "pain002"]
    file_prefix: Annotated[str, Field(min_length=1)]
    encoding: Encoding | None = None  # None: the bank's encoding
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    skip_lines: Annotated[int, Field(ge=0)] = 0  # title or header lines before the first result line
    skip_trailer_lines: Annotated[int, Field(ge=0)] = 0  # count/total lines after the last one
    amount_unit: Literal["yuan", "fen"] = "yuan"
    result_codes: dict[str, Literal["success", "failed"]] = {"成功": "success", "失败": "failed"}
    fields: list[ReturnField] = []

    @model_validator(mode="after")
    def _complete(self) -> ReturnLayout:
        if self.format == "pain002":
            return self
        named = {f.value for f in self.fields}
        missing = sorted({"batch_id", "line_no", "account_number", "amount", "result"} - named)
        if missing:
            raise ValueError(f"a result file must give {', '.join(missing)}")
        if self.format == "fixed" and any(f.width is None for f in self.fields):
            raise ValueError("every field of a fixed-width result file needs a width")
        return self


class BankLayout(Strict):
    """How a batch of bank lines is written for one bank (in the bank's encoding, `[[banks]]`)."""

    format: Literal["delimited", "fixed", "xlsx", "pain001"]
    line_ending: Literal["crlf", "lf"] = "crlf"
    extension: Annotated[str, Field(pattern=r"^[a-z0-9]{2,5}$")] = "csv"
    file_name: str = "{bank}_{month}_{line_type}"
    amount_unit: Literal["yuan", "fen"] = "yuan"
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    header_row: bool = True  # a line of the fields' titles
    header: list[str] = []  # template lines before the lines (or an XLSX title row)
    trailer: list[str] = []  # template lines after them (or an XLSX totals row)
    fields: list[LineField] = []
    # pain.001 only: who pays, from which account, on which day of the run month
    debtor_name: str = ""
    debtor_account: str = ""
    execution_day: Annotated[int, Field(ge=1, le=28)] = 5
    returns: ReturnLayout | None = None

    @field_validator("file_name")
    @classmethod
    def _file_name(cls, value: str) -> str:
        _known_placeholders(value)
        if "{line_type}" not in value and "{batch_id}" not in value:
            raise ValueError("the file name must hold {line_type} or {batch_id}: a month has two batches per bank")
        return value

    @field_validator("header", "trailer")
    @classmethod
    def _templates(cls, lines: list[str]) -> list[str]:
        return [_known_placeholders(line) for line in lines]

    @model_validator(mode="after")
    def _complete(self) -> BankLayout:
        if self.format == "pain001":
            if not self.debtor_name or not self.debtor_account:
                raise ValueError("a pain.001 layout needs debtor_name and debtor_account")
            return self
        named = [f.value for f in self.fields]
        missing = sorted({"line_no", "payee_name", "account_number", "amount"} - set(named))
        if missing:
            raise ValueError(f"a payment line must give {', '.join(missing)}")
        if self.format == "fixed" and any(f.width is None for f in self.fields):
            raise ValueError("every field of a fixed-width layout needs a width (in bytes)")
        return self

    @property
    def newline(self) -> str:
        return LINE_ENDINGS[self.line_ending]


def default_layout() -> BankLayout:
    """SPEC §7's CSV: 序号, 户名, 账号, 金额 (yuan), 身份证号, 摘要, in the bank's encoding; its
    result file is the same CSV kind the inbox has always read (批次号, 序号, 账号, 金额, 结果, 失败原因)."""
    columns = [("line_no", "序号"), ("payee_name", "户名"), ("account_number", "账号"), ("amount", "金额"),
               ("id_number", "身份证号"), ("memo", "摘要")]  # fmt: skip
    return BankLayout(
        format="delimited",
        fields=[LineField(value=value, title=title) for value, title in columns],
    )
