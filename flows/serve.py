"""`make serve`: the monthly and yearly deployments with their schedules, served from here (for
local use: stopping it pauses them; production runs prefect.yaml's deployments on a worker, `make worker`).

Uses the Prefect server of PREFECT_API_URL when it is set; otherwise starts `prefect server start`
on http://127.0.0.1:4200 (database and log under PREFECT_HOME=.prefect), or reuses one already
answering there. Ctrl-C stops serving (and the server, if this process started it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from flows.settings import apply_defaults, configured_api_url

TIMEZONE = "Asia/Shanghai"
MONTHLY_CRON = "0 6 5 * *"  # 06:00 on the 5th of every month, Shanghai time
YEARLY_CRON = "0 6 15 1 *"  # 06:00 on 15 January: last year's indicators
# the UI shows a schedule without its time zone: the descriptions say it (prefect.yaml repeats
# them; tests/flows/test_deployments.py checks that both agree)
MONTHLY_DESCRIPTION = (
    "06:00 on the 5th of every month, Asia/Shanghai time: draft the month the schedule fires in, then wait "
    "for an operator's approval (resume the paused run) before closing it and releasing the bank files."
)
YEARLY_DESCRIPTION = (
    "06:00 on 15 January, Asia/Shanghai time: last year's indicators, budget execution and next year's declaration."
)
LOCAL_API = "http://127.0.0.1:4200/api"
SERVER_STARTUP_SECONDS = 120


def deployments() -> list:
    from prefect.schedules import Cron

    from flows.indicators import annual_indicators
    from flows.monthly import monthly_payout

    return [
        monthly_payout.to_deployment(
            name="monthly",
            schedules=[Cron(MONTHLY_CRON, timezone=TIMEZONE)],
            parameters={"approval": True},
            description=MONTHLY_DESCRIPTION,
            tags=["payout"],
        ),
        annual_indicators.to_deployment(
            name="yearly",
            schedules=[Cron(YEARLY_CRON, timezone=TIMEZONE)],
            description=YEARLY_DESCRIPTION,
            tags=["payout"],
        ),
    ]


def answering(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def start_local_server() -> subprocess.Popen | None:
    """`prefect server start` in the background, unless a server already answers on 4200."""
    if answering(LOCAL_API):
        print(f"Using the Prefect server already running at {LOCAL_API}", flush=True)
        return None
    log_path = Path(os.environ["PREFECT_HOME"]) / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                "4200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + SERVER_STARTUP_SECONDS
    while not answering(LOCAL_API):
        if server.poll() is not None or time.monotonic() > deadline:
            server.terminate()
            sys.exit(f"The Prefect server did not start; see {log_path}")
        time.sleep(0.5)
    print(f"Prefect server started (log: {log_path})", flush=True)
    return server


def main() -> None:
    apply_defaults()
    server = None
    if not configured_api_url():
        server = start_local_server()
        os.environ["PREFECT_API_URL"] = LOCAL_API  # before Prefect is imported
    api_url = os.environ["PREFECT_API_URL"]
    print(
        f"Prefect UI: {api_url.removesuffix('/api')}  (schedules: monthly "
        f"'{MONTHLY_CRON}', yearly '{YEARLY_CRON}', {TIMEZONE})",
        flush=True,
    )
    try:
        from prefect import serve

        serve(*deployments())
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
