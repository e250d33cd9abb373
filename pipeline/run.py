"""One monthly run: ingest -> validate -> (entitlement -> emit -> ledger), written atomically.

The CLI and the Prefect flow both call these functions; nothing here imports Prefect.
"""

from __future__ import annotations

import contextvars
import subprocess
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import durable, guard, lifecycle
from pipeline.accounts import AccountCredits, AccountInputs, Accounts, compute_account_credits, compute_accounts
from pipeline.audit.check import audit_report, month_invariant_checks
from pipeline.core.errors import AuditFailed, RunStopped, stopped_by
from pipeline.core.idcard import normalise
from pipeline.core.months import add_months
from pipeline.emit.bank_files import (
    BankFile,
    bank_file_rows,
    check_bank_lines,
    render_bank_files,
    truncated_payees,
    write_bank_files,
)
from pipeline.emit.files import sha256_of, write_csv, write_json
from pipeline.emit.funeral_grants import funeral_grant_rows
from pipeline.emit.lists import write_office_lists
from pipeline.emit.office_lists import account_mismatch_rows, change_rows, hold_rows, recovery_rows
from pipeline.emit.reject_lists import write_rejects
from pipeline.emit.summary import month_summary, write_summary
from pipeline.entitlement import Entitlement, EntitlementInputs, compute_entitlement
from pipeline.ingest.bank_formats import return_readers
from pipeline.ingest.inputs import RawInputs, read_month
from pipeline.operations import duckdb_settings
from pipeline.paths import Inbox, OutDir
from pipeline.policy import Policy
from pipeline.progress import Progress, Reporter
from pipeline.state import History, carried_forward, read_history, write_state
from pipeline.validate.contributions import accepted_contributions
from pipeline.validate.month import ValidatedMonth, validate_month


@dataclass(frozen=True)
class RunContext:
    run_month: str  # 'YYYY-MM'
    inbox: Inbox
    out: OutDir
    policy: Policy


def read_inputs(ctx: RunContext) -> RawInputs:
    """The month's inbox as a run reads it (the opening balances in the opening month, and the
    contributions of every year from the opening year on)."""
    return read_month(
        ctx.inbox,
        ctx.run_month,
        headers=ctx.policy.header_rules,
        returns=return_readers(ctx.policy),
        opening=ctx.run_month == ctx.policy.opening_month,
        contribution_years=tuple(range(int(ctx.policy.opening_month[:4]), int(ctx.run_month[:4]) + 1)),
    )


def ingest(ctx: RunContext, progress: Reporter) -> RawInputs:
    with progress.step("ingest") as counts:
        raw = read_inputs(ctx)
        counts.update(
            files=len(raw.files), rosters=len(raw.rosters), deaths=len(raw.deaths), returns=len(raw.bank_returns)
        )
    return raw


def history(ctx: RunContext, progress: Reporter) -> History:
    with progress.step("history") as counts:
        past = read_history(ctx.out, ctx.policy.opening_month, ctx.run_month)
        counts.update(known_people=len(past.last_known))
    return past


def validate(ctx: RunContext, raw: RawInputs, past: History, progress: Reporter) -> ValidatedMonth:
    with progress.step("validate") as counts:
        validated = validate_month(
            raw,
            history=past.for_validation(ctx.run_month, raw.bank_returns["batch_id"]),
            policy=ctx.policy,
            run_month=ctx.run_month,
        )
        counts.update(
            accepted=len(validated.roster),
            rejected=len(validated.rejects),
            deaths=len(validated.deaths),
            returns=len(validated.bank_returns),
        )
    return validated


def account_credits(
    ctx: RunContext, raw: RawInputs, validated: ValidatedMonth, past: History, progress: Reporter
) -> AccountCredits:
    """The month's credits to the personal accounts, booked before the money step: an award of
    this month divides the balance they make (SPEC §5a)."""
    with progress.step("account-credits") as counts:
        inputs = AccountInputs(
            run_month=ctx.run_month,
            opening_balances=validated.opening_balances,
            contributions=accepted_contributions(raw.contributions, tiers=ctx.policy.contribution_tiers),
            contribution_years=sorted(raw.contributions),
            balances=past.account_balances,
            prior_accounts=past.prior_accounts,
            id_links=all_id_links(ctx.run_month, validated, past),
        )
        computed = compute_account_credits(inputs, ctx.policy)
        counts.update(credits=len(computed.credits), accounts=len(computed.funds))
    return computed


def entitlement(
    ctx: RunContext, validated: ValidatedMonth, past: History, credits: AccountCredits, progress: Reporter
) -> tuple[EntitlementInputs, Entitlement]:
    with progress.step("entitlement") as counts:
        inputs = entitlement_inputs(ctx.run_month, validated, past, credits.funds)
        result = compute_entitlement(inputs, ctx.policy)
        counts.update(
            people=len(result.people),
            due_rows=len(result.due),
            entries=len(result.ledger),
            bank_lines=len(result.bank_lines),
        )
    return inputs, result


def accounts(ctx: RunContext, credits: AccountCredits, result: Entitlement, progress: Reporter) -> Accounts:
    """The month's account entries (credits, the account pension debited, refunds) and the account
    balances carried to the next month."""
    with progress.step("accounts") as counts:
        computed = compute_accounts(credits, result.ledger, result.people)
        counts.update(entries=len(computed.entries), awards=len(result.awards))
    return computed


def all_id_links(run_month: str, validated: ValidatedMonth, past: History) -> pd.DataFrame:
    """Every ID correction so far, this month's included."""
    return pd.concat([past.id_links, validated.id_corrections.assign(run_month=run_month)], ignore_index=True)


def entitlement_inputs(
    run_month: str, validated: ValidatedMonth, past: History, account_funds: pd.DataFrame, *, carried: bool = True
) -> EntitlementInputs:
    """What the money step takes. carried: start from the balances the month before carried, and
    read of the earlier ledger only the months whose bank lines came back failed (their reversals),
    and compute due only where something it is computed from changed; else (the reference path of
    `payout verify`, or no balances carried) the whole earlier ledger, and every key's due again."""
    roster_rejects = validated.rejects[validated.rejects["input_kind"] == "rosters"]
    if carried and past.balances is not None:
        failed = validated.bank_returns.loc[validated.bank_returns["result"] == "failed", "batch_id"]
        balances, prior_ledger = past.balances, past.entries_of({batch_month(b) for b in failed})
        due_before = past.due_before
    else:
        balances, prior_ledger, due_before = None, past.prior_ledger, None
    return EntitlementInputs(
        run_month=run_month,
        roster=validated.roster,
        rejected_ids=normalise(roster_rejects["id_number"]).drop_duplicates(),
        last_known=past.last_known,
        deaths=pd.concat([past.deaths, validated.deaths.assign(run_month=run_month)], ignore_index=True),
        death_conflicts=pd.concat(
            [past.death_conflicts, validated.death_conflicts.assign(run_month=run_month)], ignore_index=True
        ),
        returns_so_far=pd.concat([past.returns, validated.bank_returns.assign(run_month=run_month)], ignore_index=True),
        bank_returns=validated.bank_returns,
        issued_lines=past.issued_lines,
        prior_ledger=prior_ledger,
        id_links=all_id_links(run_month, validated, past),
        balances=balances,
        awards=past.awards,
        account_funds=account_funds,
        due_before=due_before,
    )


def batch_month(batch_id: str) -> str:
    """The run month whose ledger partition holds a batch's entries (batch ids begin with it)."""
    return batch_id[:7]


def write_draft(
    ctx: RunContext,
    raw: RawInputs,
    validated: ValidatedMonth,
    inputs: EntitlementInputs,
    result: Entitlement,
    account: Accounts,
    progress: Reporter,
) -> Path:
    """Everything goes to a staging folder first; the month appears in one rename."""
    with progress.step("write") as counts:
        bank_rows = bank_file_rows(result.bank_lines, result.people, result.deaths_in_force, ctx.run_month)
        check_bank_lines(bank_rows, ctx.run_month, ctx.policy)  # before the staging folder exists
        bank_files = render_bank_files(bank_rows, ctx.run_month, ctx.policy)  # a field too narrow stops here
        staging = ctx.out.staging(ctx.run_month)
        try:
            durable.remove_tree(staging)
            summary = stage_draft(ctx, raw, validated, inputs, result, account, bank_files, staging)
        except Exception as err:  # nothing was published: leave no half-written month (nor its IDs)
            durable.remove_tree(staging)
            raise write_stopped(err, ctx, "nothing was published and its unfinished files were removed") from err
        try:
            lifecycle.publish_staged(ctx.out, ctx.run_month)
        except OSError as err:
            raise write_stopped(err, ctx, "its publish was interrupted: the next command completes it") from err
        counts.update(paid_fen=summary["money"]["bank_total_fen"], holds=summary["money"]["hold_rows"])
    progress.show_summary(summary)
    return ctx.out.month(ctx.run_month)


def stage_draft(
    ctx: RunContext,
    raw: RawInputs,
    validated: ValidatedMonth,
    inputs: EntitlementInputs,
    result: Entitlement,
    account: Accounts,
    bank_files: list[BankFile],
    staging: Path,
) -> dict:
    """Every file of the draft under the staging folder, on the disk, marked complete."""
    holds = result.positions[result.positions["action"] == "hold"]
    tables = {
        "entries": result.ledger,
        "roster": validated.roster,
        "deaths": validated.deaths,
        "death_conflicts": validated.death_conflicts,
        "bank_returns": validated.bank_returns,
        "issued_lines": result.bank_lines,
        "due": result.due,
        "due_inputs": result.due_inputs,
        "due_rates": result.due_rates,
        "recomputed_people": result.recomputed_people,
        "repriced_periods": result.repriced_periods,
        "last_known": carried_forward(inputs.last_known, validated.roster, ctx.run_month),
        "holds": holds,
        "id_corrections": validated.id_corrections,
        "account_entries": account.entries,
        "account_balances": account.balances,
        "awards": result.awards,
        "balances": result.balances,
    }
    # the staging folder is fsynced as a whole when it is marked complete (a crash before that
    # throws it away): its files skip their own fsyncs
    with durable.synced_later(staging), ThreadPoolExecutor(max_workers=1) as parquet_writer:
        # Arrow writes while pandas emits
        written = parquet_writer.submit(
            contextvars.copy_context().run,
            write_state,
            staging / "month" / "state",
            staging / "ledger",
            ctx.run_month,
            tables,
        )
        summary = emit_month(ctx, validated, inputs, result, account, bank_files, staging / "month")
        written.result()
        write_json(manifest(ctx, raw, staging), staging / "month" / "manifest.json")
        write_json(lifecycle.draft_status(ctx.run_month), staging / "month" / lifecycle.STATUS)
    lifecycle.mark_staged(staging)
    return summary


def write_stopped(err: Exception, ctx: RunContext, outcome: str) -> RunStopped:
    """A failed write as an operator's message (a full disk says so)."""
    if isinstance(err, RunStopped):
        return err
    return stopped_by(err, f"the draft of {ctx.run_month} could not be written; {outcome}.", ctx.out.root)


def emit_month(
    ctx: RunContext,
    validated: ValidatedMonth,
    inputs: EntitlementInputs,
    result: Entitlement,
    account: Accounts,
    bank_files: list[BankFile],
    folder: Path,
) -> dict:
    """The files people and banks read."""
    township_names = ctx.policy.townships.set_index("code")["name"]
    deaths = result.deaths_in_force
    controls = write_bank_files(bank_files, folder)
    write_csv(truncated_payees(bank_files), folder / "truncated_payees.csv")
    grants = funeral_grant_rows(result.positions, result.ledger, deaths, township_names)
    last_known = inputs.last_known
    previous = last_known[last_known["run_month"] == add_months(ctx.run_month, -1)]
    write_office_lists(
        folder,
        ctx.run_month,
        ctx.policy,
        grants=grants,
        recoveries=recovery_rows(result.ledger, result.people),
        holds=hold_rows(result.positions, result.people),
        changes=change_rows(validated.roster, previous, inputs.rejected_ids),
        account_mismatches=account_mismatch_rows(validated.roster, result.awards, result.account_pensions),
    )
    write_rejects(validated.rejects, folder, ctx.policy, ctx.run_month)
    summary = month_summary(
        validated,
        result,
        controls,
        ctx.policy,
        run_month=ctx.run_month,
        previous_bank_fen=previous_bank_total(ctx),
        accounts=account,
        id_links=inputs.id_links,
    )
    write_summary(summary, folder)
    return summary


def previous_bank_total(ctx: RunContext) -> int | None:
    """Last month's bank total from its ledger partition (the source of truth, one month only)."""
    if ctx.run_month <= ctx.policy.opening_month:
        return None
    entries = ctx.out.ledger_partition(add_months(ctx.run_month, -1)) / "entries.parquet"
    if not entries.is_file():
        return None
    table = pq.read_table(entries, columns=["batch_id", "amount_fen"])
    carried = pc.is_valid(table["batch_id"])
    return int(pc.sum(pc.filter(table["amount_fen"], carried)).as_py() or 0)


def manifest(ctx: RunContext, raw: RawInputs, staging: Path) -> dict:
    outputs = {
        str(p.relative_to(staging / "month"))
        if p.is_relative_to(staging / "month")
        else f"../ledger/run_month={ctx.run_month}/{p.name}": sha256_of(p)
        for p in sorted(staging.rglob("*"))
        if p.is_file()
    }
    return {
        "month": ctx.run_month,
        "status": "draft",
        "inputs": {
            str(p.relative_to(ctx.inbox.root)): raw.hashes[str(p.relative_to(ctx.inbox.root))] for p in raw.files
        },
        "outputs": outputs,
        "policy": {
            "file": ctx.policy.path.name,
            "sha256": ctx.policy.sha256,
            "values": ctx.policy.raw,
            "bank_layouts": ctx.policy.layout_files,
        },
        "code_version": code_version(),
    }


def code_version() -> str:
    """The git commit of the code (and '+changes' when the tree differs), else the package version."""
    repo = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "pipeline",
                "schemas",
                "config",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return commit + ("+changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        from importlib.metadata import version

        return version("jiangyin-payout")


def self_audit(ctx: RunContext, progress: Reporter) -> dict:
    """The auditors' invariants for the new month (its entries and the keys it touched, its
    carried balances against the month before's, the closed months by their recorded hashes),
    written next to the month's files (outside the manifest: they describe the folder, not the
    month's inputs). `payout audit` keeps the whole-ledger check."""
    with progress.step("audit") as counts:
        folder = ctx.out.month(ctx.run_month)
        # which draft was audited (close checks it); no time: a rerun on the same inputs gives the same bytes
        report = audit_report(month_invariant_checks(ctx.out, ctx.run_month)) | {
            "manifest_sha256": sha256_of(folder / "manifest.json")
        }
        write_json(report, folder / lifecycle.AUDIT)
        counts.update(violations=sum(c["violations"] for c in report["invariants"]))
    progress.show_audit(report)
    if not report["passed"]:
        raise AuditFailed(report)
    return report


# -- the steps of a month, declared once for `payout run` and the Prefect flow -----------------


@dataclass(frozen=True)
class Step:
    """One step of a month's run: a function of the context, the values of the steps before it
    (by step name) and the reporter. The flow makes one task of each."""

    name: str
    run: Callable[[RunContext, Mapping[str, Any], Reporter], Any]


def check_can_run(ctx: RunContext, values: Mapping[str, Any], progress: Reporter) -> None:
    duckdb_settings()  # a bad config/operations.toml stops the run here, before anything is read
    lifecycle.check_can_run(ctx.out, ctx.policy.opening_month, ctx.run_month)


STEPS = (
    Step("check-can-run", check_can_run),
    Step("ingest", lambda ctx, values, progress: ingest(ctx, progress)),
    Step("history", lambda ctx, values, progress: history(ctx, progress)),
    Step("validate", lambda ctx, values, progress: validate(ctx, values["ingest"], values["history"], progress)),
    Step(
        "account-credits",
        lambda ctx, values, progress: account_credits(
            ctx, values["ingest"], values["validate"], values["history"], progress
        ),
    ),
    Step(
        "entitlement",
        lambda ctx, values, progress: entitlement(
            ctx, values["validate"], values["history"], values["account-credits"], progress
        ),
    ),
    Step(
        "accounts",
        lambda ctx, values, progress: accounts(ctx, values["account-credits"], values["entitlement"][1], progress),
    ),
    Step(
        "write-draft",
        lambda ctx, values, progress: write_draft(
            ctx, values["ingest"], values["validate"], *values["entitlement"], values["accounts"], progress
        ),
    ),
    Step("audit", lambda ctx, values, progress: self_audit(ctx, progress)),
)
RunStep = Callable[[Step, RunContext, dict[str, Any]], Any]


def run_steps(ctx: RunContext, run_step: RunStep, steps: tuple[Step, ...] = STEPS) -> dict[str, Any]:
    """Every step of STEPS (or of the partitioned run's steps) in order, each given the values of
    those before it; run_step runs one (directly for the CLI, as a Prefect task for the flow)."""
    values: dict[str, Any] = {}
    for step in steps:
        values[step.name] = run_step(step, ctx, dict(values))
    return values


def run_one_month(ctx: RunContext, progress: Reporter) -> Path:
    """`payout run` for one month: the draft, written and self-audited; returns its folder."""
    return run_steps(ctx, lambda step, ctx, values: step.run(ctx, values, progress))["write-draft"]


def catch_up_earlier_months(
    ctx: RunContext, draft: Callable[[RunContext], Any], close: Callable[[RunContext], Any], say: Callable[[str], None]
) -> None:
    """Draft and close, in order, every month before ctx's that was never drafted (`--catch-up`);
    the caller holds the output folder's lock. A draft that fails (a stop, a failed audit) ends it."""
    for earlier in lifecycle.catch_up_months(ctx.out, ctx.policy.opening_month, ctx.run_month):
        say(earlier)
        earlier_ctx = replace(ctx, run_month=earlier)
        draft(earlier_ctx)
        close(earlier_ctx)


def close_caught_up(ctx: RunContext) -> dict:
    """A month the same command drafted during its catch-up."""
    return lifecycle.close_month(ctx.out, ctx.policy.opening_month, ctx.run_month, via="catch-up")


def run(ctx: RunContext, progress: Progress, *, catch_up: bool = False, verify: bool = False) -> Path:
    command = (
        f"payout run --month {ctx.run_month}" + (" --catch-up" if catch_up else "") + (" --verify" if verify else "")
    )
    with guard.writing(ctx.out, command, progress.notice):
        if catch_up:
            catch_up_earlier_months(
                ctx,
                lambda earlier: run_one_month(earlier, progress),
                close_caught_up,
                lambda earlier: progress.say(f"[bold]{earlier}[/] (catch-up: run and close)"),
            )
        progress.say(f"[bold]{ctx.run_month}[/]")
        if verify:
            check_carried_path(ctx, progress)
        return run_one_month(ctx, progress)


def check_carried_path(ctx: RunContext, progress: Reporter) -> None:
    """`run --verify`: before the month is drafted, compute it both from the carried balances and
    from the whole earlier ledger (payout verify); any difference stops the run with nothing written."""
    from pipeline.verify import report_text, verify_month  # it builds on this module's steps

    with progress.step("verify") as counts:
        verified = verify_month(ctx)
        counts.update(differences=len(verified.differences))
    if not verified.differences.empty:
        raise RunStopped(
            report_text(verified),
            action=f"nothing was written; report it with `payout verify --month {ctx.run_month}` and run "
            "`payout audit`: the carried balances and the ledger disagree.",
        )
