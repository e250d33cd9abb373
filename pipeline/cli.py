"""`payout`: the command line of the monthly payout (no Prefect import here: it must start fast)."""

from __future__ import annotations

import argparse
import gc
import os
import sys
import textwrap
from pathlib import Path
from typing import NoReturn

from pipeline.core.errors import AuditFailed, RunStopped, stopped_by
from pipeline.core.months import parse_month
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY, Inbox, OutDir
from pipeline.policy import PolicyError, load_policy

EXIT_STOPPED = 2
EXIT_AUDIT_FAILED = 1


def month_arg(text: str) -> str:
    try:
        parse_month(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="payout", description="Jiangyin resident pension monthly payout (居保月度发放)."
    )
    commands = root.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, inbox: bool = True) -> None:
        if inbox:
            p.add_argument("--inbox", type=Path, default=DEFAULT_INBOX, help="folder holding YYYY-MM/ inboxes")
        p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of month outputs and ledger")
        p.add_argument("--policy", type=Path, default=DEFAULT_POLICY, help="policy file (TOML)")

    run = commands.add_parser("run", help="compute a month as a draft")
    run.add_argument("--month", type=month_arg, required=True)
    run.add_argument("--catch-up", action="store_true", help="first run and close every earlier open month")
    run.add_argument("--quiet", action="store_true")
    run.add_argument(
        "--verify", action="store_true", help="first compute the month from the whole ledger too (payout verify)"
    )
    common(run)

    close = commands.add_parser("close", help="release a drafted month to the bank; it never changes again")
    close.add_argument("--month", type=month_arg, required=True)
    close.add_argument("--manifest", help="SHA-256 of the manifest.json reviewed: close only that very draft")
    common(close, inbox=False)

    reject = commands.add_parser("reject", help="record why a drafted month must not be released; it stays a draft")
    reject.add_argument("--month", type=month_arg, required=True)
    reject.add_argument("--reason", required=True)
    common(reject, inbox=False)

    validate = commands.add_parser(
        "validate", help="check a month's inputs and list every bad row; writes nothing else"
    )
    validate.add_argument("--month", type=month_arg, required=True)
    validate.add_argument("--rejects", type=Path, help="also write the rejects to this CSV")
    common(validate)

    verify = commands.add_parser(
        "verify",
        help="compute a month from the carried balances and from the whole ledger, and compare; writes nothing",
    )
    verify.add_argument("--month", type=month_arg, required=True)
    common(verify)

    audit = commands.add_parser("audit", help="check the ledger's invariants; exit 1 if any is broken")
    audit.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder of month outputs and ledger")
    audit.add_argument(
        "--sql", action="store_true", help="print the auditors' views as SQL for the DuckDB shell (checks nothing)"
    )

    indicators = commands.add_parser("indicators", help="the year's indicators, budget execution and next declaration")
    indicators.add_argument("--year", type=int, required=True)
    indicators.add_argument("--explain", action="store_true", help="print the SQL that measures each indicator")
    common(indicators)

    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (RunStopped, PolicyError) as stop:
        return stopped(stop)
    except OSError as err:  # a full disk or a lost share outside a run's own writes: no traceback
        return stopped(stopped_by(err, f"`payout {args.command}` could not finish.", getattr(args, "out", Path("."))))
    except AuditFailed as failed:
        print(
            textwrap.fill(
                f"The draft was written but {failed}. Do not close or release it; "
                "see audit.json in the month folder and `make audit`.",
                width=100,
            ),
            file=sys.stderr,
        )
        return EXIT_AUDIT_FAILED


def stopped(stop: Exception) -> int:
    print(textwrap.fill(f"Run stopped. {stop}", width=100), file=sys.stderr)
    return EXIT_STOPPED


def month_context(args):
    """The run month, inbox, output folder and policy a month's command names."""
    from pipeline.run import RunContext

    return RunContext(args.month, Inbox(args.inbox), OutDir(args.out), load_policy(args.policy))


def cmd_run(args) -> int:
    from pipeline.progress import Progress
    from pipeline.run import run

    ctx = month_context(args)
    progress = Progress(quiet=args.quiet)
    folder = run(ctx, progress, catch_up=args.catch_up, verify=args.verify)
    print(f"{args.month} drafted in {folder}")
    return 0


def cmd_close(args) -> int:
    from pipeline.guard import writing
    from pipeline.lifecycle import close_month

    policy, out = load_policy(args.policy), OutDir(args.out)
    with writing(out, f"payout close --month {args.month}"):
        record = close_month(out, policy.opening_month, args.month, via="cli", expected_manifest=args.manifest)
    released = record["released"]
    print(f"{args.month} closed by {released['by']} at {released['at']}: its files are released and will never change.")
    return 0


def cmd_reject(args) -> int:
    from pipeline.guard import writing
    from pipeline.lifecycle import reject_month

    out = OutDir(args.out)
    with writing(out, f"payout reject --month {args.month}"):
        record = reject_month(out, args.month, args.reason, via="cli")
    print(f"{args.month} rejected by {record['decided_by']}; the draft stays open (approval.json holds the reason).")
    return 0


def cmd_validate(args) -> int:
    from pipeline.core.idcard import mask
    from pipeline.emit.files import write_csv
    from pipeline.progress import Progress
    from pipeline.run import history, ingest, validate

    # the inputs read and validated as the month's run reads and validates them (the opening
    # balances in the opening month among them), so a clerk sees every reject the run would list
    ctx = month_context(args)
    quiet = Progress(quiet=True)
    month = validate(ctx, ingest(ctx, quiet), history(ctx, quiet), quiet)
    console = Progress().console
    console.print(reject_counts(month.rejects, ctx.policy), markup=False)
    shown = month.rejects.assign(id_number=mask(month.rejects["id_number"]))
    console.print(
        shown[["source_file", "source_row", "id_number", "reason_code", "message"]].to_string(index=False),
        markup=False,
    )
    if args.rejects:
        write_csv(month.rejects, args.rejects)
    return 0


def reject_counts(rejects, policy) -> str:
    """Rows rejected per township and reason, with the reason in words: what to send each clerk."""
    if rejects.empty:
        return "No rows rejected. 无退回行。"
    names = policy.townships.set_index("code")["name"]
    counts = (
        rejects.assign(township_code=rejects["township_code"].fillna(""))
        .groupby(["township_code", "reason_code"], as_index=False)
        .agg(rows=("reason_code", "size"), message=("message", "first"))
    )
    counts["where"] = counts["township_code"].map(lambda c: f"{c} {names.get(c, '')}" if c else "(no township 无镇街)")
    lines = [f"{len(rejects)} rows rejected 退回行, by township and reason 按镇街和原因:"]
    lines += [f"  {r.where}  {r.reason_code} ×{r.rows}: {r.message}" for r in counts.itertuples(index=False)]
    return "\n".join(lines) + "\n"


def cmd_verify(args) -> int:
    from pipeline.verify import report_text, verify_month

    ctx = month_context(args)
    verified = verify_month(ctx)
    print(report_text(verified))
    return 0 if verified.differences.empty else EXIT_AUDIT_FAILED


def cmd_audit(args) -> int:
    from pipeline.audit.check import folder_audit, views_sql
    from pipeline.progress import Progress

    if args.sql:  # `make audit`: run inside the output folder, the views find its files
        print(views_sql())
        return 0

    report = folder_audit(OutDir(args.out))
    Progress().show_audit(report)
    return 0 if report["passed"] else EXIT_AUDIT_FAILED


def cmd_indicators(args) -> int:
    from pipeline.indicators.measure import explain

    policy = load_policy(args.policy)
    if args.explain:
        print(explain(args.year, policy))
        return 0
    from pipeline.indicators.annual import run_indicators

    folder = run_indicators(args.year, inbox=Inbox(args.inbox), out=OutDir(args.out), policy=policy)
    print(f"indicators of {args.year} written to {folder}")
    return 0


COMMANDS = {
    "run": cmd_run,
    "close": cmd_close,
    "reject": cmd_reject,
    "validate": cmd_validate,
    "verify": cmd_verify,
    "audit": cmd_audit,
    "indicators": cmd_indicators,
}


def entry() -> None:
    """The `payout` console script."""
    tune_interpreter()
    exit_without_teardown(main())


def tune_interpreter() -> None:
    """The cyclic garbage collector runs less often: a run allocates millions of short-lived
    objects while the imported libraries hold a million long-lived ones, and with Python's
    default thresholds (700, 10, 10) the full collections re-scanning those took 0.2-0.4 s of a
    124k-people run. Cycles are still collected, just in larger batches."""
    gc.set_threshold(50_000, 20, 100)
    # pandera imports hypothesis (0.1 s), when the environment has it, for generating data from
    # schemas, which no command does; the import failing is the case pandera expects without it
    sys.modules.setdefault("hypothesis", None)


def exit_without_teardown(code: int) -> NoReturn:
    """Once the command has returned, its files are closed and renamed into place; the process
    then ends without the interpreter's teardown, which spent 0.2 s (at 124k people) releasing
    the month's tables one object at a time."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry()
