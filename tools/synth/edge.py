"""Hand-made people and rows added on top of the random population (``edge_cases=True``).

Each named person has a fixed ID built from a fixed birth date and a sequence number from
980-999 (the random population never uses those), so tests can find them in any seed. Every
entry says what the input holds and what the pipeline must do with it; the sample's README
and ``edge_cases.json`` are written from this catalogue.

The scenario months are fixed (2021); rows for months that are not generated are left out.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import pandas as pd

from pipeline.months import month_range
from pipeline.validate.idcard import check_chars
from tools.synth.names import BANK_ACCOUNT_FORMAT
from tools.synth.population import REGION, SCHEME_START

YEAR = month_range("2021-01", "2021-12")

ROSTER_FIELDS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "township_code",
    "village",
    "hukou_local",
    "status",
    "benefit_start",
    "suspended_from",
    "end_month",
    "employee_pension_from",
    "account_pension",
    "bank_code",
    "account_number",
    "account_name",
)
DEATH_FIELDS = (
    "id_number",
    "name",
    "death_date",
    "registered_on",
    "source",
    "payee_name",
    "payee_bank_code",
    "payee_account_number",
)

# Townships the edge cases live in; all must submit rosters in the policy used.
CORRECTION_FIELDS = ("old_id_number", "new_id_number", "reason", "registered_on")

EDGE_TOWNSHIPS = (
    "320281001",
    "320281004",
    "320281005",
    "320281007",
    "320281009",
    "320281100",
    "320281102",
    "320281103",
    "320281104",
    "320281107",
    "320281108",
    "320281110",
    "320281111",
    "320281112",
    "320281400",
    "320281404",
)


@dataclass
class EdgeRow:
    month: str
    file_township: str  # whose roster file holds the row
    values: dict  # roster field -> text or None
    numeric_id: float | None = None  # the ID cell is stored as an Excel number


@dataclass
class EdgeDeath:
    month: str
    values: dict


@dataclass
class EdgeCases:
    roster_rows: list[EdgeRow] = field(default_factory=list)
    death_rows: list[EdgeDeath] = field(default_factory=list)
    catalogue: dict = field(default_factory=dict)
    correction_rows: list[EdgeDeath] = field(default_factory=list)  # month + ID-correction values

    def corrections_for(self, month: str) -> list[EdgeDeath]:
        return [c for c in self.correction_rows if c.month == month]

    def rows_for(self, month: str, township: str) -> list[EdgeRow]:
        return [r for r in self.roster_rows if r.month == month and r.file_township == township]

    def deaths_for(self, month: str) -> list[EdgeDeath]:
        return [d for d in self.death_rows if d.month == month]


# ------------------------------------------------------------------------------------ helpers


def make_id(birth: str, seq: int) -> str:
    """An 18-character Jiangyin ID for birth 'YYYYMMDD' and a 3-digit sequence."""
    body = pd.Series([f"{REGION}{birth}{seq:03d}"], dtype="str")
    return body.iloc[0] + check_chars(body).iloc[0]


def edge_id(birth: str, male: bool, digit_check: bool = False) -> str:
    """The first reserved sequence (980-999, odd for men) giving a valid ID."""
    for seq in range(981 if male else 980, 1000, 2):
        number = make_id(birth, seq)
        if not digit_check or number[-1] != "X":
            return number
    raise AssertionError("no reserved sequence fits")


def account(key: str, bank: str = "JRCB") -> str:
    prefix, length = BANK_ACCOUNT_FORMAT.get(bank, ("620000", 18))
    digits = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10 ** (length - 6)
    return f"{prefix}{digits:0{length - 6}d}"


def excel_number(id_number: str) -> float:
    """What Excel keeps of a long digit string typed into a General cell: 15 significant digits."""
    return float(f"{int(id_number):.14e}")


def default_start(birth: str, male: bool) -> str:
    """The month of the 60th (men) / 55th (women) birthday, or the scheme's start if later."""
    month = f"{int(birth[:4]) + (60 if male else 55):04d}-{birth[4:6]}"
    return max(month, SCHEME_START)


def _dash(birth: str) -> str:
    return f"{birth[:4]}-{birth[4:6]}-{birth[6:]}"


def person(
    key: str,
    name: str,
    male: bool,
    birth: str,
    township: str,
    *,
    status: str = "领取",
    benefit_start: str | None = None,
    village: str = "东园村",
    bank: str = "JRCB",
    pension: str | None = "35.60",
    id_number: str | None = None,
) -> dict:
    contributing = status == "缴费"
    return {
        "id_number": id_number or edge_id(birth, male),
        "name": name,
        "sex": "男" if male else "女",
        "birth_date": _dash(birth),
        "township_code": township,
        "village": village,
        "hukou_local": "是",
        "status": status,
        "benefit_start": None if contributing else (benefit_start or default_start(birth, male)),
        "suspended_from": None,
        "end_month": None,
        "employee_pension_from": None,
        "account_pension": None if contributing else pension,
        "bank_code": bank,
        "account_number": account(key, bank),
        "account_name": None,
    }


def _clean(values: dict, fields) -> dict:
    return {f: (None if values.get(f) in (None, "") else str(values[f])) for f in fields}


class _Builder:
    def __init__(self) -> None:
        self.cases = EdgeCases()

    def roster(self, key: str, months, township: str, values: dict, **changes) -> None:
        row = dict(values, **changes)
        for month in months:
            self.cases.roster_rows.append(EdgeRow(month, township, _clean(row, ROSTER_FIELDS)))

    def death(self, month: str, values: dict) -> None:
        self.cases.death_rows.append(EdgeDeath(month, _clean(values, DEATH_FIELDS)))

    def id_correction(self, month: str, values: dict) -> None:
        self.cases.correction_rows.append(EdgeDeath(month, _clean(values, CORRECTION_FIELDS)))

    def entry(self, key: str, kind: str, base: dict, input_text: str, expected: str, rejects=(), **extra) -> None:
        rows = [r for r in self.cases.roster_rows if r.values["id_number"] == base["id_number"]]
        listed = sorted({r.month for r in rows})
        townships = sorted({r.file_township for r in rows})
        self.cases.catalogue[key] = {
            "kind": kind,
            "name": base.get("name") or "",
            "id_number": base["id_number"],
            "township_code": townships[0] if townships else None,
            "roster_townships": townships,
            "roster_months": listed,
            "input": input_text,
            "expected": expected,
            "expected_rejects": [{"month": m, "file_township": t, "rows": n} for m, t, n in rejects],
            **extra,
        }


def _between(first: str, last: str) -> list[str]:
    return month_range(first, last)


# ---------------------------------------------------------------------------------- the cases


def build_edge_cases() -> EdgeCases:
    b = _Builder()
    _scenarios(b)
    _bad_roster_rows(b)
    _bad_death_rows(b)
    return b.cases


def _scenarios(b: _Builder) -> None:
    # 1. Late approval.
    p = person("late_approval", "赵晚批", True, "19601108", "320281001", status="缴费")
    b.roster("late_approval", _between("2021-01", "2021-03"), "320281001", p)
    b.roster(
        "late_approval",
        _between("2021-04", "2021-12"),
        "320281001",
        p,
        status="领取",
        benefit_start="2021-01",
        account_pension="35.60",
    )
    b.entry(
        "late_approval",
        "scenario",
        p,
        "60th birthday 2020-11; 缴费 on the 2021-01..03 rosters, 领取 from the 2021-04 roster "
        "with benefit_start 2021-01",
        "April pays Jan-Apr: Jan-Mar as arrears, April as current",
    )

    # 2. Death registered two months late.
    p = person("late_death", "钱迟报", True, "19480312", "320281005", benefit_start="2010-07", pension="22.40")
    b.roster("late_death", _between("2021-01", "2021-07"), "320281005", p)
    b.death(
        "2021-07",
        {
            "id_number": p["id_number"],
            "name": p["name"],
            "death_date": "2021-05-14",
            "registered_on": "2021-07-05",
            "source": "民政",
            "payee_name": "钱建国",
            "payee_bank_code": "JRCB",
            "payee_account_number": account("late_death_payee"),
        },
    )
    b.entry(
        "late_death",
        "scenario",
        p,
        "receiving, aged 72; dies 2021-05-14; still on the 2021-05, 06, 07 rosters; the "
        "death is registered only in the 2021-07 deaths file (registered_on 2021-07-05); "
        "off the roster from 2021-08",
        "May and June paid as usual; in July the June pension (base, top-up, account) is "
        "recovered and set off against his funeral grant (6 x 392 = 2352 yuan), July is not "
        "paid; nothing after",
        death_date="2021-05-14",
        death_registered="2021-07",
    )

    # 3. Suspension lifted.
    p = person(
        "suspension",
        "孙暂停",
        False,
        "19500721",
        "320281102",
        benefit_start="2010-07",
        pension="41.20",
        village="花园社区",
    )
    b.roster("suspension", _between("2021-01", "2021-03"), "320281102", p)
    b.roster("suspension", _between("2021-04", "2021-06"), "320281102", p, status="暂停", suspended_from="2021-04")
    b.roster("suspension", _between("2021-07", "2021-12"), "320281102", p)
    b.entry(
        "suspension",
        "scenario",
        p,
        "receiving; status 暂停 with suspended_from 2021-04 on the 2021-04..06 rosters; 领取 again from 2021-07",
        "Apr-Jun held (listed in holds); July pays Apr-Jun as arrears plus July",
    )

    # 4. Failed bank payment, corrected account.
    p = person("bank_change", "李换卡", False, "19580930", "320281104", benefit_start="2013-09", pension="18.90")
    account_b = account("bank_change_b")
    b.roster("bank_change", _between("2021-01", "2021-03"), "320281104", p)
    b.roster("bank_change", _between("2021-04", "2021-12"), "320281104", p, account_number=account_b)
    b.entry(
        "bank_change",
        "scenario",
        p,
        f"receiving; account A {p['account_number']} (JRCB) on the 2021-01..03 rosters, "
        f"corrected account B {account_b} (JRCB) from the 2021-04 roster",
        "with the bank return in the 2021-03 inbox (made from the issued February batch) failing her 2021-02 "
        "line: a reversal in March, February held in March (same account A on the roster), "
        "re-issued to account B in April",
        account_a=p["account_number"],
        account_b=account_b,
    )

    # 5. Same ID in two townships.
    p = person("duplicate_townships", "周重复", True, "19551203", "320281107", benefit_start="2015-12", pension="27.00")
    b.roster("duplicate_townships", YEAR, "320281107", p)
    b.roster("duplicate_townships", ["2021-03"], "320281108", p, township_code="320281108", village="西湖村")
    b.entry(
        "duplicate_townships",
        "scenario",
        p,
        "receiving in 320281107 华士镇 all year; in 2021-03 the same ID is also on the 320281108 周庄镇 roster",
        "March: both copies rejected (ID in two townships), March held; April pays March as arrears plus April",
        rejects=[("2021-03", "320281107", 1), ("2021-03", "320281108", 1)],
    )

    # 6. Reaching pension age in 2021.
    p = person("turns_60", "吴满六十", True, "19610317", "320281110", status="缴费")
    b.roster("turns_60", _between("2021-01", "2021-02"), "320281110", p)
    b.roster(
        "turns_60",
        _between("2021-03", "2021-12"),
        "320281110",
        p,
        status="领取",
        benefit_start="2021-03",
        account_pension="64.80",
    )
    b.entry(
        "turns_60",
        "scenario",
        p,
        "man, 60th birthday 2021-03-17; 缴费 in 2021-01..02, 领取 from the 2021-03 roster with benefit_start 2021-03",
        "paid from March (base, no top-up); nothing for Jan-Feb",
    )
    p = person("turns_55", "郑满五五", False, "19660502", "320281111", status="缴费")
    b.roster("turns_55", _between("2021-01", "2021-04"), "320281111", p)
    b.roster(
        "turns_55",
        _between("2021-05", "2021-12"),
        "320281111",
        p,
        status="领取",
        benefit_start="2021-05",
        account_pension="52.30",
    )
    b.entry(
        "turns_55",
        "scenario",
        p,
        "woman, 55th birthday 2021-05-02; 缴费 in 2021-01..04, 领取 from the 2021-05 roster "
        "with benefit_start 2021-05 (an XLSX township)",
        "paid from May; nothing for Jan-Apr",
    )

    # 7. 29 February birthday.
    p = person("leap_day", "王闰日", True, "19560229", "320281112", benefit_start="2016-02", pension="30.10")
    b.roster("leap_day", YEAR, "320281112", p)
    b.entry(
        "leap_day",
        "scenario",
        p,
        "man born 1956-02-29 (1961-02-29 does not exist, so the leap-day case is his 65th "
        "birthday, which falls in 2021, a year without 29 February); receiving all year",
        "January: base + account only; the 65+ top-up starts in 2021-02 (a 29 February birthday counts in February)",
    )

    # 8. 65th birthday in June.
    p = person("topup_65", "冯六五", False, "19560615", "320281400", benefit_start="2011-06", pension="12.00")
    b.roster("topup_65", YEAR, "320281400", p)
    b.entry(
        "topup_65",
        "scenario",
        p,
        "woman born 1956-06-15, receiving all year",
        "top-up of 5 yuan from June 2021 (not before)",
    )

    # 9. Deaths registered in the month of death.
    p = person("death_paid", "陈月中", True, "19400404", "320281009", benefit_start="2010-07", pension="15.50")
    b.roster("death_paid", _between("2021-01", "2021-08"), "320281009", p)
    b.death(
        "2021-08",
        {
            "id_number": p["id_number"],
            "name": p["name"],
            "death_date": "2021-08-20",
            "registered_on": "2021-08-25",
            "source": "公安",
            "payee_name": "陈海峰",
            "payee_bank_code": "ICBC",
            "payee_account_number": account("death_paid_payee", "ICBC"),
        },
    )
    b.entry(
        "death_paid",
        "scenario",
        p,
        "receiving; dies 2021-08-20, registered in the 2021-08 deaths file with payee "
        "陈海峰 (ICBC); on the rosters until 2021-08",
        "August paid in full; funeral grant 6 x 392 = 2352 yuan issued in August to the payee; nothing from September",
        death_date="2021-08-20",
        death_registered="2021-08",
    )
    p = person("death_no_payee", "褚无亲", False, "19381010", "320281100", benefit_start="2010-07", pension="9.80")
    b.roster("death_no_payee", _between("2021-01", "2021-09"), "320281100", p)
    b.death(
        "2021-09",
        {
            "id_number": p["id_number"],
            "name": p["name"],
            "death_date": "2021-09-03",
            "registered_on": "2021-09-10",
            "source": "镇街",
        },
    )
    b.entry(
        "death_no_payee",
        "scenario",
        p,
        "receiving; dies 2021-09-03, registered in the 2021-09 deaths file without payee "
        "details; on the rosters until 2021-09",
        "September paid; funeral grant listed as awaiting payee details",
        death_date="2021-09-03",
        death_registered="2021-09",
    )

    # 10. Employee pension discovered late.
    p = person("employee_pension", "卫职工", True, "19590120", "320281103", benefit_start="2019-01", pension="44.00")
    b.roster("employee_pension", _between("2021-01", "2021-05"), "320281103", p)
    b.roster("employee_pension", _between("2021-06", "2021-12"), "320281103", p, employee_pension_from="2021-03")
    b.entry(
        "employee_pension",
        "scenario",
        p,
        "receiving; from the 2021-06 roster on, employee_pension_from = 2021-03 (an XLSX township)",
        "Mar-May recovered in June (listed in recoveries); nothing paid from June",
    )

    # 11. Terminated; contributor who dies.
    p = person("terminated", "蒋终止", True, "19450909", "320281404", benefit_start="2010-07", pension="20.00")
    b.roster("terminated", _between("2021-01", "2021-04"), "320281404", p)
    b.roster("terminated", _between("2021-05", "2021-12"), "320281404", p, status="终止", end_month="2021-04")
    b.entry(
        "terminated",
        "scenario",
        p,
        "receiving until the 2021-04 roster; from 2021-05 status 终止 with end_month 2021-04",
        "paid Jan-Apr; nothing after April",
    )
    p = person("contributor_died", "沈缴费亡", False, "19720618", "320281001", status="缴费")
    b.roster("contributor_died", _between("2021-01", "2021-10"), "320281001", p)
    b.death(
        "2021-10",
        {
            "id_number": p["id_number"],
            "name": p["name"],
            "death_date": "2021-10-11",
            "registered_on": "2021-10-15",
            "source": "卫健",
            "payee_name": "沈立新",
            "payee_bank_code": "ABC",
            "payee_account_number": account("contributor_died_p", "ABC"),
        },
    )
    b.entry(
        "contributor_died",
        "scenario",
        p,
        "contributor (缴费); dies 2021-10-11, registered 2021-10 with payee 沈立新 (ABC)",
        "funeral grant 2352 yuan in October; no pension ever",
        death_date="2021-10-11",
        death_registered="2021-10",
    )

    # 12. Death of someone on no roster.
    nobody = {"id_number": edge_id("19391225", True), "name": "秦无籍"}
    b.death("2021-02", dict(nobody, death_date="2021-02-03", registered_on="2021-02-09", source="公安"))
    b.entry(
        "unmatched_death",
        "scenario",
        nobody,
        "a valid ID on no roster ever, in the 2021-02 deaths file",
        "accepted and listed as unmatched (not a reject); no money",
        death_date="2021-02-03",
        death_registered="2021-02",
    )

    # 13. Status going backwards.
    p = person("status_backwards", "韩回退", False, "19520308", "320281004", benefit_start="2010-07", pension="25.50")
    b.roster("status_backwards", _between("2021-01", "2021-02"), "320281004", p)
    b.roster("status_backwards", ["2021-03"], "320281004", p, status="缴费", benefit_start=None, account_pension=None)
    b.roster("status_backwards", _between("2021-04", "2021-12"), "320281004", p)
    b.entry(
        "status_backwards",
        "scenario",
        p,
        "receiving in 2021-01..02; marked 缴费 in the 2021-03 roster; 领取 again from 2021-04",
        "March row rejected (status cannot go back from receiving to contributing), March "
        "held; April pays March as arrears plus April",
        rejects=[("2021-03", "320281004", 1)],
    )

    # 14 (deaths). A later registration correcting the death date.
    p = person("death_corrected", "杨更正", True, "19430707", "320281110", benefit_start="2010-07", pension="16.60")
    b.roster("death_corrected", _between("2021-01", "2021-03"), "320281110", p)
    payee = {
        "payee_name": "杨志刚",
        "payee_bank_code": "JRCB",
        "payee_account_number": account("death_corrected_payee"),
    }
    b.death(
        "2021-03",
        dict(
            id_number=p["id_number"],
            name=p["name"],
            death_date="2021-03-28",
            registered_on="2021-03-30",
            source="镇街",
            **payee,
        ),
    )
    b.death(
        "2021-04",
        dict(
            id_number=p["id_number"],
            name=p["name"],
            death_date="2021-02-26",
            registered_on="2021-04-06",
            source="公安",
            **payee,
        ),
    )
    b.entry(
        "death_corrected",
        "scenario",
        p,
        "receiving; registered in 2021-03 (death_date 2021-03-28, 镇街), then registered "
        "again in the 2021-04 deaths file (death_date 2021-02-26, 公安): the later "
        "registration corrects the earlier one; on the rosters until 2021-03",
        "March: March paid, funeral grant 2352 yuan issued; April: the correction makes "
        "March overpaid: March's pension is recovered (recoveries list: the grant was "
        "already issued, so it is neither re-issued nor recovered); nothing after",
        death_date="2021-02-26",
        death_registered="2021-03",
        death_date_first="2021-03-28",
        death_corrected="2021-04",
    )

    # 15. IDs stored as Excel numbers in one month of an XLSX roster.
    for key, name, male, birth in (
        ("numeric_id_1", "许数一", True, "19510816"),
        ("numeric_id_2", "许数二", False, "19531102"),
        ("numeric_id_3", "许数三", True, "19490527"),
    ):
        p = person(
            key, name, male, birth, "320281111", pension="19.90", id_number=edge_id(birth, male, digit_check=True)
        )
        b.roster(key, YEAR, "320281111", p)
        for row in b.cases.roster_rows:
            if row.values["id_number"] == p["id_number"] and row.month == "2021-05":
                row.numeric_id = excel_number(p["id_number"])
        b.entry(
            key,
            "scenario",
            p,
            "receiving all year in 320281111 顾山镇 (XLSX); in the 2021-05 file the ID cell "
            f"is an Excel number ({excel_number(p['id_number']):.5E}, digits lost)",
            "May row rejected as 'ID stored as a number, digits lost', May held; June pays May as arrears plus June",
            rejects=[("2021-05", "320281111", 1)],
            excel_value=excel_number(p["id_number"]),
        )

    # 16. 15-digit legacy ID.
    legacy = "320281470415998"
    upgraded = make_id("19470415", 998)
    p = person(
        "legacy_id",
        "柳旧证",
        False,
        "19470415",
        "320281404",
        benefit_start="2010-07",
        pension="11.10",
        id_number=legacy,
    )
    b.roster("legacy_id", YEAR, "320281404", p)
    b.entry(
        "legacy_id",
        "scenario",
        p,
        f"receiving all year; the roster gives the 15-digit legacy ID {legacy}",
        f"upgraded to {upgraded} and accepted; paid every month under the 18-digit ID",
        id_number_18=upgraded,
    )

    # Formula-looking name (valid otherwise).
    p = person(
        "formula_name",
        '=HYPERLINK("http://example.invalid","点我")',
        False,
        "19490130",
        "320281112",
        benefit_start="2010-07",
        pension="13.30",
    )
    b.roster("formula_name", YEAR, "320281112", p)
    b.entry(
        "formula_name",
        "scenario",
        p,
        'receiving all year; the name cell is =HYPERLINK("http://example.invalid","点我")',
        "accepted and paid; every CSV/XLSX output shows the name neutralised as text (never a live formula)",
    )

    # Identity correction: a birth date wrongly registered, so a wrong ID number.
    old = person("id_correction_old", "杜错生", True, "19570305", "320281009", benefit_start="2017-03")
    p = dict(old, id_number=edge_id("19550305", True), birth_date="1955-03-05")
    b.roster("id_correction", _between("2021-01", "2021-05"), "320281009", old)
    b.roster("id_correction", _between("2021-06", "2021-12"), "320281009", p)
    b.id_correction(
        "2021-06",
        {
            "old_id_number": old["id_number"],
            "new_id_number": p["id_number"],
            "reason": "出生日期登记错误（应为1955-03-05）",
            "registered_on": "2021-06-03",
        },
    )
    b.entry(
        "id_correction",
        "scenario",
        p,
        f"man registered born 1957-03-05 under ID {old['id_number']} on the 2021-01..05 rosters "
        "(no 65+ top-up before 2022-03); really born 1955-03-05: from the 2021-06 roster under the "
        "fixed ID, with an ID correction in the 2021-06 id_corrections file",
        "Jan-May paid under the old ID (base + account); in June the history moves to the new ID, "
        "which is not paid again for Jan-May but gets the top-up it was owed (5 x 5.00 yuan as arrears) "
        "plus June in full; the old ID is never paid again",
        old_id_number=old["id_number"],
        correction_month="2021-06",
    )


def _bad(
    b: _Builder,
    key: str,
    month: str,
    township: str,
    base: dict,
    input_text: str,
    expected: str,
    rows: int = 1,
    **changes,
) -> None:
    b.roster(key, [month] * rows, township, base, **changes)
    shown = dict(base, **changes)
    b.entry(key, "bad_roster_row", shown, input_text, expected, rejects=[(month, township, rows)])


def _bad_roster_rows(b: _Builder) -> None:
    def receiving(key, name, male, birth, township, start, **kw):
        return person(key, name, male, birth, township, benefit_start=start, **kw)

    p = receiving("bad_check_char", "何校验", True, "19520611", "320281001", "2012-06")
    wrong = p["id_number"][:17] + ("0" if p["id_number"][17] != "0" else "1")
    _bad(
        b,
        "bad_check_char",
        "2021-02",
        "320281001",
        p,
        f"ID {wrong}: the check character should be {p['id_number'][17]}",
        "rejected: ID check character wrong",
        id_number=wrong,
    )

    p = receiving("bad_id_length", "吕位数", False, "19570312", "320281004", "2012-03")
    short = p["id_number"][:17]
    _bad(
        b,
        "bad_id_length",
        "2021-02",
        "320281004",
        p,
        f"ID {short}: 17 characters (the last one dropped)",
        "rejected: ID malformed (not 18 characters)",
        id_number=short,
    )

    p = receiving(
        "bad_birth_digits", "施假日", True, "19560229", "320281005", "2016-02", id_number=make_id("19560230", 981)
    )
    _bad(
        b,
        "bad_birth_digits",
        "2021-02",
        "320281005",
        p,
        f"ID {p['id_number']}: birth digits 19560230 are not a real date (check character correct); birth_date empty",
        "rejected: ID birth date not a real date",
        birth_date=None,
    )

    p = receiving("bad_sex", "孔性别", True, "19530419", "320281009", "2013-04")
    _bad(
        b,
        "bad_sex",
        "2021-02",
        "320281009",
        p,
        "sex 女 but the ID's 17th digit is odd (a man)",
        "rejected: sex disagrees with the ID",
        sex="女",
    )

    p = receiving("bad_birth_date", "曹生日", False, "19510723", "320281100", "2010-07")
    _bad(
        b,
        "bad_birth_date",
        "2021-02",
        "320281100",
        p,
        "birth_date 1951-07-24 but the ID says 1951-07-23",
        "rejected: birth_date disagrees with the ID",
        birth_date="1951-07-24",
    )

    p = receiving("bad_township", "严无镇", True, "19480902", "320281102", "2010-07")
    _bad(
        b,
        "bad_township",
        "2021-03",
        "320281102",
        p,
        "township_code 320281999 (not a configured township) in 320281102's file",
        "rejected: unknown township code",
        township_code="320281999",
    )

    p = receiving("bad_hukou", "华户籍", False, "19500105", "320281103", "2010-07")
    _bad(
        b,
        "bad_hukou",
        "2021-03",
        "320281103",
        p,
        "hukou_local 农业 (not 是/否/Y/N/1/0), in an XLSX file",
        "rejected: hukou_local value not allowed",
        hukou_local="农业",
    )

    p = receiving("bad_status", "金状态", True, "19470317", "320281104", "2010-07")
    _bad(
        b,
        "bad_status",
        "2021-03",
        "320281104",
        p,
        "status 正常 (not one of the four)",
        "rejected: status value not allowed",
        status="正常",
    )

    p = receiving("receiving_no_start", "魏无起", False, "19540808", "320281107", "2010-07")
    _bad(
        b,
        "receiving_no_start",
        "2021-03",
        "320281107",
        p,
        "status 领取 with benefit_start empty",
        "rejected: benefit_start required",
        benefit_start=None,
    )

    p = receiving("suspended_no_from", "陶无停", True, "19460214", "320281110", "2010-07")
    _bad(
        b,
        "suspended_no_from",
        "2021-03",
        "320281110",
        p,
        "status 暂停 with suspended_from empty",
        "rejected: suspended_from required",
        status="暂停",
    )

    p = person(
        "future_birth", "张未生", False, "20210915", "320281112", status="缴费", id_number=make_id("20210915", 980)
    )
    _bad(
        b,
        "future_birth",
        "2021-04",
        "320281112",
        p,
        f"ID {p['id_number']}: birth date 2021-09-15, after the run month 2021-04",
        "rejected: ID birth date in the future",
    )

    p = receiving("terminated_no_end", "姜无终", True, "19490611", "320281400", "2010-07")
    _bad(
        b,
        "terminated_no_end",
        "2021-04",
        "320281400",
        p,
        "status 终止 with end_month empty",
        "rejected: end_month required",
        status="终止",
    )

    p = receiving("month_slash", "戚斜杠", False, "19551111", "320281404", "2010-11")
    _bad(
        b,
        "month_slash",
        "2021-04",
        "320281404",
        p,
        "benefit_start written 2021/3",
        "rejected: month not in the form YYYY-MM",
        benefit_start="2021/3",
    )

    p = receiving("negative_pension", "邹负数", True, "19440404", "320281001", "2010-07")
    _bad(
        b,
        "negative_pension",
        "2021-04",
        "320281001",
        p,
        "account_pension -12.50",
        "rejected: account_pension negative",
        account_pension="-12.50",
    )

    p = receiving("three_decimals", "喻三位", False, "19580101", "320281004", "2013-01")
    _bad(
        b,
        "three_decimals",
        "2021-04",
        "320281004",
        p,
        "account_pension 56.125",
        "rejected: account_pension has more than 2 decimals",
        account_pension="56.125",
    )

    p = receiving("month_13", "谢十三", True, "19500301", "320281005", "2010-07")
    _bad(
        b,
        "month_13",
        "2021-05",
        "320281005",
        p,
        "status 暂停 with suspended_from 2021-13",
        "rejected: month not a real month",
        status="暂停",
        suspended_from="2021-13",
    )

    p = receiving("unknown_bank", "柏无行", False, "19520520", "320281007", "2010-07")
    _bad(
        b,
        "unknown_bank",
        "2021-05",
        "320281007",
        p,
        "bank_code 农商行 (not a configured bank code), in an XLSX file",
        "rejected: unknown bank",
        bank_code="农商行",
    )

    p = receiving("no_account", "水无卡", True, "19471212", "320281009", "2010-07")
    _bad(
        b,
        "no_account",
        "2021-05",
        "320281009",
        p,
        "status 领取 with bank_code and account_number empty",
        "rejected: bank and account required when receiving",
        bank_code=None,
        account_number=None,
    )

    p = receiving("short_account", "窦短号", False, "19530606", "320281100", "2010-07")
    _bad(
        b,
        "short_account",
        "2021-06",
        "320281100",
        p,
        "account_number 62246512 (8 digits)",
        "rejected: account number not 12-25 digits",
        account_number="62246512",
    )

    p = receiving("dup_in_file", "章两行", True, "19460909", "320281102", "2010-07")
    _bad(
        b,
        "dup_in_file",
        "2021-06",
        "320281102",
        p,
        "the same row twice in the 2021-06 file",
        "both copies rejected: ID twice in one file",
        rows=2,
    )

    p = receiving("too_young", "云太早", False, "19700808", "320281103", "2021-01")
    _bad(
        b,
        "too_young",
        "2021-06",
        "320281103",
        p,
        "woman born 1970-08-08 (aged 50), status 领取 with benefit_start 2021-01, in an XLSX file",
        "rejected: benefit_start before pension age (55th birthday month 2025-08)",
    )

    p = receiving("nonlocal_receiving", "苏外地", True, "19450505", "320281104", "2010-07")
    _bad(
        b,
        "nonlocal_receiving",
        "2021-06",
        "320281104",
        p,
        "hukou_local 否, status 领取",
        "rejected: a non-local hukou person cannot be receiving",
        hukou_local="否",
    )

    p = receiving("empty_name", "", False, "19490909", "320281107", "2010-07")
    _bad(b, "empty_name", "2021-06", "320281107", p, "name cell empty", "rejected: name required")


def _bad_death_rows(b: _Builder) -> None:
    def entry(key, month, name, male, birth, input_text, expected, **values):
        row = {"id_number": edge_id(birth, male), "name": name, **values}
        b.death(month, row)
        b.entry(key, "bad_death_row", row, input_text, expected, death_file_month=month)

    entry(
        "death_not_a_date",
        "2021-02",
        "邓日错",
        True,
        "19360606",
        "death_date 2021-02-30 (no such day); the person is on no roster",
        "death row rejected: death_date not a date (the run goes on)",
        death_date="2021-02-30",
        registered_on="2021-02-10",
        source="公安",
    )
    entry(
        "death_after_month",
        "2021-03",
        "彭未来",
        False,
        "19370707",
        "death_date 2021-04-02 in the 2021-03 deaths file (registered_on 2021-03-20)",
        "death row rejected: death after the run month",
        death_date="2021-04-02",
        registered_on="2021-03-20",
        source="民政",
    )
    entry(
        "death_before_birth",
        "2021-04",
        "曾倒序",
        True,
        "19410505",
        "born 1941-05-05 (ID), death_date 1930-01-01",
        "death row rejected: death before birth",
        death_date="1930-01-01",
        registered_on="2021-04-12",
        source="卫健",
    )
    entry(
        "death_unknown_source",
        "2021-05",
        "萧来源",
        False,
        "19380808",
        "source 医院 (not 公安/民政/卫健/镇街)",
        "death row rejected: unknown source",
        death_date="2021-05-03",
        registered_on="2021-05-06",
        source="医院",
    )
