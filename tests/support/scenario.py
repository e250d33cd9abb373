"""A tiny county for golden tests: a few named people, their monthly rosters, deaths and bank
returns written as real inbox files, and the real monthly run (run + close) month after month."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from pipeline.core.money import yuan_column
from pipeline.emit.bank_files import read_bank_file
from pipeline.lifecycle import close_month
from pipeline.paths import DEFAULT_POLICY, Inbox, OutDir
from pipeline.policy import load_policy
from pipeline.progress import Progress
from pipeline.run import RunContext, run
from tests.support.builders import make_id, write_policy

TOWNSHIP = "320281001"
ZONE = "320281400"


def policy_text(extra_rates: str = "", base_2021: int = 39200) -> str:
    """The real policy with two rostering townships (a street and a self-funded zone)."""
    text = DEFAULT_POLICY.read_text(encoding="utf-8").replace("submits_roster = true", "submits_roster = false")
    for code in (TOWNSHIP, ZONE):
        text = re.sub(rf'(code = "{code}"\n(?:.*\n){{2}})submits_roster = false', r"\1submits_roster = true", text)
    text = text.replace("base_fen = 39200", f"base_fen = {base_2021}")
    return text + extra_rates


@dataclass
class Person:
    name: str
    born: str  # YYYY-MM-DD
    sex: str  # M / F
    serial: int
    fields: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return make_id(self.born, self.sex, self.serial)

    def row(self, **changes) -> dict:
        row = {
            "id_number": self.id,
            "name": self.name,
            "sex": "男" if self.sex == "M" else "女",
            "birth_date": self.born,
            "township_code": TOWNSHIP,
            "village": "城东村",
            "hukou_local": "是",
            "status": "领取",
            "benefit_start": "2019-01",
            "suspended_from": "",
            "end_month": "",
            "employee_pension_from": "",
            "account_pension": "",
            "bank_code": "JRCB",
            "account_number": f"62280000{self.serial:010d}",
            "account_name": "",
        }
        row.update(self.fields)
        row.update(changes)
        return row

    def death(self, died: str, registered: str, *, payee: bool = True, **changes) -> dict:
        """A death registration of this person (a relative's ICBC account as payee, unless payee=False)."""
        row = {
            "id_number": self.id,
            "name": self.name,
            "death_date": died,
            "registered_on": registered,
            "source": "公安",
            "payee_name": self.name[0] + "亲属" if payee else "",
            "payee_bank_code": "ICBC" if payee else "",
            "payee_account_number": f"6212{self.serial:015d}" if payee else "",
        }
        row.update(changes)
        return row


def id_correction(old: Person, new: Person, registered: str) -> dict:
    """An ID correction row (SPEC §3): `old`'s ID was registered wrongly, `new` is the person's."""
    return {"旧身份证号": old.id, "新身份证号": new.id, "原因": "出生日期登记错误", "登记日期": registered}


ZONE_RESIDENT = Person("区居民", "1950-01-01", "M", 400)


class Scenario:
    def __init__(self, root: Path, policy: str | None = None):
        self.root = root
        self.inbox = Inbox(root / "inbox")
        self.out = OutDir(root / "out")
        self.policy_path = write_policy(root, policy or policy_text())

    def set_policy(self, text: str) -> None:
        self.policy_path.write_text(text, encoding="utf-8")

    def roster(self, month: str, rows: list[dict]) -> None:
        folder = self.inbox.month_dir(month) / "rosters"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / f"{TOWNSHIP}_{month}.csv", index=False, encoding="utf-8")
        pd.DataFrame([ZONE_RESIDENT.row(township_code=ZONE)]).to_csv(
            folder / f"{ZONE}_{month}.csv", index=False, encoding="utf-8"
        )

    def deaths(self, month: str, rows: list[dict]) -> None:
        folder = self.inbox.month_dir(month) / "deaths"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / f"deaths_{month}.csv", index=False, encoding="utf-8")

    def id_corrections(self, month: str, rows: list[dict]) -> None:
        folder = self.inbox.month_dir(month) / "id_corrections"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / f"id_corrections_{month}.csv", index=False, encoding="utf-8")

    def opening_balances(self, balances: list[tuple[Person, str]], as_of: str) -> None:
        """inbox/accounts/opening.csv: each person's balance in yuan text, as of the opening month."""
        folder = self.inbox.root / "accounts"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(
            {"身份证号": [p.id for p, _ in balances], "账户余额": [b for _, b in balances], "余额年月": as_of}
        ).to_csv(folder / "opening.csv", index=False, encoding="utf-8")

    def contributions(self, year: int, rows: list[dict]) -> None:
        """inbox/contributions/YYYY.csv as it stands now (every run reads it afresh)."""
        folder = self.inbox.root / "contributions"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / f"{year}.csv", index=False, encoding="utf-8")

    def bank_returns(self, month: str, rows: list[dict]) -> None:
        folder = self.inbox.month_dir(month) / "bank_returns"
        folder.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(folder / f"returns_{month}.csv", index=False, encoding="utf-8")

    def run(self, month: str, *, close: bool = True) -> Path:
        policy = load_policy(self.policy_path)
        folder = run(RunContext(month, self.inbox, self.out, policy), Progress(quiet=True))
        if close:
            close_month(self.out, policy.opening_month, month)
        return folder

    def ledger(self) -> pd.DataFrame:
        files = sorted(self.out.ledger().glob("run_month=*/*.parquet"))
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def bank_file(self, month: str, bank: str = "JRCB", kind: str = "pension") -> pd.DataFrame:
        """A batch as its bank reads it (any layout), as text columns 序号, 户名, 账号, 金额, 身份证号."""
        for path in sorted((self.out.month(month) / "bank").glob(f"{bank}_*.control.json")):
            control = json.loads(path.read_text(encoding="utf-8"))
            if control["line_type"] == kind:
                lines = read_bank_file(path.parent / control["file"], control)
                return pd.DataFrame(
                    {
                        "序号": lines["line_no"].astype("str"),
                        "户名": lines["payee_name"],
                        "账号": lines["account_number"],
                        "金额": yuan_column(lines["amount_fen"]),
                        "身份证号": lines["id_number"],
                    }
                )
        raise FileNotFoundError(f"no {bank} {kind} batch in {month}")

    def entries_of(self, person: Person) -> list[tuple]:
        """(run_month, period, component, kind, reason, settlement, amount_fen), in ledger order."""
        ledger = self.ledger()
        mine = ledger[ledger["id_number"] == person.id]
        columns = ["run_month", "period", "component", "kind", "reason", "settlement", "amount_fen"]
        return sorted(tuple(r) for r in mine[columns].itertuples(index=False))

    def account_ledger(self) -> pd.DataFrame:
        files = sorted(self.out.root.glob("*/state/account_entries.parquet"))
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    def account_entries_of(self, person: Person) -> list[tuple]:
        """(run_month, period, component, amount_fen) of the person's account entries, sorted."""
        entries = self.account_ledger()
        mine = entries[entries["id_number"] == person.id]
        return sorted(
            tuple(r) for r in mine[["run_month", "period", "component", "amount_fen"]].itertuples(index=False)
        )

    def awards(self, month: str) -> dict[str, tuple]:
        """Each award carried by `month`: (award_month, basis, balance_at_award_fen, divisor, account_pension_fen)."""
        rows = pq.read_table(self.out.state(month) / "awards.parquet").to_pylist()
        columns = ["award_month", "basis", "balance_at_award_fen", "divisor", "account_pension_fen"]
        return {r["id_number"]: tuple(r[c] for c in columns) for r in rows}

    def summary(self, month: str) -> dict:
        return json.loads((self.out.month(month) / "summary.json").read_text(encoding="utf-8"))

    def output(self, month: str, name: str) -> pd.DataFrame:
        return pd.read_csv(self.out.month(month) / name, dtype=str, encoding="utf-8-sig")
