"""A stop of the pipeline ends a flow run with the operator's message, not a traceback."""

from __future__ import annotations

import logging
import sys

import pytest

import flows.monthly  # noqa: F401  (installs the filter on Prefect's engine loggers)
from pipeline.core.errors import RunStopped


def logged(exception: Exception, engine: str = "prefect.flow_runs") -> str:
    """The record Prefect's run engine logs for the exception that ends a run, through the filters
    of its logger, as a handler formats it (not sent anywhere)."""
    logger = logging.getLogger(engine)
    try:
        raise exception
    except Exception as err:
        record = logger.makeRecord(
            engine, logging.ERROR, __file__, 0, "Encountered exception during execution: %r", (err,), sys.exc_info()
        )
    assert logger.filter(record)
    return logging.Formatter().format(record)


@pytest.mark.parametrize("engine", ["prefect.flow_runs", "prefect.task_runs"])
def test_a_stop_is_logged_without_its_traceback(engine):
    text = logged(RunStopped("2021-03 is a draft awaiting an operator's decision", action="close it"), engine)
    assert "awaiting an operator's decision" in text and "Traceback" not in text


@pytest.mark.parametrize("defect", [ValueError("a bug"), KeyError("column")])
def test_any_other_exception_keeps_its_traceback(defect):
    assert "Traceback" in logged(defect)
