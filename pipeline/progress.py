"""Step-by-step progress on the terminal: each step's name, row counts and time."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Protocol

from rich.console import Console
from rich.markup import escape

from pipeline.core.money import yuan_text


class Reporter(Protocol):
    """What a month's steps tell as they run: the console's Progress, or the flow's run logger."""

    def step(self, name: str) -> AbstractContextManager[dict[str, int]]:
        """Times the step; the caller fills in its counts."""
        ...

    def say(self, text: str) -> None: ...

    def show_summary(self, summary: dict) -> None: ...

    def show_audit(self, report: dict) -> None: ...


def counts_text(counts: dict[str, int]) -> str:
    return " · ".join(f"{k} {v:,}" for k, v in counts.items())


@contextmanager
def timed(report: Callable[[str, float, str], None], name: str) -> Iterator[dict[str, int]]:
    """A step's counts, filled in by the caller, and its time, given to report at its end."""
    counts: dict[str, int] = {}
    started = time.perf_counter()
    yield counts
    report(name, time.perf_counter() - started, counts_text(counts))


@dataclass
class Progress:
    console: Console = field(default_factory=lambda: Console(stderr=True, highlight=False, width=110))
    quiet: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    def step(self, name: str) -> AbstractContextManager[dict[str, int]]:
        return timed(self.report_step, name)

    def report_step(self, name: str, elapsed: float, detail: str) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + elapsed
        if not self.quiet:
            self.console.print(f"  [green]✓[/] {name:<10} {elapsed:6.2f} s  {detail}")

    def show_summary(self, summary: dict) -> None:
        """The month's totals at the end of a run."""
        if self.quiet or "money" not in summary:
            return
        from rich.table import Table

        money = summary["money"]
        table = Table(title="month totals (yuan)", show_header=True)
        for column in ("township", "component", "payment", "recovery", "reversal", "net"):
            table.add_column(column, justify="right" if column not in ("township", "component") else "left")
        per = {}
        for row in money["per_township_component_fen"]:
            per.setdefault(row["component"], [0, 0, 0, 0])
            for i, key in enumerate(("payment", "recovery", "reversal", "net")):
                per[row["component"]][i] += row[key]
        for component, values in sorted(per.items()):
            table.add_row("all", component, *(yuan_text(v) for v in values))
        self.console.print(table)
        rows = summary["rows"]["per_kind"]
        self.console.print(
            "  rows: "
            + " · ".join(f"{k} {v['rows_read']} = {v['accepted']} + {v['rejected']}" for k, v in rows.items())
            + f"  reconcile: {summary['rows']['reconciles']} · bank = ledger: {money['bank_reconciles']}"
            + f" · held rows {money['hold_rows']}"
        )

    def show_audit(self, report: dict) -> None:
        if self.quiet:
            return
        for check in report["invariants"]:
            mark = "[green]✓[/]" if check["violations"] == 0 else "[red]✗[/]"
            self.console.print(f"  {mark} audit: {check['invariant']} ({check['violations']} violations)")
        for finding in report.get("closed_months", []):
            self.console.print(f"  [red]✗[/] {escape(finding['file'])}: {escape(finding['problem'])}")
        if not report["invariants"] and not report.get("closed_months"):
            self.console.print("  audit: nothing to check yet (no month has been run in this folder)")

    def notice(self, text: str) -> None:
        """A line the operator must see even with --quiet (a recovery after a crash)."""
        self.console.print(text, markup=False)

    def say(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text)
