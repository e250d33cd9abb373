"""`payout-dev scale-check`: a synthetic year at the seed's scale, run month by month, and its budget
table compared with the seed's declared lines. The seed's own arithmetic (99,000 pensioners x 392
x 12 = 46,570万 ...) is the check that the computation is right at scale. Not a unit test: it takes
minutes."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from pipeline.core.money import FEN_PER_WAN, wan_text
from pipeline.core.months import month_range
from pipeline.indicators.annual import run_indicators
from pipeline.paths import REPO, Inbox, OutDir
from pipeline.policy import Policy
from pipeline.progress import Progress
from pipeline.run import RunContext, run

SEED_PEOPLE = 124_000  # 99,000 pensioners + 25,000 contributors at the start of the year
CHECKED_LINES = ("base_pension", "topup65", "funeral_grant")


def scale_check(
    year: int, policy: Policy, *, people: int = SEED_PEOPLE, tolerance: float = 0.02, root: Path | None = None
) -> int:
    from tools.synth import synthesize_inbox

    progress = Progress()
    root = root or REPO / "bench" / f"scale-{year}-{people}"
    inbox, out = Inbox(root / "inbox"), OutDir(root / "out")
    months = month_range(f"{year}-01", f"{year}-12")
    if not (inbox.root / months[-1]).is_dir():
        with progress.step("synthesise") as counts:
            report = synthesize_inbox(
                inbox.root, policy=policy, seed=year, people=people, months=months, edge_cases=False, formats="csv"
            )
            counts.update(people=report.people, deaths=report.deaths)
    started = time.perf_counter()
    run(RunContext(months[-1], inbox, out, policy), Progress(quiet=True), catch_up=True)
    progress.say(f"  12 months run in {time.perf_counter() - started:.1f} s")
    folder = run_indicators(year, inbox=inbox, out=out, policy=policy)
    records = json.loads((folder / "budget.json").read_text(encoding="utf-8"))["budget"]
    budget = pd.DataFrame(records).set_index("line")
    failures = 0
    for line in CHECKED_LINES:
        declared_fen = int(budget.loc[line, "declared_wan"]) * FEN_PER_WAN
        actual_fen = int(budget.loc[line, "actual_fen"])
        off = actual_fen / declared_fen - 1
        ok = abs(off) <= tolerance
        failures += not ok
        progress.say(
            f"  {'✓' if ok else '✗'} {line:<14} declared {wan_text(declared_fen, grouped=True):>12}万  "
            f"actual {wan_text(actual_fen, grouped=True):>12}万  ({off:+.2%}, tolerance ±{tolerance:.0%})"
        )
    return 1 if failures else 0
