"""Run one SQL step on literal input rows (sqlmesh-style unit tests of a step)."""

from __future__ import annotations

import duckdb

from pipeline.sql.runner import load_macros, sql_text


def run_step(step: str, inputs: dict[str, tuple[str, list[tuple]]], columns: str) -> list[tuple]:
    """inputs: table -> ("col type, ...", rows). Returns the step's rows as `columns`, sorted."""
    with duckdb.connect() as con:
        load_macros(con)
        for name, (schema, rows) in inputs.items():
            con.execute(f"create table {name} ({schema})")
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                con.executemany(f"insert into {name} values ({marks})", rows)
        return con.sql(f"select {columns} from ({sql_text(step)}) order by all").fetchall()
