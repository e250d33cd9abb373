"""The bench's baseline: the least a month's run must do, written as one bare DuckDB script.

It reads the month's rosters as text, pays the base pension and the 65+ top-up of the month to
each person receiving (领取) whose award month has come and who is neither suspended nor ended,
writes one CSV per bank and one Parquet ledger, and nothing else: no validation, no history, no
holds, no lists, no audit. `payout-dev bench` runs it in a fresh process, like a run, and divides
the run's time by its time. Its totals are printed (JSON) so that a baseline that pays nobody is
seen at once.

    python -m tools.baseline --inbox DIR --month YYYY-MM --out DIR [--policy FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb

from pipeline.paths import DEFAULT_POLICY
from pipeline.policy import load_policy

# The roster's columns this script needs, by their Chinese headers (SPEC §3).
ID, STATUS, AWARD, SUSPENDED, ENDED, BANK, ACCOUNT, NAME = (
    "身份证号",
    "参保状态",
    "待遇起始年月",
    "暂停年月",
    "终止年月",
    "开户银行",
    "银行账号",
    "姓名",
)
RECEIVING = "领取"


def quoted(text: object) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def baseline(inbox: Path, month: str, out: Path, policy_path: Path) -> dict:
    policy = load_policy(policy_path)
    rate = policy.rate_in(month)
    rosters = sorted((inbox / month / "rosters").glob("*.csv"))
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set threads = 2")
    files = "[" + ", ".join(quoted(p) for p in rosters) + "]"
    con.execute(
        f"""
        create table paid as
        with roster as (
            select * from read_csv({files}, all_varchar = true, header = true, union_by_name = true)
        ),
        eligible as (
            select "{ID}" as id_number, "{NAME}" as name, "{BANK}" as bank, "{ACCOUNT}" as account,
                   -- the 65+ top-up from the month of the 65th birthday, the birth date read from the ID
                   substr("{ID}", 7, 4)::int + {int(policy.topup_age)} || '-' || substr("{ID}", 11, 2)
                       <= {quoted(month)} as topup
            from roster
            where "{STATUS}" = {quoted(RECEIVING)} and "{AWARD}" <= {quoted(month)}
              and coalesce("{SUSPENDED}", '') = '' and coalesce("{ENDED}", '') = ''
        ),
        final as (
            select id_number, name, bank, account,
                   {int(rate["base_fen"])} + case when topup then {int(rate["topup65_fen"])} else 0 end as amount_fen
            from eligible
        )
        select * from final
        """
    )
    banks = [row[0] for row in con.execute("select distinct bank from paid order by bank").fetchall()]
    for bank in banks:
        con.execute(
            "copy (select id_number, name, account,"
            " amount_fen // 100 || '.' || lpad((amount_fen % 100)::varchar, 2, '0') as amount"
            f" from paid where bank = {quoted(bank)} order by id_number) to {quoted(out / f'{bank}.csv')} (header true)"
        )
    con.execute(
        f"copy (select id_number, {quoted(month)} as period, amount_fen from paid order by id_number)"
        f" to {quoted(out / 'ledger.parquet')} (format parquet)"
    )
    people, total = con.execute("select count(*), sum(amount_fen) from paid").fetchall()[0]
    return {"people": people, "total_fen": int(total or 0), "banks": len(banks)}


def main(argv: list[str] | None = None) -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--inbox", type=Path, required=True)
    args.add_argument("--month", required=True)
    args.add_argument("--out", type=Path, required=True)
    args.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    options = args.parse_args(argv)
    print(json.dumps(baseline(options.inbox, options.month, options.out, options.policy)))


if __name__ == "__main__":
    main()
