"""The one way a run stops: an operator-readable message, raised before anything is written."""

from __future__ import annotations


class RunStopped(Exception):
    """The month cannot be computed from these inputs. The message says which file, what is
    wrong with it and what to do; the CLI prints it and exits non-zero."""

    def __init__(self, problem: str, *, file: str | None = None, action: str = ""):
        self.problem = problem
        self.file = file
        self.action = action
        where = f"{file}: " if file else ""
        super().__init__(f"{where}{problem}" + (f" What to do: {action}" if action else ""))


class AuditFailed(Exception):
    """A month was written but the ledger breaks an invariant: it must not be closed or released."""

    def __init__(self, report: dict):
        broken = [c["invariant"] for c in report["invariants"] if c["violations"]]
        super().__init__("self-audit failed: " + "; ".join(broken))
        self.report = report
