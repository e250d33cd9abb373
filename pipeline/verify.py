"""`payout verify`: a month's money computed both ways, from the balances the month before carried
(as `payout run` does) and from the whole earlier ledger (the reference: every earlier entry
summed again), compared row by row. Writes nothing.

The carried path is a cache of the reference: any row one has and the other lacks is a defect
of the carrying, named here with its IDs and accounts masked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from pipeline.core.errors import masked
from pipeline.entitlement import Entitlement, balances_as_of, carried_rows, compute_entitlement, due_as_of
from pipeline.progress import Progress
from pipeline.run import RunContext, account_credits, entitlement_inputs, read_inputs, validate
from pipeline.state import read_history

# what a month decides, compared row by row (positions: the holds and funeral grants it lists)
COMPARED = ("ledger", "bank_lines", "positions", "due", "balances", "awards")


@dataclass(frozen=True)
class Verified:
    month: str
    carried_from_balances: bool  # False: the month before carried none, both ways summed the ledger
    rows: dict[str, int]  # table -> rows of the carried path
    differences: pd.DataFrame  # table, side ('carried only' | 'reference only'), row (masked text)


def verify_month(ctx: RunContext) -> Verified:
    raw = read_inputs(ctx)
    past = read_history(ctx.out, ctx.policy.opening_month, ctx.run_month)
    quiet = Progress(quiet=True)
    validated = validate(ctx, raw, past, quiet)
    # the accounts' balance at award, as the run books it (the payment ledger is what is compared)
    funds = account_credits(ctx, raw, validated, past, quiet).funds
    carried = compute_entitlement(entitlement_inputs(ctx.run_month, validated, past, funds, carried=True), ctx.policy)
    reference = compute_entitlement(
        entitlement_inputs(ctx.run_month, validated, past, funds, carried=False), ctx.policy
    )
    return Verified(
        month=ctx.run_month,
        carried_from_balances=past.balances is not None,
        rows={name: len(getattr(carried, name)) for name in COMPARED},
        differences=differences(
            replace(
                carried,
                balances=balances_as_of(
                    carried.balances, None if past.balances is None else carried_rows(past.balances)
                ),
                due=due_as_of(carried, past.due),
            ),
            reference,  # it summed the whole ledger and computed every key: it rewrote every period
        ),
    )


def differences(carried: Entitlement, reference: Entitlement) -> pd.DataFrame:
    """Every row of each compared table that one path has and the other lacks (as many times as
    it is missing: a duplicated entry counts), IDs and accounts masked."""
    found = []
    with duckdb.connect() as con:
        for name in COMPARED:
            con.register("carried_rows", getattr(carried, name))
            con.register("reference_rows", getattr(reference, name))
            one_side = con.sql(
                "select 'carried only' as side, * from "
                "(select * from carried_rows except all select * from reference_rows) "
                "union all select 'reference only', * from "
                "(select * from reference_rows except all select * from carried_rows) "
                "order by all"
            ).df()
            for row in one_side.itertuples(index=False):
                side, *values = row
                text = ", ".join(f"{c}={v}" for c, v in zip(one_side.columns[1:], values, strict=True))
                found.append({"table": name, "side": side, "row": masked(text)})
            con.unregister("carried_rows")
            con.unregister("reference_rows")
    return pd.DataFrame(found, columns=["table", "side", "row"])


def report_text(verified: Verified) -> str:
    counts = ", ".join(f"{n:,} {name}" for name, n in verified.rows.items())
    if not verified.carried_from_balances:
        start = "the month before carried no balances: both ways summed the whole ledger"
    else:
        start = "from the balances the month before carried, and from the whole earlier ledger"
    if verified.differences.empty:
        return f"{verified.month} computed {start}: identical ({counts})."
    lines = [f"{verified.month} computed {start}: {len(verified.differences)} rows differ."]
    lines += [f"  {d.table} ({d.side}): {d.row}" for d in verified.differences.itertuples(index=False)]
    return "\n".join(lines)
