"""Writers for the files people and banks open. Deterministic bytes (same frame, same file) and
spreadsheet-safe text: a text cell starting with = + - @ is prefixed with ' so that Excel shows it
instead of running it."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FORMULA_START = ("=", "+", "-", "@")


def neutralise(frame: pd.DataFrame, text_columns: list[str]) -> pd.DataFrame:
    out = frame.copy()
    for column in text_columns:
        values = out[column].fillna("").astype("str")
        risky = values.str.startswith(FORMULA_START)
        out[column] = values.where(~risky, "'" + values)
    return out


def text_columns_of(frame: pd.DataFrame, numeric: tuple[str, ...] = ()) -> list[str]:
    """Every column holding text, except those that hold numbers written as text (amounts)."""
    return [c for c in frame.columns if c not in numeric and not pd.api.types.is_numeric_dtype(frame[c])]


def write_csv(frame: pd.DataFrame, path: Path, *, encoding: str = "utf-8-sig", numeric: tuple[str, ...] = ()) -> None:
    """A CSV for people (UTF-8 with BOM: Excel opens it in Chinese) or a bank (its encoding)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = neutralise(frame, text_columns_of(frame, numeric))
    path.write_bytes(csv_text(safe).encode(encoding))


def csv_text(frame: pd.DataFrame) -> str:
    """The frame as CSV text (the bytes of pandas' to_csv with CRLF), built a column at a time:
    pandas' own writer goes row by row and dominated the month's write step."""
    cells = [_csv_cells(frame[column]) for column in frame.columns]
    header = ",".join(_quote_one(str(column)) for column in frame.columns)
    if not len(frame):
        return header + "\r\n"
    lines = cells[0]
    for column in cells[1:]:
        lines = lines + "," + column
    return header + "\r\n" + "\r\n".join(lines.tolist()) + "\r\n"


def _csv_cells(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.StringDtype):  # text stays in Arrow: no Python object per cell
        text = values.fillna("")
    else:
        text = values.astype(object).where(values.notna(), "").astype("str")
    needs = text.str.contains(r'[",\r\n]', regex=True)
    return text.where(~needs, '"' + text.str.replace('"', '""', regex=False) + '"')


def _quote_one(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if any(ch in text for ch in ',"\r\n') else text


def write_json(data: object, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True, default=_exact)
    path.write_text(text + "\n", encoding="utf-8")


def _exact(value: object) -> str:
    """Decimal amounts (万元, yuan) go to JSON as their exact text."""
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def write_parquet(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    table = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd", compression_level=1)


def read_parquet(path: Path) -> pd.DataFrame:
    return pq.read_table(path).to_pandas()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def yuan(fen: pd.Series) -> pd.Series:
    """Integer fen -> 'yuan.jj' text, exactly (no float on the way)."""
    fen = fen.astype("int64")
    sign = pd.Series("", index=fen.index).mask(fen < 0, "-")
    whole = (fen.abs() // 100).astype("str")
    cents = (fen.abs() % 100).astype("str").str.zfill(2)
    return (sign + whole + "." + cents).astype("str")
