"""The solidarity fund's rate review: which reduced-tier rate the fund can afford next period.

Pure arithmetic, no database: the review service gathers the figures in `ReviewInputs`, calls
`review()`, records the `ReviewResult` and acts on it (announces the rate, closes or reopens
requests, alerts the coordinators).

Figures and units
- Money in euros, Decimal, to the cent. Rates and the step in percent, Decimal, to two decimals.
- At rate r the reductions of a period are r % of the reduced-tier commitments (the reference
  prices of the reduced-tier deliveries planned), rounded UP to the cent, so that the projection
  never understates what the fund pays. Each delivery's price is rounded to the cent on its own, so
  the real reductions may exceed r % of the sum by up to half a cent per delivery: a caller that
  wants that covered too adds it to the reserve it passes.
- After k periods at rate r the projected balance is
  balance + k × (expected contributions − reductions at r): the coming period's figures repeated
  over the `periods` projected. A rate *holds* when the projected balance is at or above the reserve
  at the end of every projected period (the figures are linear in k, so only the first and the last
  period matter). `projected_balance` is the one at the end of the last projected period.

The rule
1. Bounds first. When the current rate is outside [rate_min, rate_max] (a coordinator has just
   changed the bounds), it is first brought to the nearest bound. That move is not limited by the
   step; the result says so (`brought_into_bounds` and a sentence of the explanation), and the step
   then counts from the rate in bounds.
2. The rate after is the highest rate that holds within the bounds and within the step of the rate
   in bounds. A lower rate pays out less, so holding is monotone:
   - the rate in bounds itself: HOLDS;
   - higher: RAISED_WITH_SURPLUS, or RAISED_CAPPED_BY_STEP when a higher rate would still hold;
   - lower: LOWERED_TO_HOLD_RESERVE.
3. When no rate within the step holds but a rate within the bounds does, the rate goes down by the
   whole step (LOWERED_CAPPED_BY_STEP) and `holds_reserve` is False: the reserve is not kept this
   period, the coming reviews go on lowering.
4. When even rate_min does not hold, the rate goes down toward rate_min by at most the step and
   `open_to_requests` is False: new reduced-tier requests wait and the caller alerts the
   coordinators (RESERVE_BROKEN_EVEN_AT_MIN). With no reduced-tier commitments the rate costs
   nothing: only a balance below the reserve that the contributions do not restore leads here.
   Whenever rate_min holds, `open_to_requests` is True (a fund closed earlier reopens).
The highest holding rate is rounded down to two decimals (rounding down keeps the reserve); every
other rate is a bound or the rate in bounds minus the step, already to two decimals.
"""

from dataclasses import dataclass, fields
from decimal import Decimal
from enum import StrEnum

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


class Reason(StrEnum):
    HOLDS = "holds"
    RAISED_WITH_SURPLUS = "raised_with_surplus"
    RAISED_CAPPED_BY_STEP = "raised_capped_by_step"
    LOWERED_TO_HOLD_RESERVE = "lowered_to_hold_reserve"
    LOWERED_CAPPED_BY_STEP = "lowered_capped_by_step"
    RESERVE_BROKEN_EVEN_AT_MIN = "reserve_broken_even_at_min"


@dataclass(frozen=True)
class ReviewInputs:
    """The figures of one review; checked on creation (ValueError, TypeError for a non-Decimal)."""

    balance: Decimal
    reserve: Decimal
    current_rate: Decimal
    rate_min: Decimal
    rate_max: Decimal
    rate_step: Decimal
    expected_contributions: Decimal
    reduced_commitments: Decimal
    periods: int = 1

    def __post_init__(self):
        _check_money(self)
        _check_rates(self)
        if not isinstance(self.periods, int) or isinstance(self.periods, bool):
            raise TypeError(f"periods must be an int, not {type(self.periods).__name__}.")
        if self.periods < 1:
            raise ValueError(
                _("The projection must cover at least one period (%(periods)s given).")
                % {"periods": self.periods}
            )

    def as_json(self) -> dict[str, str | int]:
        """The figures as a JSON-ready dict (amounts and rates as strings)."""
        values = {field.name: getattr(self, field.name) for field in fields(self)}
        return {name: value if name == "periods" else str(value) for name, value in values.items()}


@dataclass(frozen=True)
class ReviewResult:
    inputs: ReviewInputs
    rate_after: Decimal
    reason: Reason
    open_to_requests: bool
    # whether the projected balance stays at or above the reserve at rate_after
    holds_reserve: bool
    projected_balance: Decimal
    # what the fund pays in one period at rate_after
    reductions: Decimal
    rate_in_bounds: Decimal
    brought_into_bounds: bool

    @property
    def rate_before(self) -> Decimal:
        return self.inputs.current_rate

    @property
    def explanation(self) -> str:
        """Why, in a sentence or three of the active language."""
        return _explain(self)


def reductions_at(commitments: Decimal, rate: Decimal) -> Decimal:
    """What the fund pays in a period at `rate` % (two decimals) of `commitments` (to the cent),
    rounded up to the cent."""
    return _euros(_reduction_cents(_cents(commitments), _basis_points(rate)))


def review(inputs: ReviewInputs) -> ReviewResult:
    lowest, highest = _basis_points(inputs.rate_min), _basis_points(inputs.rate_max)
    step = _basis_points(inputs.rate_step)
    start = min(max(_basis_points(inputs.current_rate), lowest), highest)
    down_to, up_to = max(lowest, start - step), min(highest, start + step)
    best = _highest_holding_rate(inputs, lowest, highest)
    if best is None:
        after, reason = down_to, Reason.RESERVE_BROKEN_EVEN_AT_MIN
    elif best < down_to:
        after, reason = down_to, Reason.LOWERED_CAPPED_BY_STEP
    else:
        after = min(best, up_to)
        if after == start:
            reason = Reason.HOLDS
        elif after < start:
            reason = Reason.LOWERED_TO_HOLD_RESERVE
        elif after < best:
            reason = Reason.RAISED_CAPPED_BY_STEP
        else:
            reason = Reason.RAISED_WITH_SURPLUS
    reduction = _reduction_cents(_cents(inputs.reduced_commitments), after)
    return ReviewResult(
        inputs=inputs,
        rate_after=_percent(after),
        reason=reason,
        open_to_requests=best is not None,
        holds_reserve=_holds(inputs, reduction),
        projected_balance=_euros(_balance_after(inputs, reduction, inputs.periods)),
        reductions=_euros(reduction),
        rate_in_bounds=_percent(start),
        brought_into_bounds=_percent(start) != inputs.current_rate,
    )


# Inside, money is in whole cents and rates in basis points (hundredths of a percent): exact.


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(CENT)


def _basis_points(rate: Decimal) -> int:
    return int(rate * 100)


def _percent(basis_points: int) -> Decimal:
    return (Decimal(basis_points) / 100).quantize(CENT)


def _reduction_cents(commitments: int, basis_points: int) -> int:
    return -(-commitments * basis_points // 10_000)


def _balance_after(inputs: ReviewInputs, reduction: int, periods: int) -> int:
    net = _cents(inputs.expected_contributions) - reduction
    return _cents(inputs.balance) + periods * net


def _holds(inputs: ReviewInputs, reduction: int) -> bool:
    reserve = _cents(inputs.reserve)
    return all(_balance_after(inputs, reduction, k) >= reserve for k in {1, inputs.periods})


def _highest_holding_rate(inputs: ReviewInputs, lowest: int, highest: int) -> int | None:
    """The highest rate in basis points within the bounds that holds, None when none does."""
    # the most the reductions of one period may cost: balance + k × (contributions − reductions)
    # >= reserve for k = 1 and k = periods, reductions being whole cents
    margin = _cents(inputs.balance) - _cents(inputs.reserve)
    allowance = _cents(inputs.expected_contributions) + min(margin, margin // inputs.periods)
    if allowance < 0:
        return None
    commitments = _cents(inputs.reduced_commitments)
    best = highest if commitments == 0 else min(highest, allowance * 10_000 // commitments)
    return best if best >= lowest else None


def _check_money(inputs: ReviewInputs) -> None:
    labels = {
        "balance": _("Balance"),
        "reserve": _("Reserve"),
        "expected_contributions": _("Expected contributions"),
        "reduced_commitments": _("Reduced-tier commitments"),
    }
    for name, label in labels.items():
        value = _checked_decimal(inputs, name, label)
        figures = {"label": label, "amount": number_format(value)}
        if value != value.quantize(CENT):
            raise ValueError(_("%(label)s: %(amount)s € is not to the cent.") % figures)
        if name != "balance" and value < 0:
            raise ValueError(_("%(label)s: %(amount)s € is below zero.") % figures)


def _check_rates(inputs: ReviewInputs) -> None:
    labels = {
        "current_rate": _("Current rate"),
        "rate_min": _("Minimum rate"),
        "rate_max": _("Maximum rate"),
        "rate_step": pgettext("rate review", "Step"),
    }
    for name, label in labels.items():
        value = _checked_decimal(inputs, name, label)
        figures = {"label": label, "rate": number_format(value)}
        if value != value.quantize(CENT):
            raise ValueError(_("%(label)s: %(rate)s has more than two decimals.") % figures)
        if name != "rate_step" and not 0 <= value <= 100:
            raise ValueError(_("%(label)s: %(rate)s %% is not between 0 %% and 100 %%.") % figures)
    if inputs.rate_min > inputs.rate_max:
        raise ValueError(
            _("The minimum rate (%(rate_min)s %%) is above the maximum rate (%(rate_max)s %%).")
            % {"rate_min": _shown(inputs.rate_min), "rate_max": _shown(inputs.rate_max)}
        )
    if not 0 < inputs.rate_step <= 100:
        raise ValueError(
            _("The step must be above 0 and at most 100 points (%(step)s given).")
            % {"step": number_format(inputs.rate_step)}
        )


def _checked_decimal(inputs: ReviewInputs, name: str, label: str) -> Decimal:
    value = getattr(inputs, name)
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise ValueError(
            _("%(label)s: %(value)s is not a number.") % {"label": label, "value": value}
        )
    return value


def _shown(rate: Decimal) -> str:
    return number_format(rate, 0 if rate == rate.to_integral_value() else 2)


def _explain(result: ReviewResult) -> str:
    inputs, periods = result.inputs, result.inputs.periods
    figures = {
        "balance": number_format(inputs.balance, 2),
        "contributions": number_format(inputs.expected_contributions * periods, 2),
        "reserve": number_format(inputs.reserve, 2),
        "reductions": number_format(result.reductions * periods, 2),
        "reductions_before": number_format(
            reductions_at(inputs.reduced_commitments, result.rate_in_bounds) * periods, 2
        ),
        "projected": number_format(result.projected_balance, 2),
        "before": _shown(result.rate_in_bounds),
        "rate": _shown(result.rate_after),
        "rate_min": _shown(inputs.rate_min),
        "rate_max": _shown(inputs.rate_max),
        "step": _shown(inputs.rate_step),
    }
    sentences = [_sentence(result.reason) % figures]
    if result.brought_into_bounds:
        sentences.insert(
            0,
            _(
                "The rate of %(current)s %% was outside the bounds of %(rate_min)s %% to "
                "%(rate_max)s %%: it was first brought to %(before)s %%."
            )
            % {**figures, "current": _shown(inputs.current_rate)},
        )
    if periods > 1:
        sentences.append(
            ngettext(
                "Projected over %(periods)s period.", "Projected over %(periods)s periods.", periods
            )
            % {"periods": periods}
        )
    return " ".join(sentences)


def _sentence(reason: Reason) -> str:
    if reason == Reason.HOLDS:
        return _(
            "The balance of %(balance)s € and %(contributions)s € of expected contributions cover "
            "%(reductions)s € of reductions at %(rate)s %% and keep the reserve of %(reserve)s €: "
            "the rate stays."
        )
    if reason == Reason.RAISED_WITH_SURPLUS:
        return _(
            "The balance of %(balance)s € and %(contributions)s € of expected contributions leave "
            "a surplus above the reserve of %(reserve)s €: the rate goes up from %(before)s %% to "
            "%(rate)s %% (%(reductions)s € of reductions)."
        )
    if reason == Reason.RAISED_CAPPED_BY_STEP:
        return _(
            "The balance of %(balance)s € and %(contributions)s € of expected contributions would "
            "allow more than %(rate)s %% while keeping the reserve of %(reserve)s €, but the rate "
            "moves by at most %(step)s points per period: it goes up from %(before)s %% to "
            "%(rate)s %%."
        )
    if reason == Reason.LOWERED_TO_HOLD_RESERVE:
        return _(
            "The balance of %(balance)s € and %(contributions)s € of expected contributions do not "
            "cover %(reductions_before)s € of reductions at %(before)s %% while keeping the "
            "reserve of %(reserve)s €: the rate goes down to %(rate)s %% (%(reductions)s € of "
            "reductions)."
        )
    if reason == Reason.LOWERED_CAPPED_BY_STEP:
        return _(
            "The balance of %(balance)s € and %(contributions)s € of expected contributions do not "
            "cover %(reductions_before)s € of reductions at %(before)s %% while keeping the "
            "reserve of %(reserve)s €, and the rate moves by at most %(step)s points per period: "
            "it goes down to %(rate)s %%, which does not keep the reserve yet (projected balance: "
            "%(projected)s €)."
        )
    return _(
        "Even at the minimum rate of %(rate_min)s %%, the balance of %(balance)s € and "
        "%(contributions)s € of expected contributions would fall below the reserve of "
        "%(reserve)s €: the rate is %(rate)s %% for the next period and new reduced-tier requests "
        "go to a waiting list."
    )
