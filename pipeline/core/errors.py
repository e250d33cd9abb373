"""The one way a run stops: an operator-readable message, raised before anything is written."""

from __future__ import annotations

import errno
import re
from pathlib import Path

import pandas as pd

from pipeline.core.idcard import mask


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


LONG_NUMBER = re.compile(r"\d{11,}[\dXx]")  # an ID number (18) or a bank account (12-25)


def masked(text: str) -> str:
    """Free text (an error, a reason typed by an operator) with any ID- or account-like number
    masked by idcard.mask."""
    return LONG_NUMBER.sub(lambda number: mask(pd.Series([number[0]], dtype="str")).iloc[0], text)


def stopped_by(err: BaseException, what: str, folder: Path) -> RunStopped:
    """An error of the file system (or an unexpected one) as an operator's message: a full disk
    says so and what to do; the error's own text is kept, with long numbers masked."""
    if isinstance(err, OSError) and err.errno in (errno.ENOSPC, errno.EDQUOT):
        return RunStopped(
            f"the disk is full: {what}",
            file=str(folder),
            action=f"free space on the disk that holds {folder} (or give another --out), then rerun the same "
            "command; see docs/operations.md.",
        )
    if isinstance(err, OSError):
        return RunStopped(
            f"{what} ({err.strerror or type(err).__name__}).",
            file=str(err.filename or folder),
            action="fix the cause (permissions, the share, the disk), then rerun the same command.",
        )
    return RunStopped(
        f"{what} (an unexpected error: {type(err).__name__}: {masked(str(err))}).",
        file=str(folder),
        action="rerun the same command; if it happens again, report this message with the command.",
    )
