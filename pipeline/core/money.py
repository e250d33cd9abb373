"""Money as people read it, computed exactly from integer fen (no float on the way)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

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
