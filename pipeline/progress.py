"""Step-by-step progress on the terminal: each step's name, row counts and time."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from rich.console import Console


@dataclass
class Progress:
    console: Console = field(default_factory=lambda: Console(stderr=True, highlight=False))
    quiet: bool = False
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str):
        counts: dict[str, int] = {}
        started = time.perf_counter()
        yield counts
        elapsed = time.perf_counter() - started
        self.timings[name] = self.timings.get(name, 0.0) + elapsed
        if not self.quiet:
            detail = " · ".join(f"{k} {v:,}" for k, v in counts.items())
            self.console.print(f"  [green]✓[/] {name:<10} {elapsed:6.2f} s  {detail}")

    def say(self, text: str) -> None:
        if not self.quiet:
            self.console.print(text)
