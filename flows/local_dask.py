"""`make run-dask MONTH=YYYY-MM`: the month partitioned by county on Dask, through Prefect
(flows/partitioned.py): a LocalCluster sized to the machine, or the scheduler at
DASK_SCHEDULER_ADDRESS (`make dask-cluster` starts one). The Dask dashboard's link is logged.
Prefect's server as for `make run` (PREFECT_API_URL, else a temporary one). Exit codes as
`payout run`: 2 when the run was stopped, 1 when the self-audit failed.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path

from flows.settings import apply_defaults
from pipeline.cli import EXIT_AUDIT_FAILED, EXIT_STOPPED, month_arg
from pipeline.paths import DEFAULT_INBOX, DEFAULT_OUT, DEFAULT_POLICY

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m flows.local_dask", description=__doc__.splitlines()[0])
    p.add_argument("--month", type=month_arg, required=True)
    p.add_argument("--inbox", type=Path, default=DEFAULT_INBOX)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    p.add_argument("--catch-up", action="store_true", help="first run and close earlier open months")
    p.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    apply_defaults()
    from flows.partitioned import run_partitioned
    from pipeline.core.errors import AuditFailed, RunStopped
    from pipeline.policy import PolicyError

    address = os.environ.get(SCHEDULER_ENV) or None
    if address and not os.environ.get("PREFECT_API_URL"):
        print(
            f"{SCHEDULER_ENV} is set: the cluster's workers report to a Prefect server, so PREFECT_API_URL must "
            "name it here and where the workers were started (e.g. run `make serve`).",
            file=sys.stderr,
        )
        return EXIT_STOPPED
    print(f"Dask: {'the scheduler at ' + address if address else 'a LocalCluster on this machine'}", file=sys.stderr)
    state = run_partitioned(
        args.month,
        address=address,
        workers=args.workers,
        inbox=str(args.inbox.resolve()),
        out=str(args.out.resolve()),
        policy=str(args.policy.resolve()),
        catch_up=args.catch_up,
    )
    if state.is_completed():
        print(f"{args.month} drafted county by county in {args.out / args.month}; it stays open until closed.")
        return 0
    error = state.result(raise_on_failure=False)
    if isinstance(error, (RunStopped, PolicyError)):
        print(textwrap.fill(f"Run stopped. {error}", width=100), file=sys.stderr)
        return EXIT_STOPPED
    if isinstance(error, AuditFailed):
        print(textwrap.fill(f"The draft was written but {error}; see audit.json.", width=100), file=sys.stderr)
        return EXIT_AUDIT_FAILED
    print(f"The flow run ended {state.type.value}: {state.message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
