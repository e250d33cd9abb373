"""Writers for the files people and banks open. Deterministic bytes (same frame, same file) and
spreadsheet-safe text: a text cell starting with = + - @ (or their full-width forms ＝ ＋ － ＠) is
prefixed with ' so that a spreadsheet shows it instead of running it. A cell that is wholly a
negative number (-12, -45455.70) is no formula: it stays a number the spreadsheet can sum."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.core.frames import TEXT, arrow_text
from pipeline.durable import atomic_write_bytes, atomic_write_with

# the full-width forms too: WPS and some Excel input methods take ＝SUM(…) for a formula
FORMULA_START = ("=", "+", "-", "@", "＝", "＋", "－", "＠")
_FORMULA_RE = "^[" + re.escape("".join(FORMULA_START)) + "]"
_NEGATIVE_NUMBER_RE = r"^-[0-9]+(\.[0-9]+)?$"  # ASCII only: a full-width －2 is still text


def text_columns_of(frame: pd.DataFrame, numeric: tuple[str, ...] = ()) -> list[str]:
    """Every column holding text, except those that hold numbers written as text (amounts)."""
    return [c for c in frame.columns if c not in numeric and not pd.api.types.is_numeric_dtype(frame[c])]


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig", numeric: tuple[str, ...] = ()) -> None:
    """A CSV for people (UTF-8 with BOM: Excel opens it in Chinese) or a bank (its encoding),
    written SLICE_ROWS rows at a time: a list of millions of rows is never one string."""
    defuse = text_columns_of(frame, numeric)

    def write(temp: Path) -> None:
        encoder = codecs.getincrementalencoder(encoding)()  # a BOM once, at the start
        with temp.open("wb") as handle:
            for text in csv_slices(frame, defuse=defuse):
                handle.write(encoder.encode(text))
            handle.write(encoder.encode("", final=True))

    atomic_write_with(path, write)


SLICE_ROWS = 100_000


def csv_text(frame: pd.DataFrame, *, defuse: list[str] = ()) -> str:
    """The frame as CSV text (the bytes of pandas' to_csv with CRLF), the `defuse` columns
    neutralised. Built a column at a time in Arrow: pandas' writer goes row by row and its string
    operations pay a Python overhead per call that dominated the month's write step."""
    return "".join(csv_slices(frame, defuse=defuse))


def csv_slices(frame: pd.DataFrame, *, defuse: list[str] = ()) -> Iterator[str]:
    """csv_text in parts: the header, then SLICE_ROWS rows at a time (the same text once joined)."""
    yield ",".join(_quote_one(str(column)) for column in frame.columns) + "\r\n"
    for start in range(0, len(frame), SLICE_ROWS):
        rows = frame.iloc[start : start + SLICE_ROWS]
        cells = []
        for column in rows.columns:
            text = _text_cells(rows[column])
            cells.append(_quoted(_defused(text) if column in defuse else text))
        lines = pc.binary_join_element_wise(*cells, pa.scalar(",", TEXT)) if len(cells) > 1 else cells[0]
        lines = lines.combine_chunks() if isinstance(lines, pa.ChunkedArray) else lines
        one_list = pa.LargeListArray.from_arrays(pa.array([0, len(lines)], pa.int64()), lines)
        yield pc.binary_join(one_list, pa.scalar("\r\n", TEXT))[0].as_py() + "\r\n"


def _text_cells(values: pd.Series) -> pa.ChunkedArray:
    """A column as the text pandas' to_csv writes for it ('' for missing)."""
    if isinstance(values.dtype, pd.StringDtype):
        text = arrow_text(values)
    elif pd.api.types.is_integer_dtype(values.dtype):  # nullable Int64 too: its missing become ''
        text = pc.cast(pa.chunked_array([pa.array(values.array)]), TEXT)
    else:  # floats, booleans: Python's own repr, as pandas writes them
        text = arrow_text(values.astype(object).where(values.notna(), ""))
    return pc.fill_null(text, pa.scalar("", TEXT))


def _defused(text: pa.ChunkedArray) -> pa.ChunkedArray:
    """Text a spreadsheet would run as a formula gets a leading ' (shown, never run)."""
    risky = pc.and_(
        pc.match_substring_regex(text, _FORMULA_RE), pc.invert(pc.match_substring_regex(text, _NEGATIVE_NUMBER_RE))
    )
    if not pc.any(risky).as_py():
        return text
    return pc.if_else(risky, pc.binary_join_element_wise(pa.scalar("'", TEXT), text, pa.scalar("", TEXT)), text)


def _quoted(text: pa.ChunkedArray) -> pa.ChunkedArray:
    needs = pc.match_substring_regex(text, '[",\r\n]')
    if not pc.any(needs).as_py():
        return text
    quote, none = pa.scalar('"', TEXT), pa.scalar("", TEXT)
    return pc.if_else(
        needs, pc.binary_join_element_wise(quote, pc.replace_substring(text, '"', '""'), quote, none), text
    )


def _quote_one(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text


def write_json(data: object, path: Path) -> None:
    atomic_write_bytes(path, json_bytes(data))


def json_bytes(data: object) -> bytes:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=_exact)
    return (text + "\n").encode("utf-8")


def _exact(value: object) -> str:
    """Decimal amounts (万元, yuan) go to JSON as their exact text."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata(None)
    atomic_write_with(path, lambda temp: pq.write_table(table, temp, compression="zstd", compression_level=1))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
