"""Turn failing rows of one input table into rows of the rejects table."""

from __future__ import annotations

import pandas as pd
from pandera.typing import DataFrame

from pipeline.core.codes import reject_message
from pipeline.core.frames import map_values
from pipeline.ingest.columns import COLUMNS, SOURCE_FILE, SOURCE_ROW
from pipeline.validate.rules import primary_reasons
from schemas.rejects import Rejects


def reject_rows(raw: pd.DataFrame, failures: pd.DataFrame, *, kind: str, township: pd.Series) -> DataFrame[Rejects]:
    """raw: the table as read (text); failures: (index, reason_code); township: per raw row."""
    reasons = primary_reasons(failures)
    rows = raw.loc[reasons.index]
    messages = _messages(reasons["reason_codes"])
    frame = pd.DataFrame(
        {
            "input_kind": kind,
            "source_file": rows[SOURCE_FILE].astype("str"),
            "source_row": rows[SOURCE_ROW].astype("int64"),
            "township_code": township.loc[reasons.index].fillna("").astype("str"),
            "id_number": rows["id_number"].astype("str") if "id_number" in rows else "",
            "name": rows["name"].astype("str") if "name" in rows else "",
            "reason_code": reasons["reason_code"].astype("str"),
            "reason_codes": reasons["reason_codes"].astype("str"),
            "message": messages,
            "row_values": _row_values(rows, kind),
        },
        index=reasons.index,
    )
    return DataFrame[Rejects](frame.reset_index(drop=True))


def empty_rejects() -> DataFrame[Rejects]:
    columns = Rejects.to_schema().columns
    frame = pd.DataFrame({name: pd.Series([], dtype="int64" if name == "source_row" else "str") for name in columns})
    return DataFrame[Rejects](frame)


def _messages(codes: pd.Series) -> pd.Series:
    """The clerk's message for each row, composed once per distinct combination of codes."""
    return map_values(codes, {combination: reject_message(combination) for combination in codes.unique()})


def _row_values(rows: pd.DataFrame, kind: str) -> pd.Series:
    pieces = [
        (column.chinese + "=" + rows[column.name].astype("str")) for column in COLUMNS[kind] if column.name in rows
    ]
    if not pieces:
        return pd.Series("", index=rows.index, dtype="str")
    text = pieces[0]
    for piece in pieces[1:]:
        text = text + "; " + piece
    return text.astype("str")
