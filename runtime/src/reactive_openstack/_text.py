"""How the runtime reads the loosely typed text Juju hands it: booleans and unit names.

Config options and relation values arrive as real booleans or as strings ("True", "yes"),
and unit names as ``app/N`` or ``app-N``; one reading of each keeps the runtime's modules and
the test fakes agreeing on what "on" and "unit 10 after unit 9" mean.
"""

from __future__ import annotations

__all__ = ["truthy", "unit_number"]

_TRUE_WORDS = frozenset({"true", "yes", "1", "on"})


def truthy(value: object) -> bool:
    """A boolean option or relation value: a bool, or text such as ``True``/``yes``/``1``/``on``."""
    if isinstance(value, str):
        return value.strip().lower() in _TRUE_WORDS
    return bool(value)


def unit_number(unit: str) -> int:
    """The number of ``app/N`` or ``app-N`` (-1 when there is none), to order units numerically."""
    try:
        return int(unit.replace("/", "-").rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return -1
