"""One county's money: the single-process run's own entitlement and accounts steps, given the
county's part of the month (no rule of its own)."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline import run
from pipeline.accounts import AccountCredits, Accounts
from pipeline.entitlement import Entitlement
from pipeline.partition.split import CountyPart
from pipeline.progress import Reporter
from pipeline.run import RunContext


@dataclass(frozen=True)
class CountyResult:
    county: str
    credits: AccountCredits
    entitlement: Entitlement
    accounts: Accounts


def compute_county(ctx: RunContext, part: CountyPart, progress: Reporter) -> CountyResult:
    credits = run.account_credits(ctx, part.raw, part.validated, part.history, progress)
    _, result = run.entitlement(ctx, part.validated, part.history, credits, progress)
    account = run.accounts(ctx, credits, result, progress)
    return CountyResult(part.county, credits, result, account)
