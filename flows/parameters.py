"""The flows' parameters as the Prefect run form shows them: descriptions and formats.

Each parameter is declared once, `Annotated[type, Field(description=..., pattern=...)]`. Prefect
keeps the Field's constraints in the parameter schema but takes descriptions only from the
docstring's Args section (PrefectHQ/prefect#13912), so `described` writes that section from the
Fields. No Prefect import here.
"""

from __future__ import annotations

import inspect
import typing
from typing import Annotated

from pydantic import Field
from pydantic.fields import FieldInfo

F = typing.TypeVar("F", bound=typing.Callable)

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"  # ASCII digits: `\d` would take any script's digits


def described(fn: F) -> F:
    """fn, its docstring ending in an Args section with each parameter's Field description."""
    hints = typing.get_type_hints(fn, include_extras=True)
    lines = [
        f"    {name}: {meta.description}"
        for name, hint in hints.items()
        if name != "return"
        for meta in getattr(hint, "__metadata__", ())
        if isinstance(meta, FieldInfo) and meta.description
    ]
    fn.__doc__ = inspect.cleandoc(fn.__doc__ or "") + "\n\nArgs:\n" + "\n".join(lines) + "\n"
    return fn


# the parameters both flows take
InboxParameter = Annotated[
    str | None, Field(description="Folder of the townships' inputs, a folder per month (empty: data/sample/inbox)")
]
OutParameter = Annotated[
    str | None, Field(description="Output folder: months, ledger, indicators (empty: out/ of the checkout)")
]
PolicyParameter = Annotated[
    str | None, Field(description="Policy file with the rules and rates (empty: config/policy.toml)")
]
