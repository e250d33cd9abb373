"""A small province for the partitioned run's tests: a policy of several counties (tools/synth/
province.py) and an inbox whose months hold every case a county boundary can cut through."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pandas as pd

from pipeline.paths import Inbox, OutDir
from pipeline.policy import Policy, load_policy
from pipeline.progress import Progress
from pipeline.run import RunContext, run
from tests.support.builders import bank_return_row, write_csv, write_policy
from tools.synth.generator import synthesize_inbox
from tools.synth.province import province_policy_text

RUN_RECORDS = {"status.json", "chain.json", ".lock", OutDir(Path()).hash_cache().name}  # when, not what


def province_policy(folder: Path, counties: int = 2, rostering: tuple[str, ...] | None = None) -> Policy:
    """rostering: the 3-digit township numbers that send a roster in every county (None: all)."""
    text = province_policy_text(counties)
    if rostering is not None:
        text = re.sub(
            r'(code = "\d{6}(\d{3})"\n(?:.*\n){2})submits_roster = true',
            lambda m: m.group(0) if m.group(2) in rostering else f"{m.group(1)}submits_roster = false",
            text,
        )
    return load_policy(write_policy(folder, text))


def roster_file(inbox: Path, month: str, township: str) -> Path:
    return next((inbox / month / "rosters").glob(f"{township}_*"))


def copy_person_across_counties(inbox: Path, month: str, source: Path, target: Path) -> str:
    """The first participant of one roster written on another county's roster too (the target's
    township code): the ID is on rosters of two counties. Returns the ID."""
    with source.open(encoding="utf-8", newline="") as f:
        header, first = next(rows := csv.reader(f)), next(rows)
    with target.open(encoding="utf-8", newline="") as f:
        target_rows = list(csv.reader(f))
    township = header.index("镇街代码")
    copied = [*first]
    copied[township] = target_rows[1][township]
    with target.open("a", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\r\n").writerow(copied)
    return first[header.index("身份证号")]


def failed_returns(issued: pd.DataFrame, month: str, counties: list[str]) -> list[dict[str, str]]:
    """A failed return line for the first pension line of each county, answering a month's batch."""
    pensions = issued[issued["line_type"] == "pension"]
    rows = []
    for county in counties:
        line = pensions[pensions["township_code"].str.startswith(county)].iloc[0]
        fen = int(line["amount_fen"])
        rows.append(
            bank_return_row(
                line["batch_id"], int(line["line_no"]), line["account_number"], f"{fen // 100}.{fen % 100:02d}"
            )
        )
    return rows


def province_inbox(root: Path, policy: Policy, *, people: int, months: list[str]) -> dict[str, object]:
    """The generator's inbox with its edge cases (unmatched death, ID corrections, ...), plus in
    the second month a failed bank line in every county and, in the last, one ID on the rosters
    of two counties. Returns what was planted."""
    synthesize_inbox(root, policy=policy, seed=11, people=people, months=months, edge_cases=True, formats="csv")
    first_out = root.parent / "first-month"
    run(RunContext(months[0], Inbox(root), OutDir(first_out), policy), Progress(quiet=True))
    issued = pd.read_parquet(first_out / months[0] / "state" / "issued_lines.parquet")
    returns = failed_returns(issued, months[0], policy.county_codes)
    write_csv(root / months[1] / "bank_returns" / f"returns_{months[1]}.csv", returns)
    last = months[-1]
    counties = policy.county_codes
    largest = max(
        (roster_file(root, last, code) for code in policy.rostering_townships if code.startswith(counties[0])),
        key=lambda p: p.stat().st_size,
    )
    other = roster_file(root, last, next(c for c in policy.rostering_townships if c.startswith(counties[1])))
    doubled = copy_person_across_counties(root, last, largest, other)
    return {"returns": returns, "doubled_id": doubled}


def files_of(root: Path) -> dict[str, str]:
    """Every output file by its hash (run records left out)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name not in RUN_RECORDS
    }
