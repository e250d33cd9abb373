"""pipeline/ runs without Dask or Prefect: the partitioned steps are plain functions; only
flows/partitioned.py puts them on a cluster."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

from pipeline.paths import REPO
from tests.core.test_layers import imported_names

CLUSTER = ("dask", "distributed", "prefect", "prefect_dask")


def test_no_module_of_the_pipeline_imports_dask_or_prefect():
    found = {
        path.relative_to(REPO).as_posix(): sorted(n for n in imported_names(path, REPO) if n.split(".")[0] in CLUSTER)
        for path in sorted((REPO / "pipeline").rglob("*.py"))
    }
    assert {file: names for file, names in found.items() if names} == {}
    assert "pipeline/partition/month.py" in found


def test_the_partitioned_steps_load_without_dask_or_prefect():
    code = (
        "import sys, pipeline.partition.month; "
        f"sys.exit(sorted(m for m in sys.modules if m.split('.')[0] in {CLUSTER!r}) != [])"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


@pytest.mark.skipif(importlib.util.find_spec("dask") is None, reason="Dask (the dask extra) is not installed")
def test_validating_a_month_loads_no_dask_although_it_is_installed(tmp_path):
    # pandera resolves a model's index types by importing dask.dataframe if it can (about 0.7 s
    # of every run); schemas/__init__.py tells it there is no Dask typing
    code = (
        "import sys; from pipeline.cli import main; "
        f"code = main(['validate', '--month', '2021-01', '--out', {str(tmp_path / 'out')!r}]); "
        "sys.exit(code or sorted(m for m in sys.modules if m.split('.')[0] == 'dask') != [])"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
