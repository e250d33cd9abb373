"""The one way into a command that writes to an output folder (run, close, reject, catch-up, the
flow's steps): take the folder's lock, recover what a crashed command left, and check that the
closed months are as released, in that order, before anything is read or written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pipeline import lifecycle
from pipeline.audit.closed import stop_if_tampered
from pipeline.paths import OutDir


@contextmanager
def writing(out: OutDir, command: str, say: lifecycle.Say = lifecycle.say_on_stderr) -> Iterator[None]:
    with lifecycle.output_lock(out, command):
        lifecycle.recover(out, say)
        stop_if_tampered(out)
        yield
