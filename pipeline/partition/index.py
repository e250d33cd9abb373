"""The person index: every ID of the month and of its history placed in exactly one county.

Every table the money steps read is per person (SQL grouped or joined by id_number), so a
county computes its people's money alone once each person's rows all go to one county."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from pipeline.core.idcard import normalise
from pipeline.policy import Policy
from pipeline.state import History
from pipeline.validate.month import ValidatedMonth

# where an ID is placed, by the first of these that knows it
THIS_MONTH_ACCEPTED, THIS_MONTH_REJECTED, EARLIER_MONTHS = 0, 1, 2


def person_index(validated: ValidatedMonth, past: History, policy: Policy) -> pd.Series:
    """id_number -> county code, sorted by ID. A person is in the county of their accepted roster
    row this month, else of the roster row rejected this month (an ID on rosters of two counties
    is rejected in both by SPEC §4's DUPLICATE_ACROSS_TOWNSHIPS and placed in the first), else of
    their latest earlier row. A corrected (old) ID is where its new ID is: the money steps read
    the old ID's past as the new ID's."""
    county_of = policy.townships.set_index("code")["county"]
    roster_rejects = validated.rejects[validated.rejects["input_kind"] == "rosters"]
    candidates = pd.concat(
        [
            _placed(validated.roster["id_number"], validated.roster["township_code"], county_of, THIS_MONTH_ACCEPTED),
            _placed(
                normalise(roster_rejects["id_number"]), roster_rejects["township_code"], county_of, THIS_MONTH_REJECTED
            ),
            _placed(past.last_known["id_number"], past.last_known["township_code"], county_of, EARLIER_MONTHS),
        ],
        ignore_index=True,
    ).dropna(subset=["county"])
    placed = candidates.sort_values(["id_number", "source", "county"]).drop_duplicates("id_number")
    index = placed.set_index("id_number")["county"]
    links = pd.concat(
        [
            past.id_links[["old_id_number", "new_id_number"]],
            validated.id_corrections[["old_id_number", "new_id_number"]],
        ],
        ignore_index=True,
    ).astype("str")
    new_county = links["new_id_number"].map(index).fillna(links["old_id_number"].map(index))
    followed = pd.concat(
        [
            pd.Series(new_county.to_numpy(), index=links["old_id_number"].to_numpy()),
            pd.Series(new_county.to_numpy(), index=links["new_id_number"].to_numpy()),
        ]
    ).dropna()
    followed = followed[~followed.index.duplicated(keep="first")]
    index = pd.concat([index[~index.index.isin(followed.index)], followed]).astype("str")
    return index.rename_axis("id_number").rename("county").sort_index()


def _placed(ids: pd.Series, townships: pd.Series, county_of: pd.Series, source: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id_number": ids.astype("str").to_numpy(),
            "county": townships.astype("str").map(county_of).to_numpy(),
            "source": source,
        }
    )


def counties_of(ids: pd.Series, index: pd.Series, first_county: str) -> np.ndarray:
    """The county of each ID; an ID no county knows (a death registration of no participant, a
    contribution of nobody on a roster) goes to the first county, so that it is listed once."""
    return ids.astype("str").map(index).fillna(first_county).astype("str").to_numpy()


def returned_line_owners(issued_lines: pd.DataFrame | pa.Table | ds.Dataset) -> pd.DataFrame:
    """batch_id, line_no -> id_number of every issued bank line: a bank return names the line,
    not the person."""
    columns = ["batch_id", "line_no", "id_number"]
    if isinstance(issued_lines, pd.DataFrame):
        return issued_lines[columns].reset_index(drop=True)
    table = issued_lines.to_table(columns=columns) if isinstance(issued_lines, ds.Dataset) else issued_lines
    return table.select(columns).to_pandas()
