"""`make run` still runs the month when Prefect's temporary server cannot start."""

from __future__ import annotations

import flows.monthly
from flows import local


def test_falls_back_to_the_same_steps_without_prefect(tmp_path, monkeypatch, capsys):
    def server_never_starts(**_):
        raise RuntimeError("Timed out while attempting to connect to ephemeral Prefect API server.")

    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.setattr(local, "configured_api_url", lambda: None)
    monkeypatch.setattr(flows.monthly, "monthly_payout", server_never_starts)
    assert local.main(["--month", "2021-01", "--out", str(tmp_path)]) == 0
    assert "running the same steps without Prefect" in capsys.readouterr().err
    assert (tmp_path / "2021-01" / "manifest.json").is_file()
    assert (tmp_path / "ledger" / "run_month=2021-01" / "entries.parquet").is_file()
