"""The codes the pipeline writes into its tables, each list in one place: the kinds of input, the
reasons a row is rejected, and the components, kinds, reasons and settlements of ledger entries."""

from __future__ import annotations

# The inbox folders of a month (inbox/<month>/<kind>/), read by every monthly run.
MONTHLY_INPUT_KINDS = ("rosters", "deaths", "bank_returns", "id_corrections")
# Contributions come once a year (inbox/contributions/<year>.*), read by the year's indicators.
YEARLY_INPUT_KINDS = ("contributions",)
# Opening balances of the personal accounts (inbox/accounts/opening.*), read by the opening month.
OPENING_INPUT_KINDS = ("opening_balances",)
# Every kind of input a row can be rejected from (rejects.input_kind).
INPUT_KINDS = MONTHLY_INPUT_KINDS + YEARLY_INPUT_KINDS + OPENING_INPUT_KINDS

# Ledger entries (docs/ledger.md): what the money is for, how it moves, why, and how it is settled.
COMPONENTS = ("base", "topup65", "account", "funeral_grant", "account_refund")
# The components a funeral line carries to the heirs (an account_refund of a person never dead is
# paid on their own pension line instead: SPEC §5a, a terminated person never paid).
FUNERAL_COMPONENTS = ("funeral_grant", "account_refund")
ENTRY_KINDS = ("payment", "reversal", "recovery")
LEDGER_REASONS = (
    "current",
    "arrears",
    "after_death",
    "after_employee_pension",
    "correction",
    "owed_set_off",
    "bank_failed",
)
SETTLEMENTS = ("bank", "set_off", "owed", "returned")

# Account ledger entries (SPEC §5a): credits (opening, contribution, subsidy, interest) and debits
# (pension_debit: the account pension paid; refund: the balance paid out at death).
ACCOUNT_COMPONENTS = ("opening", "contribution", "subsidy", "interest", "pension_debit", "refund")
# How an award's account pension was fixed: by this pipeline at the award (balance ÷ divisor), or
# by the previous system (the roster's value, for people paid in the opening month's run).
AWARD_BASES = ("computed", "previous_system")

# Reason codes of rejected rows, in the order a clerk should fix them, with the message the clerk
# reads (Chinese, then English). The first failing code of a row is its primary reason.
REJECT_REASONS: dict[str, tuple[str, str]] = {
    # identity
    "ID_MISSING": ("身份证号为空", "ID number is empty"),
    "ID_EXCEL_NUMBER": (
        "身份证号被Excel存成数字，后几位已丢失，请将该列设为文本后重新录入",
        "ID number was stored as a number by Excel and lost digits; set the column to text and re-enter it",
    ),
    "ID_FORMAT": (
        "身份证号应为18位（末位可为X）或15位旧号",
        "ID number must have 18 characters (last may be X) or 15 digits",
    ),
    "ID_CHECKSUM": ("身份证号校验位错误，请核对号码", "ID number check character is wrong; check the number"),
    "ID_BIRTH_INVALID": ("身份证号中的出生日期不存在", "birth date inside the ID number is not a real date"),
    "ID_BIRTH_FUTURE": ("身份证号中的出生日期晚于本月", "birth date inside the ID number is after the run month"),
    "NAME_MISSING": ("姓名为空", "name is empty"),
    "TEXT_INVISIBLE_CHARS": (
        "姓名、户名或村居中含有控制字符或不可见字符（如零宽空格），请删除后重新录入",
        "name, account name or village holds a control or invisible character (e.g. a zero-width space); "
        "delete it and re-enter the text",
    ),
    "NAME_TOO_LONG": (
        "姓名或户名过长，超过配置的字数上限，请核对",
        "name or account name is longer than the configured limit; check it",
    ),
    "SEX_INVALID": ("性别应为男/女", "sex must be 男/女 (M/F)"),
    "SEX_MISMATCH_ID": ("性别与身份证号第17位不符", "sex does not agree with the 17th digit of the ID number"),
    "BIRTH_DATE_INVALID": ("出生日期格式应为YYYY-MM-DD", "birth date must be written YYYY-MM-DD"),
    "BIRTH_DATE_MISMATCH_ID": ("出生日期与身份证号不符", "birth date does not agree with the ID number"),
    # where and who
    "TOWNSHIP_UNKNOWN": ("镇街代码不在配置的镇街中", "township code is not a configured township"),
    "TOWNSHIP_MISMATCH": (
        "该行的镇街代码与本名册所属镇街不同，请由该人员所属镇街上报",
        "the row's township code differs from the township this roster file is for; "
        "the person's own township must report them",
    ),
    "HUKOU_INVALID": ("本地户籍应为是/否", "local hukou must be 是/否 (Y/N, 1/0)"),
    "STATUS_INVALID": ("参保状态应为领取/缴费/暂停/终止", "status must be 领取/缴费/暂停/终止"),
    # months
    "MONTH_FORMAT": ("年月格式应为YYYY-MM（如2021-03）", "months must be written YYYY-MM (e.g. 2021-03)"),
    "BENEFIT_START_MISSING": (
        "领取或暂停人员须填待遇起始年月",
        "benefit start month is required when receiving or suspended",
    ),
    "SUSPENDED_FROM_MISSING": ("暂停人员须填暂停年月", "suspension month is required when suspended"),
    "END_MONTH_MISSING": ("终止人员须填终止年月", "end month is required when terminated"),
    # money and bank
    "ACCOUNT_PENSION_INVALID": (
        "个人账户养老金应为不小于0、最多两位小数的金额",
        "personal-account pension must be an amount ≥ 0 with at most 2 decimals",
    ),
    "ACCOUNT_PENSION_IMPLAUSIBLE": (
        "个人账户养老金超过配置的上限，疑为录入错误，请核对",
        "personal-account pension is above the configured plausibility limit (a typo?); check it",
    ),
    "BANK_MISSING": ("领取或暂停人员须填开户银行", "bank is required when receiving or suspended"),
    "BANK_UNKNOWN": ("开户银行不在配置的银行中", "bank code is not a configured bank"),
    "ACCOUNT_MISSING": ("领取或暂停人员须填银行账号", "account number is required when receiving or suspended"),
    "ACCOUNT_EXCEL_NUMBER": (
        "银行账号被Excel存成数字，后几位已丢失，请将该列设为文本后重新录入",
        "account number was stored as a number by Excel and lost digits; set the column to text and re-enter it",
    ),
    "ACCOUNT_INVALID": ("银行账号应为12至25位数字", "account number must be 12 to 25 digits"),
    # across files and months
    "DUPLICATE_IN_FILE": (
        "同一身份证号在本文件中出现多次，所有重复行均被退回",
        "ID number appears more than once in this file; every copy is rejected",
    ),
    "DUPLICATE_ACROSS_TOWNSHIPS": (
        "同一身份证号出现在多个镇街的名册中，待镇街核实后再发放",
        "ID number is on more than one township's roster; held until the townships agree",
    ),
    "BEFORE_PENSION_AGE": (
        "待遇起始年月早于到达领取年龄的月份",
        "benefit start is before the month the person reaches pension age",
    ),
    "NONLOCAL_RECEIVING": ("非本地户籍人员不能领取居保待遇", "a person without local hukou cannot be receiving"),
    "STATUS_BACKWARDS": (
        "此前已领取待遇，不能改回缴费状态",
        "was receiving in an earlier month; status cannot go back to contributing",
    ),
    "ID_CORRECTED": (
        "该身份证号已更正为新号码（身份证号更正记录），请用新身份证号上报",
        "this ID number has been corrected to a new one (an ID correction); report the person under the new ID number",
    ),
    "ID_CHANGED": (
        "新身份证号与本镇街本月离册人员的姓名、银行账号相同，但没有身份证号更正记录；如为同一人，请报送身份证号更正",
        "a new ID number with the name and account of a person who left this township's roster this month, and no "
        "ID correction; if they are the same person, send an ID correction (id_corrections)",
    ),
    # deaths
    "DEATH_DATE_INVALID": ("死亡日期应为YYYY-MM-DD", "death date must be written YYYY-MM-DD"),
    "REGISTERED_ON_INVALID": ("登记日期应为YYYY-MM-DD", "registration date must be written YYYY-MM-DD"),
    "DEATH_IN_FUTURE": ("死亡日期晚于本月", "death date is after the run month"),
    "DEATH_BEFORE_BIRTH": ("死亡日期早于出生日期", "death date is before the birth date"),
    "DEATH_CONFLICT": (
        "同一人在同一文件或同一登记日有多条死亡日期不同的登记，均被退回；核实前暂停发放",
        "registrations of this person in one file or on one day give different death dates; all are rejected "
        "and payments are held until one registration stands",
    ),
    "DEATH_SOURCE_INVALID": ("信息来源应为公安/民政/卫健/镇街", "source must be 公安/民政/卫健/镇街"),
    # identity corrections
    "CORRECTION_OLD_ID_INVALID": (
        "旧身份证号为空或不是有效的18位身份证号",
        "old ID number is empty or not a valid 18-character ID number",
    ),
    "CORRECTION_NEW_ID_INVALID": (
        "新身份证号为空或不是有效的18位身份证号",
        "new ID number is empty or not a valid 18-character ID number",
    ),
    "CORRECTION_SAME_ID": ("新旧身份证号相同", "old and new ID numbers are the same"),
    "CORRECTION_REASON_MISSING": ("更正原因为空", "the reason for the correction is empty"),
    "CORRECTION_OLD_ID_UNKNOWN": (
        "旧身份证号不在任何名册中（本月或以前）",
        "old ID number is on no roster, this month or earlier",
    ),
    "CORRECTION_CONFLICT": (
        "同一旧身份证号被更正为不同的新号码，或不同旧号码被更正为同一新号码，均被退回，请核实",
        "one old ID number corrected to different new ones, or different old ones to one new ID number; all are "
        "rejected until the office confirms",
    ),
    "CORRECTION_CHAIN": (
        "旧身份证号是以前更正的新号码，或新身份证号是以前更正的旧号码，请社保中心人工处理",
        "old ID number is the new number of an earlier correction, or the new one an earlier old one; the office "
        "must handle it by hand",
    ),
    # bank returns
    "BATCH_MISSING": ("批次号为空", "batch id is empty"),
    "LINE_NO_INVALID": ("序号应为正整数", "line number must be a positive whole number"),
    "AMOUNT_INVALID": ("金额应为最多两位小数的正数", "amount must be a positive amount with at most 2 decimals"),
    "RESULT_INVALID": ("结果应为成功/失败", "result must be 成功/失败"),
    "RETURN_UNMATCHED": (
        "回盘行与已发出的批次、序号、账号、金额不符",
        "return line matches no issued line (batch, line, account and amount)",
    ),
    "RETURN_DUPLICATE": (
        "同一批次序号回盘多次，均被退回",
        "the same batch line is returned more than once; every copy is rejected",
    ),
    # contributions
    "YEAR_INVALID": ("年度应为四位年份", "year must be a four-digit year"),
    "TIER_INVALID": ("档次不在配置的缴费档次中", "tier is not one of the configured contribution tiers"),
    "PAID_ON_INVALID": ("缴费日期应为YYYY-MM-DD", "payment date must be written YYYY-MM-DD"),
    # opening balances of the personal accounts
    "BALANCE_INVALID": (
        "账户余额应为不小于0、最多两位小数的金额",
        "balance must be an amount ≥ 0 with at most 2 decimals",
    ),
    "AS_OF_MONTH_INVALID": (
        "余额年月应为本系统的起始月份（YYYY-MM）",
        "as-of month must be the pipeline's opening month (YYYY-MM)",
    ),
}

REJECT_PRIORITY = {code: rank for rank, code in enumerate(REJECT_REASONS)}


def reject_message(codes: str) -> str:
    """The clerk's message for one reason code, or several ';'-separated in fixing order: the
    Chinese texts, then the English ones."""
    texts = [REJECT_REASONS[code] for code in codes.split(";")]
    return "；".join(zh for zh, _ in texts) + " / " + "; ".join(en for _, en in texts)
