"""`make run MONTH=YYYY-MM`: the monthly flow run locally, on the same inputs as `payout run`.

Runs against the server of PREFECT_API_URL when it is set (fast: a few seconds of overhead),
otherwise against a temporary server started for this run (slower: its start-up). Does not wait
for approval unless --approval is given (an operator then resumes the run in that server's UI).
Exit codes as `payout run`: 2 when the run was stopped, 1 when the self-audit failed.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from pathlib import Path

from flows.settings import apply_defaults, configured_api_url
from pipeline.cli import EXIT_AUDIT_FAILED, EXIT_STOPPED, month_arg
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY


def month_parser(prog: str, description: str) -> argparse.ArgumentParser:
    """The arguments every local run of a month's flow takes."""
    p = argparse.ArgumentParser(prog=prog, description=description)
    p.add_argument("--month", type=month_arg, required=True)
    p.add_argument("--inbox", type=Path, default=DEFAULT_INBOX)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    p.add_argument("--catch-up", action="store_true", help="first run and close earlier open months")
    return p


def parser() -> argparse.ArgumentParser:
    p = month_parser("python -m flows.local", __doc__.splitlines()[0])
    p.add_argument("--approval", action="store_true", help="wait for an operator's approval")
    p.add_argument("--approval-timeout", type=int, default=24 * 3600, help="seconds")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    started = time.perf_counter()
    apply_defaults()
    if args.approval and not configured_api_url():
        print(
            "--approval needs a Prefect server with its UI: set PREFECT_API_URL (e.g. run `make serve`).",
            file=sys.stderr,
        )
        return EXIT_STOPPED

    from flows.monthly import monthly_payout

    try:
        state = monthly_payout(
            month=args.month,
            inbox=str(args.inbox.resolve()),
            out=str(args.out.resolve()),
            policy=str(args.policy.resolve()),
            approval=args.approval,
            approval_timeout_seconds=args.approval_timeout,
            catch_up=args.catch_up,
            return_state=True,
        )
    except Exception as err:  # the flow never started: Prefect's temporary server did not come up
        if configured_api_url() or args.approval:
            raise
        return without_prefect(args, err)
    elapsed = time.perf_counter() - started
    if state.is_completed():
        show_totals(args.out / args.month / "summary.json")
        print(f"{state.message} ({elapsed:.1f} s with Prefect)")
        return 0
    return failed_exit(state)


def failed_exit(state) -> int:
    """The exit code of a flow run that did not complete, its reason on stderr (as `payout run`)."""
    from pipeline.core.errors import AuditFailed, RunStopped
    from pipeline.policy import PolicyError

    error = state.result(raise_on_failure=False)
    if isinstance(error, (RunStopped, PolicyError)):
        print(textwrap.fill(f"Run stopped. {error}", width=100), file=sys.stderr)
        return EXIT_STOPPED
    if isinstance(error, AuditFailed):
        print(
            textwrap.fill(
                f"The draft was written but {error}. Do not close or release it; see audit.json in the month folder.",
                width=100,
            ),
            file=sys.stderr,
        )
        return EXIT_AUDIT_FAILED
    print(f"The flow run ended {state.type.value}: {state.message}", file=sys.stderr)
    return 1


def show_totals(summary: Path) -> None:
    """The month's totals on the terminal, as `payout run` ends (the flow logs only its steps)."""
    if summary.is_file():
        from pipeline.progress import Progress

        Progress().show_summary(json.loads(summary.read_text(encoding="utf-8")))


def without_prefect(args: argparse.Namespace, err: Exception) -> int:
    """The same pipeline steps as the flow, through `payout run`, when Prefect cannot start here."""
    print(
        f"Prefect's temporary server did not start ({type(err).__name__}: {err}); running the same "
        "steps without Prefect (`payout run`).",
        file=sys.stderr,
    )
    from pipeline.cli import main as payout

    command = [
        "run",
        "--month",
        args.month,
        "--inbox",
        str(args.inbox),
        "--out",
        str(args.out),
        "--policy",
        str(args.policy),
    ]
    return payout(command + (["--catch-up"] if args.catch_up else []))


if __name__ == "__main__":
    sys.exit(main())
