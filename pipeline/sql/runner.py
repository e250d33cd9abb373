"""The one loader of the project's SQL: one .sql file per table, by layer (staging -> entitlement
-> ledger; audit; indicators), each ending in `select * from final`; shared formulas in macros.sql."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from pipeline.operations import duckdb_settings

SQL = Path(__file__).resolve().parent


def sql_path(step: str) -> Path:
    """step: 'entitlement/due' -> pipeline/sql/entitlement/due.sql"""
    return SQL / f"{step}.sql"


@cache
def sql_text(step: str) -> str:
    return sql_path(step).read_text(encoding="utf-8")


def literal(text: object) -> str:
    """A path or other text as a SQL string literal: a ' in a folder name must not end the
    string (DuckDB's SET and table functions take no parameters in every position)."""
    return "'" + str(text).replace("'", "''") + "'"


def connect() -> duckdb.DuckDBPyConnection:
    """A DuckDB connection bounded by config/operations.toml: past its memory limit DuckDB spills
    to the spill folder instead of growing (DuckDB names its files by process and removes them)."""
    settings = duckdb_settings()
    settings.spill_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    con = duckdb.connect()
    con.execute("set threads = 2")
    con.execute(f"set memory_limit = {literal(settings.memory_limit)}")
    con.execute(f"set temp_directory = {literal(settings.spill_dir)}")
    # text leaves DuckDB as Arrow large_string, the layout of pandas' str columns: to_pandas()
    # then shares the buffers instead of copying every text column (0.19 s -> 0.002 s at 270k rows)
    con.execute("set arrow_large_buffer_size = true")
    return con


def load_macros(con: duckdb.DuckDBPyConnection) -> None:
    """The formulas the money steps and the auditors' views share (macros.sql)."""
    con.execute(sql_text("macros"))


def materialise(con: duckdb.DuckDBPyConnection, step: str, name: str) -> None:
    """Run a step and keep its result as table `name` for the next steps."""
    con.execute(f"create or replace table {name} as {sql_text(step)}")


def frame(con: duckdb.DuckDBPyConnection, name: str, where: str = "true", order_by: str = "") -> pd.DataFrame:
    """A table (or its rows matching `where`, in the order `order_by`) as a pandas frame, through
    Arrow: DuckDB's own .df() is ten times slower on text."""
    ordered = f" order by {order_by}" if order_by else ""
    return con.sql(f"select * from {name} where {where}{ordered}").to_arrow_table().to_pandas()
