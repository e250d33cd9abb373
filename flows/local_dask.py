"""`make run-dask MONTH=YYYY-MM`: the month partitioned by county on Dask, through Prefect
(flows/partitioned.py): a LocalCluster sized to the machine, or the scheduler at
DASK_SCHEDULER_ADDRESS (`make dask-cluster` starts one). The Dask dashboard's link is logged.
Prefect's server as for `make run` (PREFECT_API_URL, else a temporary one). Exit codes as
`payout run`: 2 when the run was stopped, 1 when the self-audit failed.
"""

from __future__ import annotations

import os
import sys

from flows.local import failed_exit, month_parser
from flows.settings import apply_defaults
from pipeline.cli import EXIT_STOPPED

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"


def main(argv: list[str] | None = None) -> int:
    p = month_parser("python -m flows.local_dask", __doc__.splitlines()[0])
    p.add_argument("--workers", type=int, default=None, help="LocalCluster worker processes (default: one per core)")
    args = p.parse_args(argv)
    apply_defaults()
    address = os.environ.get(SCHEDULER_ENV) or None
    if address and not os.environ.get("PREFECT_API_URL"):
        print(
            f"{SCHEDULER_ENV} is set: the cluster's workers report to a Prefect server, so PREFECT_API_URL must "
            "name it here and where the workers were started (e.g. run `make serve`).",
            file=sys.stderr,
        )
        return EXIT_STOPPED
    from flows.partitioned import run_partitioned

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
    return failed_exit(state)


if __name__ == "__main__":
    sys.exit(main())
