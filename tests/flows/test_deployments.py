"""prefect.yaml (production: `make worker`) and flows/serve.py (`make serve`) declare the same
deployments: same flows, schedules in Shanghai time, descriptions that say so. No server needed."""

from __future__ import annotations

import importlib
import re

import yaml

from flows import serve
from flows.indicators import annual_indicators
from flows.monthly import monthly_payout
from pipeline.paths import REPO

EXPECTED = {
    "monthly": (monthly_payout, serve.MONTHLY_CRON, serve.MONTHLY_DESCRIPTION),
    "yearly": (annual_indicators, serve.YEARLY_CRON, serve.YEARLY_DESCRIPTION),
}


def entrypoint_object(entrypoint: str):
    path, name = entrypoint.split(":")
    return getattr(importlib.import_module(path.removesuffix(".py").replace("/", ".")), name)


def test_prefect_yaml_deploys_the_flows_make_serve_serves_with_the_same_schedules():
    config = yaml.safe_load((REPO / "prefect.yaml").read_text(encoding="utf-8"))
    deployments = {d["name"]: d for d in config["deployments"]}
    assert set(deployments) == set(EXPECTED)
    pool = re.search(r"^POOL := (\S+)$", (REPO / "Makefile").read_text(encoding="utf-8"), re.M).group(1)
    served = {d.name: d for d in serve.deployments()}
    for name, (flow, cron, description) in EXPECTED.items():
        deployment = deployments[name]
        assert entrypoint_object(deployment["entrypoint"]) is flow
        assert deployment["schedules"] == [{"cron": cron, "timezone": serve.TIMEZONE}]
        assert deployment["description"] == description == served[name].description
        assert "Asia/Shanghai" in description
        assert deployment["work_pool"]["name"] == pool
        assert deployment.get("parameters", {}) == (served[name].parameters or {})
        assert deployment["tags"] == served[name].tags
