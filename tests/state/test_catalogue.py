"""The state catalogue: every stored table named once, written to its contract, read back as one
History; SQL finds the files only through the catalogue's variables."""

from __future__ import annotations

import re

import pandas as pd
import pyarrow.parquet as pq
import pytest

from pipeline.paths import REPO, OutDir
from pipeline.state import CATALOGUE, LEDGER, file_patterns, read_history, state_file, write_state
from tests.test_sample_year import year  # noqa: F401  (the sample year, run once per module)


def tables_of(month: str) -> dict[str, pd.DataFrame]:
    return {
        name: pd.DataFrame({c: pd.Series([], dtype="str") for c in spec.columns}) for name, spec in CATALOGUE.items()
    }


def test_a_table_off_its_contract_is_refused_before_any_file_is_written(tmp_path):
    tables = {
        name: frame.drop(columns="run_month") if CATALOGUE[name].stamped else frame
        for name, frame in tables_of("2021-01").items()
    }
    tables["entries"] = pd.DataFrame({c: pd.Series([], dtype="str") for c in LEDGER.columns})
    tables["holds"] = tables["holds"].drop(columns="hold_reason")
    with pytest.raises(ValueError, match="state table holds has columns"):
        write_state(tmp_path / "state", tmp_path / "ledger", "2021-01", tables)
    assert not any(tmp_path.rglob("*.parquet"))


def test_every_table_of_the_catalogue_must_be_written(tmp_path):
    tables = {name: frame for name, frame in tables_of("2021-01").items() if name != "due"}
    with pytest.raises(ValueError, match="differ from the catalogue"):
        write_state(tmp_path / "state", tmp_path / "ledger", "2021-01", tables)


def test_the_sample_years_state_keeps_every_contract(year):  # noqa: F811
    out = OutDir(year)
    for name, spec in CATALOGUE.items():
        path = state_file(out.state("2021-12"), name)
        frame = pq.read_table(path).to_pandas()
        assert list(frame.columns) == spec.columns, name
        assert (frame["run_month"] == "2021-12").all() or not spec.stamped, name
        spec.model.validate(frame.drop(columns=list(spec.added)), lazy=True)


def test_history_is_what_the_earlier_months_stored(year):  # noqa: F811
    out = OutDir(year)
    history = read_history(out, "2021-01", "2021-12")
    november = pq.read_table(state_file(out.state("2021-11"), "last_known")).to_pandas()
    assert history.last_known["id_number"].tolist() == november["id_number"].tolist()
    stored_deaths = sum(pq.read_metadata(state_file(out.state(m), "deaths")).num_rows for m in months_before("2021-12"))
    assert len(history.deaths) == stored_deaths > 0
    assert set(history.deaths["run_month"]) <= set(months_before("2021-12"))
    assert history.prior_ledger.count_rows() == sum(
        pq.read_metadata(out.ledger_partition(m) / "entries.parquet").num_rows for m in months_before("2021-12")
    )
    past = history.for_validation("2021-12", pd.Series(["2021-11-JRCB-PENSION"]))
    # of the lines issued, only those of the batches this month's returns name are read
    assert set(past.issued_lines["batch_id"]) == {"2021-11-JRCB-PENSION"}
    assert (
        len(past.issued_lines)
        == (history.issued_lines.to_table(columns=["batch_id"]).column(0).to_pandas() == "2021-11-JRCB-PENSION").sum()
    )
    assert len(past.last_rows) == (november["run_month"] == "2021-11").sum()
    assert set(past.ever_receiving) == set(november.loc[november["ever_receiving"], "id_number"])


def months_before(month: str) -> list[str]:
    return [f"2021-{m:02d}" for m in range(1, int(month[-2:]))]


def test_no_path_of_stored_state_is_typed_outside_the_catalogue():
    typed = re.compile(r"state/\w+\.parquet|\[0-9\]\[0-9\]\[0-9\]\[0-9\]-")  # a state file, a month-folder glob
    found = [
        f"{path.relative_to(REPO)}:{number}"
        for path in sorted((REPO / "pipeline").rglob("*"))
        if path.suffix in (".py", ".sql") and path.name not in ("state.py", "paths.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if typed.search(line) and not line.lstrip().startswith(("#", "--", '"""'))
    ]
    assert found == []
    assert set(file_patterns()) >= {f"{name}_files" for name in CATALOGUE}
