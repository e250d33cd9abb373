"""config/operations.toml: DuckDB's memory limit and spill folder, the environment over the file."""

from __future__ import annotations

import pytest

from pipeline import operations
from pipeline.core.errors import RunStopped
from pipeline.paths import OPERATIONS
from pipeline.sql.runner import connect


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch):
    monkeypatch.delenv("PAYOUT_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("PAYOUT_SPILL_DIR", raising=False)
    operations.duckdb_settings.cache_clear()
    yield
    operations.duckdb_settings.cache_clear()


def test_auto_is_a_quarter_of_the_machine_s_ram():
    assert operations.memory_limit_text("auto", 24 * 2**30) == "6144MB"
    assert operations.memory_limit_text(" AUTO ", 8 * 2**30) == "2048MB"
    assert operations.memory_limit_text("auto", None) == "80%"  # RAM unknown: DuckDB's own default


def test_a_size_is_taken_as_given_and_anything_else_stops():
    assert operations.memory_limit_text("6GB", 2**30) == "6GB"
    assert operations.memory_limit_text("800 MiB", 2**30) == "800MiB"
    for wrong in ("6", "six GB", "-1GB", "50%"):
        with pytest.raises(RunStopped, match="is not a size"):
            operations.memory_limit_text(wrong, 2**30)


def test_the_file_s_values_and_the_environment_over_them(tmp_path, monkeypatch):
    path = tmp_path / "operations.toml"
    path.write_text(f'[duckdb]\nmemory_limit = "3GB"\nspill_dir = "{tmp_path / "spill"}"\n', encoding="utf-8")
    assert operations.duckdb_settings(path) == operations.DuckDBSettings("3GB", tmp_path / "spill")
    operations.duckdb_settings.cache_clear()
    monkeypatch.setenv("PAYOUT_MEMORY_LIMIT", "900MB")
    monkeypatch.setenv("PAYOUT_SPILL_DIR", str(tmp_path / "elsewhere"))
    assert operations.duckdb_settings(path) == operations.DuckDBSettings("900MB", tmp_path / "elsewhere")


def test_no_file_or_an_empty_spill_dir_gives_the_defaults(tmp_path):
    settings = operations.duckdb_settings(tmp_path / "missing.toml")
    assert settings.spill_dir == operations.default_spill_dir()
    assert settings.memory_limit == operations.memory_limit_text("auto", operations.machine_ram_bytes())


def test_broken_toml_stops_naming_the_file(tmp_path):
    path = tmp_path / "operations.toml"
    path.write_text("[duckdb\n", encoding="utf-8")
    with pytest.raises(RunStopped, match="not valid TOML") as stop:
        operations.duckdb_settings(path)
    assert stop.value.file == str(path)


def test_the_repository_s_file_is_read(monkeypatch):
    assert OPERATIONS.is_file()
    assert operations.duckdb_settings().memory_limit.endswith(("MB", "%"))


def test_every_connection_takes_the_limit_and_spills_past_it(tmp_path, monkeypatch):
    monkeypatch.setenv("PAYOUT_MEMORY_LIMIT", "100MB")
    monkeypatch.setenv("PAYOUT_SPILL_DIR", str(tmp_path / "spill"))
    with connect() as con:
        limit, folder = con.execute(
            "select current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchall()[0]
        # a table of several times the limit is built by spilling instead of failing
        con.execute("create table t as select range as n, md5(range::varchar) as m from range(5000000) order by m")
        assert con.execute("select count(*), count(distinct n) from t").fetchall() == [(5_000_000, 5_000_000)]
        spilled = con.execute("select count(*), sum(size) from duckdb_temporary_files()").fetchall()[0]
    assert limit == "95.3 MiB" and folder == str(tmp_path / "spill")
    assert spilled[0] > 0 and spilled[1] > 100 * 10**6
    assert (tmp_path / "spill").stat().st_mode & 0o777 == 0o700
    assert list((tmp_path / "spill").iterdir()) == []  # DuckDB removed its files with the connection
