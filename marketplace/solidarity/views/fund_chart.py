"""The balance chart of a fund's page, drawn server side as an inline SVG (no script, no style
attribute): a step line of the balance after each day with entries, the reserve as a dashed
line, and the same figures in words for whoever does not see the drawing."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from marketplace.solidarity.selectors.history import BalancePoint

WIDTH, HEIGHT = 480, 270
LEFT, RIGHT, TOP, BOTTOM = 80, 470, 14, 232  # the plot's box inside the drawing
NICE_STEPS = (1, 2, 2.5, 5, 10)


def _euros(value, places: int = 2) -> str:
    return f"{number_format(value, decimal_pos=places, force_grouping=True)}\u00a0€"


def _day(value: date) -> str:
    return date_format(value, "j F Y")


def _tick_step(span: float, ticks: int = 4) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` ticks."""
    raw = span / ticks
    power = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    return next(step * power for step in NICE_STEPS if step * power >= raw)


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class BalanceChart:
    path: str
    reserve_y: float
    reserve_label_y: float
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    summary: str
    points: list[BalancePoint]

    width, height = WIDTH, HEIGHT
    left, right, top, bottom = LEFT, RIGHT, TOP, BOTTOM


def balance_chart(points: list[BalancePoint], reserve: Decimal) -> BalanceChart:
    """The drawing and its words for ``points`` (``history.balance_history``)."""
    start, end = points[0].on, points[-1].on
    days = max((end - start).days, 1)
    balances = [float(point.balance) for point in points]
    low = min([0.0, float(reserve), *balances])
    high = max([float(reserve), *balances])
    step = _tick_step(high - low or 100.0)
    low = (low // step) * step
    high = -((-high) // step) * step
    if high <= low:
        high = low + step

    def x(on: date) -> float:
        return round(LEFT + (RIGHT - LEFT) * (on - start).days / days, 1)

    def y(value: float) -> float:
        return round(BOTTOM - (BOTTOM - TOP) * (value - low) / (high - low), 1)

    corners = [f"M{x(points[0].on)} {y(balances[0])}"]
    for point, balance in zip(points[1:], balances[1:], strict=True):
        corners.append(f"H{x(point.on)} V{y(balance)}")
    y_ticks, value = [], low
    while value <= high + step / 1000:
        y_ticks.append(Tick(y(value), _euros(Decimal(str(value)), places=0)))
        value += step
    middle = start + (end - start) / 2
    reserve_y = y(float(reserve))
    return BalanceChart(
        path=" ".join(corners),
        reserve_y=reserve_y,
        # the reserve's words above its line, or below it when the line runs along the top
        reserve_label_y=reserve_y - 6 if reserve_y - 20 > TOP else reserve_y + 18,
        y_ticks=y_ticks,
        x_ticks=[Tick(x(on), _day(on)) for on in (start, middle, end)],
        summary=chart_summary(points, reserve),
        points=points,
    )


def chart_summary(points: list[BalancePoint], reserve: Decimal) -> str:
    lowest = min(points, key=lambda point: (point.balance, point.on))
    highest = max(points, key=lambda point: (point.balance, -point.on.toordinal()))
    return _(
        "Balance of the fund from %(start)s to %(end)s: %(first)s at the start, %(last)s at "
        "the end; lowest %(low)s on %(low_on)s, highest %(high)s on %(high_on)s. Reserve "
        "kept: %(reserve)s (dashed line)."
    ) % {
        "start": _day(points[0].on),
        "end": _day(points[-1].on),
        "first": _euros(points[0].balance),
        "last": _euros(points[-1].balance),
        "low": _euros(lowest.balance),
        "low_on": _day(lowest.on),
        "high": _euros(highest.balance),
        "high_on": _day(highest.on),
        "reserve": _euros(reserve),
    }
