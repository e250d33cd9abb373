"""A province of several counties for the partitioned run's tests and benchmarks: the policy of
config/policy.toml with its townships repeated under other county codes (the sample and the
real policy stay one county, Jiangyin)."""

from __future__ import annotations

import re

from pipeline.paths import DEFAULT_POLICY

FIRST_EXTRA_COUNTY = 320282  # the codes after Jiangyin's (made up: any 6 digits would do)
TOWNSHIP_BLOCK = re.compile(r'\[\[townships\]\]\ncode = "(\d{6})(\d{3})"\nname = "([^"]*)"\n((?:[a-z_]+ = .*\n)*)')
COUNTY_BLOCK = re.compile(r'\[\[counties\]\]\ncode = "\d{6}"\nname = "[^"]*"\n')


def province_policy_text(counties: int, base: str | None = None) -> str:
    """base (default: config/policy.toml) with `counties` counties in all: each extra county
    gets a copy of every township (its code under the county's prefix, its name marked with the
    county), so the generator spreads people over every county's townships."""
    if counties < 1:
        raise ValueError("a province has at least one county")
    text = DEFAULT_POLICY.read_text(encoding="utf-8") if base is None else base
    townships = TOWNSHIP_BLOCK.findall(text)
    if not townships or not COUNTY_BLOCK.search(text):
        raise ValueError("the base policy lists no [[counties]] or no [[townships]]")
    extra_counties, extra_townships = [], []
    for n in range(1, counties):
        county = str(FIRST_EXTRA_COUNTY + n - 1)
        extra_counties.append(f'[[counties]]\ncode = "{county}"\nname = "县{n}"\n')
        for _, number, name, rest in townships:
            extra_townships.append(f'[[townships]]\ncode = "{county}{number}"\nname = "{name}{n}"\n{rest}')
    last_county = list(COUNTY_BLOCK.finditer(text))[-1]
    text = text[: last_county.end()] + "".join("\n" + block for block in extra_counties) + text[last_county.end() :]
    last_township = list(TOWNSHIP_BLOCK.finditer(text))[-1]
    return (
        text[: last_township.end()] + "".join("\n" + block for block in extra_townships) + text[last_township.end() :]
    )
