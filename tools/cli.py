"""`payout-dev`: the developers' commands (sample data, benchmarks, scale check), apart from the
operator's `payout`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pipeline.cli import stopped
from pipeline.core.errors import RunStopped
from pipeline.paths import DEFAULT_POLICY, OutDir
from pipeline.policy import PolicyError, load_policy


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="payout-dev", description="Developer tools of the payout pipeline.")
    commands = root.add_subparsers(dest="command", required=True)

    sample = commands.add_parser("sample", help="regenerate data/sample, one phase at a time (see `make sample`)")
    sample.add_argument(
        "phase",
        choices=["inboxes", "bank-return"],
        help="inboxes: the generated months, edge_cases.json, README.md; "
        "bank-return: March's bank return, from the February batch in --issued",
    )
    sample.add_argument("--issued", type=Path, help="output folder of `payout run --month 2021-02 --catch-up`")

    synth = commands.add_parser("synth", help="generate a synthetic inbox (sample data, benchmarks)")
    synth.add_argument("--to", type=Path, required=True, help="inbox folder to create")
    synth.add_argument("--people", type=int, default=3000)
    synth.add_argument("--seed", type=int, default=2021)
    synth.add_argument("--months", default="2021-01:2021-12", help="FIRST:LAST")
    synth.add_argument("--formats", choices=["mixed", "csv"], default="mixed")
    synth.add_argument("--edge-cases", action="store_true")
    synth.add_argument("--policy", type=Path, default=DEFAULT_POLICY)

    bench_dask = commands.add_parser(
        "bench-dask", help="the month partitioned by county on 1, 2, ... Dask workers (a synthetic province)"
    )
    bench_dask.add_argument("--people", type=int, default=200_000)
    bench_dask.add_argument("--counties", type=int, default=2)
    bench_dask.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    bench_dask.add_argument("--keep", type=Path, default=None, help="folder to keep the inbox and outputs in")

    province = commands.add_parser(
        "province-policy", help="a policy of several counties (the partitioned run's tests and benchmarks)"
    )
    province.add_argument("--to", type=Path, required=True, help="folder to write policy.toml (and banks/) into")
    province.add_argument("--counties", type=int, default=3)

    scale = commands.add_parser("scale-check", help="a synthetic year at the seed's scale against its budget lines")
    scale.add_argument("--year", type=int, default=2021)
    scale.add_argument("--people", type=int, default=124_000)
    scale.add_argument("--policy", type=Path, default=DEFAULT_POLICY)

    bench = commands.add_parser("bench", help="time the monthly run on synthetic data")
    bench.add_argument("--rows", type=int, nargs="+", default=[124_000, 1_000_000])
    bench.add_argument("--stage", choices=["validate", "run"], default="validate")
    bench.add_argument(
        "--months", type=int, default=1, help="time the run of the N-th month, the N-1 before it run and closed"
    )
    bench.add_argument(
        "--targets",
        nargs="+",
        choices=["first-month", "accounts", "accounts-december", "december", "decade", "province"],
        help="measure the issues' cases instead (ratios to the bare DuckDB baseline, to the first month, or to "
        "the month without account inputs)",
    )
    bench.add_argument("--repeats", type=int, help="repetitions of each timing (default 5 up to 200k people, else 3)")
    bench.add_argument(
        "--rss-cap-gb", type=float, default=12.0, help="kill a worker whose resident memory passes this (default 12)"
    )
    bench.add_argument("--policy", type=Path, default=DEFAULT_POLICY)

    compare = commands.add_parser(
        "compare", help="two output folders compared as a refactoring must leave them (exit 1 on any difference)"
    )
    compare.add_argument("base", type=Path, help="output folder made by the code before the change")
    compare.add_argument("new", type=Path, help="output folder made by the changed code from the same inputs")
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (RunStopped, PolicyError) as stop:
        return stopped(stop)


def pin_workbook_writer() -> None:
    """openpyxl serialises a workbook through lxml when it can, else through the standard
    library: the same cells, other bytes. The committed sample's workbooks are the standard
    library's, so the generator always writes those, wherever lxml is installed. openpyxl
    chooses once, when first imported, from this variable: call this before importing the
    generator."""
    if "openpyxl" in sys.modules:
        raise RuntimeError("openpyxl was imported before its XML writer could be chosen")
    os.environ["OPENPYXL_LXML"] = "False"


def cmd_sample(args) -> int:
    if args.phase == "inboxes":
        pin_workbook_writer()
        from tools.synth.sample import write_inboxes

        write_inboxes()
        return 0
    from tools.synth import sample

    if args.issued is None:
        raise SystemExit("payout-dev sample bank-return needs --issued DIR (the output folder of the February run)")
    try:
        sample.write_bank_return(OutDir(args.issued))
    except FileNotFoundError as missing:  # the February run was not made: say which, no traceback
        raise SystemExit(str(missing)) from None
    return 0


def cmd_synth(args) -> int:
    pin_workbook_writer()
    from pipeline.core.months import month_range
    from tools.synth import synthesize_inbox

    first, last = args.months.split(":")
    report = synthesize_inbox(
        args.to,
        policy=load_policy(args.policy),
        seed=args.seed,
        people=args.people,
        months=month_range(first, last),
        edge_cases=args.edge_cases,
        formats=args.formats,
    )
    print(report)
    return 0


def cmd_province_policy(args) -> int:
    import shutil

    from tools.synth.province import province_policy_text

    args.to.mkdir(parents=True, exist_ok=True)
    shutil.copytree(DEFAULT_POLICY.parent / "banks", args.to / "banks", dirs_exist_ok=True)
    path = args.to / "policy.toml"
    path.write_text(province_policy_text(args.counties), encoding="utf-8")
    print(f"{path}: {len(load_policy(path).county_codes)} counties")
    return 0


def cmd_scale_check(args) -> int:
    from tools.scale_check import scale_check

    return scale_check(args.year, load_policy(args.policy), people=args.people)


def cmd_bench(args) -> int:
    from tools.bench import bench, targets

    policy = load_policy(args.policy)
    cap = args.rss_cap_gb * 1024
    if args.targets:
        return targets(args.targets, policy, repeats=args.repeats, rss_cap_mb=cap)
    return bench(
        rows=args.rows, stage=args.stage, policy=policy, months=args.months, repeats=args.repeats, rss_cap_mb=cap
    )


def cmd_bench_dask(args) -> int:
    from tools.bench_dask import bench_dask

    return bench_dask(people=args.people, counties=args.counties, workers=args.workers, keep=args.keep)


def cmd_compare(args) -> int:
    from tools.compare_outputs import compare

    return compare(args.base, args.new)


COMMANDS = {
    "compare": cmd_compare,
    "sample": cmd_sample,
    "synth": cmd_synth,
    "bench": cmd_bench,
    "scale-check": cmd_scale_check,
    "province-policy": cmd_province_policy,
    "bench-dask": cmd_bench_dask,
}


def entry() -> None:
    """The `payout-dev` console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
