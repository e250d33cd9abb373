"""The person index: every ID in exactly one county, by the rules of pipeline/partition/index.py."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from pipeline.partition.index import counties_of, person_index
from tests.support.builders import make_id
from tests.support.province import province_policy

MOVED, REJECTED, TWICE, EARLIER, OLD, NEW, NOBODY = (make_id("1950-01-01", "M", n) for n in range(1, 8))


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    return province_policy(tmp_path_factory.mktemp("policy"), counties=2, rostering=("001",))


def frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns, dtype="str")


def test_each_id_is_placed_by_this_month_first_then_its_rejected_row_then_its_past(policy):
    validated = SimpleNamespace(
        roster=frame([(MOVED, "320282001"), (NEW, "320282001")], ["id_number", "township_code"]),
        rejects=frame(
            [
                ("rosters", REJECTED.lower(), "320282001"),  # as written: the index holds it normalised
                ("rosters", TWICE, "320282001"),
                ("rosters", TWICE, "320281001"),
                ("deaths", NOBODY, ""),
            ],
            ["input_kind", "id_number", "township_code"],
        ),
        id_corrections=frame([(OLD, NEW)], ["old_id_number", "new_id_number"]),
    )
    past = SimpleNamespace(
        last_known=frame(
            [(MOVED, "320281001"), (EARLIER, "320282001"), (OLD, "320281001")], ["id_number", "township_code"]
        ),
        id_links=frame([], ["old_id_number", "new_id_number"]),
    )
    index = person_index(validated, past, policy)
    assert index.to_dict() == {
        MOVED: "320282",  # this month's accepted row, not last month's county
        REJECTED: "320282",
        TWICE: "320281",  # on rosters of two counties (rejected in both): the first
        EARLIER: "320282",
        OLD: "320282",  # a corrected ID goes where its new ID is
        NEW: "320282",
    }
    assert index.index.is_monotonic_increasing


def test_an_id_no_county_knows_goes_to_the_first_county(policy):
    index = pd.Series({MOVED: "320282"})
    assert counties_of(pd.Series([NOBODY, MOVED]), index, policy.county_codes[0]).tolist() == ["320281", "320282"]
