"""Setting up a fund: its bounds and reserve, and the pickup points that draw on it."""

from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from deliveries.network.models import PickupPoint
from marketplace.solidarity.errors import SolidarityRefused
from marketplace.solidarity.models import Fund, FundPoint, fund_settings_errors
from marketplace.solidarity.selectors.access import coordinates_fund, coordinates_point
from marketplace.solidarity.services.amounts import checked_euros, checked_percent

MAX_DAYS = 366


@dataclass(frozen=True)
class FundSettings:
    """What a coordinator sets: rates in percent, the reserve in euros, as typed or Decimals."""

    name: str
    rate_min: Decimal | str
    rate_max: Decimal | str
    rate_step: Decimal | str
    reserve: Decimal | str = "0"
    review_days: int = 7
    notice_days: int = 7
    trusts_declarations: bool = False


def _days(value, *, least: int) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if isinstance(value, bool) or not least <= days <= MAX_DAYS:
        raise SolidarityRefused(
            _("Enter a number of days between %(least)s and %(most)s.")
            % {"least": least, "most": MAX_DAYS}
        )
    return days


def _checked(settings: FundSettings, rate: Decimal | str | None) -> dict:
    """The fund's fields, once checked; ``rate`` None keeps the rate in force within the new
    bounds (the caller's business). Raises ``SolidarityRefused`` with every problem found."""
    name = (settings.name or "").strip()
    if not name:
        raise SolidarityRefused(_("Give the fund a name."))
    if len(name) > Fund._meta.get_field("name").max_length:
        raise SolidarityRefused(_("The fund's name is too long."))
    fields = {
        "name": name,
        "rate_min": checked_percent(settings.rate_min),
        "rate_max": checked_percent(settings.rate_max),
        "rate_step": checked_percent(settings.rate_step),
        "reserve": checked_euros(settings.reserve),
        "review_days": _days(settings.review_days, least=1),
        "notice_days": _days(settings.notice_days, least=0),
        "trusts_declarations": bool(settings.trusts_declarations),
    }
    if rate is not None:
        fields["rate"] = checked_percent(rate)
    errors = fund_settings_errors(
        rate_min=fields["rate_min"],
        rate_max=fields["rate_max"],
        rate_step=fields["rate_step"],
        rate=fields.get("rate", fields["rate_min"]),
        reserve=fields["reserve"],
    )
    if errors:
        raise SolidarityRefused(" ".join(dict.fromkeys(str(error) for error in errors.values())))
    return fields


def _free_slug(name: str) -> str:
    base = slugify(name)[:120] or "fund"
    slug, n = base, 1
    while Fund.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_fund(
    user, settings: FundSettings, pickup_points=(), *, starting_rate=None, now=None
) -> Fund:
    """A new fund, drawn on by ``pickup_points``. Staff may create one without points; a
    coordinator creates one for points they coordinate. Its rate starts at ``starting_rate``
    (within the bounds), or the lowest rate."""
    points = list(pickup_points)
    if not (user.is_authenticated and user.is_active):
        raise SolidarityRefused(_("Sign in to set up a solidarity fund."))
    if not user.is_staff and not points:
        raise SolidarityRefused(_("Choose the pickup points that will draw on the fund."))
    fields = _checked(settings, starting_rate)
    fields.setdefault("rate", fields["rate_min"])
    fund = Fund.objects.create(
        slug=_free_slug(fields["name"]), created_at=now or timezone.now(), **fields
    )
    _attach(user, fund, points, now or timezone.now())
    return fund


@transaction.atomic
def change_fund_settings(user, fund: Fund, settings: FundSettings) -> Fund:
    """New bounds, step, reserve or review periods for the fund: its coordinators and staff.
    The rate in force stays, brought within the new bounds if it falls outside them."""
    if not coordinates_fund(user, fund):
        raise SolidarityRefused(
            _("Only the coordinators of the fund's pickup points may change its settings.")
        )
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    fields = _checked(settings, None)
    fields["rate"] = min(max(fund.rate, fields["rate_min"]), fields["rate_max"])
    for name, value in fields.items():
        setattr(fund, name, value)
    fund.save(update_fields=list(fields))
    return fund


@transaction.atomic
def attach_pickup_points(user, fund: Fund, pickup_points, *, now=None) -> list[FundPoint]:
    """The points draw on the fund from now on; a point already drawing on another fund is
    refused (detach it there first). Attaching a point twice changes nothing."""
    if not coordinates_fund(user, fund):
        raise SolidarityRefused(
            _("Only the coordinators of the fund's pickup points may add points to it.")
        )
    return _attach(user, fund, list(pickup_points), now or timezone.now())


def _attach(user, fund: Fund, points: list[PickupPoint], now) -> list[FundPoint]:
    for point in points:
        if not coordinates_point(user, point):
            raise SolidarityRefused(
                _("You do not coordinate %(point)s: its coordinators may add it.")
                % {"point": point.name}
            )
    taken = {
        link.pickup_point_id: link.fund
        for link in FundPoint.objects.filter(pickup_point__in=points).select_related("fund")
    }
    for point in points:
        other = taken.get(point.pk)
        if other is not None and other.pk != fund.pk:
            raise SolidarityRefused(
                _("%(point)s already draws on the fund %(fund)s.")
                % {"point": point.name, "fund": other.name}
            )
    links = []
    for point in points:
        if point.pk in taken:
            continue
        try:
            with transaction.atomic():
                links.append(
                    FundPoint.objects.create(fund=fund, pickup_point=point, attached_at=now)
                )
        except IntegrityError:
            raise SolidarityRefused(
                _("%(point)s has just been added to another fund.") % {"point": point.name}
            ) from None
    return links


@transaction.atomic
def detach_pickup_point(user, fund: Fund, pickup_point: PickupPoint) -> None:
    """The point no longer draws on the fund (its entries stay in the fund's ledger)."""
    if not coordinates_fund(user, fund):
        raise SolidarityRefused(
            _("Only the coordinators of the fund's pickup points may remove points from it.")
        )
    removed = FundPoint.objects.filter(fund=fund, pickup_point=pickup_point).delete()[0]
    if not removed:
        raise SolidarityRefused(
            _("%(point)s does not draw on this fund.") % {"point": pickup_point.name}
        )
