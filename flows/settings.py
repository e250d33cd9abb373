"""Prefect settings of this project, applied before Prefect is imported (no Prefect import here).

Measured on the 2-core machine (../shared/STACK-NOTES.md): a temporary server needs more than
Prefect's default 20 s to start on a fresh PREFECT_HOME, and telemetry cannot reach the internet.
"""

from __future__ import annotations

import os

from pipeline.paths import REPO

DEFAULTS = {
    "PREFECT_HOME": str(REPO / ".prefect"),  # persistent and git-ignored: the temporary server reuses it
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
}


def apply_defaults() -> None:
    """Fill in what the environment does not set (an operator's own values win)."""
    for name, value in DEFAULTS.items():
        os.environ.setdefault(name, value)


def configured_api_url() -> str | None:
    """The Prefect server to use, if one is configured; None means a temporary one per run."""
    return os.environ.get("PREFECT_API_URL") or None
