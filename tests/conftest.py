"""Shared fixtures: the policy of config/policy.toml and a complete valid inbox for a month."""

from __future__ import annotations

import pytest

from pipeline.paths import DEFAULT_POLICY
from pipeline.policy import Policy, load_policy
from tests.support.builders import MONTH, BuiltInbox, build_inbox


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sample: runs over data/sample/inbox (skipped until the sample exists)")


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy(DEFAULT_POLICY)


@pytest.fixture
def inbox(tmp_path, policy) -> BuiltInbox:
    """tmp_path/inbox/2021-01 with one valid roster (10 people) per rostering township."""
    return build_inbox(tmp_path / "inbox", policy, month=MONTH)


@pytest.fixture
def out_dir(tmp_path):
    return tmp_path / "out"
