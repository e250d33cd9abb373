"""Money as people read it, computed exactly from integer fen (no float on the way)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pyarrow as pa_arrow
import pyarrow.compute as pc

from pipeline.core.frames import TEXT, arrow_text, text_series

# Yuan as clerks write it: at most 9 digits of yuan (larger values would overflow int64 fen once
# summed) and at most 2 decimals; ASCII digits only.
YUAN_RE = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"

FEN_PER_YUAN = 100
FEN_PER_WAN = 1_000_000  # 1 万元 = 10,000 yuan


def yuan_amount(fen: int) -> Decimal:
    return Decimal(int(fen)) / FEN_PER_YUAN


def wan_amount(fen: int) -> Decimal:
    """万元 to two decimals, rounded half up."""
    return (Decimal(int(fen)) / FEN_PER_WAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def yuan_text(fen: int, *, grouped: bool = True) -> str:
    """39200 -> '392.00' ('1,234.56' when grouped); '392' style is never produced."""
    return f"{yuan_amount(fen):,.2f}" if grouped else f"{yuan_amount(fen):.2f}"


def wan_text(fen: int, *, grouped: bool = False) -> str:
    return f"{wan_amount(fen):,.2f}" if grouped else f"{wan_amount(fen):.2f}"


def rate_yuan_text(fen: int) -> str:
    """A rate as the declaration writes it: 39200 -> '392', 550 -> '5.5'."""
    return f"{yuan_amount(fen).normalize():f}"


def yuan_to_fen(s: pd.Series) -> pd.Series:
    """'392.5' -> 39250 without passing through a float (validated input only: YUAN_RE or '')."""
    parts = pc.extract_regex(arrow_text(s), r"^(?P<whole>[0-9]*)\.?(?P<cents>[0-9]*)$")
    whole = pc.utf8_lpad(pc.struct_field(parts, "whole"), width=1, padding="0")  # '' -> '0'
    cents = pc.utf8_rpad(pc.struct_field(parts, "cents"), width=2, padding="0")
    fen = pc.add(pc.multiply(pc.cast(whole, pa_arrow.int64()), FEN_PER_YUAN), pc.cast(cents, pa_arrow.int64()))
    return pd.Series(fen.to_numpy(), index=s.index, dtype="int64")


def yuan_column(fen: pd.Series) -> pd.Series:
    """A column of integer fen -> 'yuan.jj' text, exactly: what yuan_text(fen, grouped=False) gives
    for one amount, without a Python call per row (bank files, clerks' lists)."""
    amounts = pa_arrow.array(fen.to_numpy(dtype="int64"))
    size = pc.abs(amounts)
    whole = pc.divide(size, FEN_PER_YUAN)  # integer division
    cents = pc.utf8_lpad(pc.cast(pc.subtract(size, pc.multiply(whole, FEN_PER_YUAN)), TEXT), 2, "0")
    nothing = pa_arrow.scalar("", TEXT)
    sign = pc.if_else(pc.less(amounts, 0), pa_arrow.scalar("-", TEXT), nothing)
    text = pc.binary_join_element_wise(sign, pc.cast(whole, TEXT), pa_arrow.scalar(".", TEXT), cents, nothing)
    return text_series(text, fen.index)
