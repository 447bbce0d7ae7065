"""What a producer is owed for order lines, when it is not what the member paid.

A layer above may sell a producer's product to some members for less (the solidarity fund's
reduced tier on staples) and pay the producer the difference: the producer is owed their own
price, and their pages show it, never the member's (which would tell them the member's tier).
That layer registers here when the site starts (``SolidarityConfig.ready``).
"""

from collections.abc import Callable, Iterable
from decimal import Decimal

# (line ids) -> {line id: what the producer is owed for the whole line}
LineReference = Callable[[list[int]], dict[int, Decimal]]

_references: list[LineReference] = []


def register_line_reference(reference: LineReference) -> None:
    if reference not in _references:
        _references.append(reference)


def with_amounts_owed(lines: Iterable) -> list:
    """The lines, each with ``amount_owed``: its price, or what a registered layer says the
    producer is owed for it."""
    lines = list(lines)
    owed: dict[int, Decimal] = {}
    for reference in _references:
        owed.update(reference([line.pk for line in lines]))
    for line in lines:
        line.amount_owed = owed.get(line.pk, line.line_price_incl_tax)
    return lines
