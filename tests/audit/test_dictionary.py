"""The data dictionary (docs/ledger.md) keeps up with the code it documents."""

from __future__ import annotations

import re

from pipeline.audit.check import views_sql
from pipeline.core.codes import COMPONENTS, LEDGER_REASONS, REJECT_REASONS, SETTLEMENTS
from pipeline.emit.office_lists import HOLD_REASONS
from pipeline.paths import REPO
from schemas.ledger import LedgerEntry

PAGE = (REPO / "docs" / "ledger.md").read_text(encoding="utf-8")


def test_every_ledger_column_is_described():
    for column in LedgerEntry.to_schema().columns:
        assert f"| `{column}` |" in PAGE, column


def test_every_code_is_described():
    for code in [*REJECT_REASONS, *LEDGER_REASONS, *SETTLEMENTS, *HOLD_REASONS, *COMPONENTS]:
        assert f"`{code}`" in PAGE, code


def test_every_view_is_listed():
    defined = re.findall(r"create or replace (?:view|macro) (\w+)", views_sql())
    for view in defined:
        assert f"`{view}" in PAGE, view
