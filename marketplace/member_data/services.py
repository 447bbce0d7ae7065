"""A member closes their account. One transaction: what is still to come is undone the normal
way (leaving the contracts not started, withdrawing from shifts, cancelling orders before their
cut-off, giving back baskets taken), or the account stays open and the member is told what to
do first; then the account is emptied rather than deleted, so that the orders, baskets and
pickup lists of past days, which the accounts and the producers need, stay whole and name them
"former member" (baskets/people.py)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from baskets.errors import PlaceRefused, TransferRefused
from baskets.models import (
    HOLDING_STATES,
    BasketDelivery,
    BasketTransfer,
    DeliveryStatus,
    Sharing,
    Subscription,
    SubscriptionState,
)
from baskets.services.subscriptions import leave_contract
from baskets.services.transfers import release_basket
from deliveries.distribution.errors import ShiftRefused
from deliveries.distribution.models import VolunteerShift
from deliveries.distribution.services.shifts import withdraw_from_shift
from deliveries.network.models import DayState, DistributionDay
from deliveries.network.services import cancel_order_before_cutoff
from marketplace.core.former_members import former_member_email, is_former_member_email
from marketplace.member_data.errors import AccountNotClosed
from marketplace.members.models import MemberProfile

Order = get_model("order", "Order")

# Oscar's records of a person that neither the accounts nor the pickup history need.
PERSONAL_RECORDS = (
    ("address", "UserAddress", "user"),
    ("customer", "ProductAlert", "user"),
    ("communication", "Email", "user"),
    ("communication", "Notification", "recipient"),
    ("communication", "Notification", "sender"),
    ("analytics", "UserRecord", "user"),
    ("analytics", "UserProductView", "user"),
    ("analytics", "UserSearch", "user"),
    ("reviews", "Vote", "user"),
    ("reviews", "ProductReview", "user"),
    ("wishlists", "WishList", "owner"),
    ("payment", "Bankcard", "user"),
    # What they declared to ask for a solidarity tier, and their tier à la carte: the fund's
    # ledger keeps the amounts, without these.
    ("solidarity", "TierRequest", "member"),
    ("solidarity", "MemberTier", "member"),
)


def _when(day: DistributionDay) -> str:
    return formats.date_format(timezone.localtime(day.starts_at), "l j F")


def _coming(prefix: str, now: datetime) -> Q:
    """Days not over yet, and not cancelled."""
    return Q(**{f"{prefix}ends_at__gt": now}) & ~Q(**{f"{prefix}state": DayState.CANCELLED})


def _leave_contracts(user, now: datetime) -> list[str]:
    reasons = []
    live = (
        Subscription.objects.filter(member=user)
        .exclude(state__in=(SubscriptionState.ENDED, SubscriptionState.CANCELLED))
        .select_related("contract__plan")
        .order_by("pk")
    )
    for subscription in live:
        try:
            leave_contract(user, subscription.pk, timezone.localdate(now))
        except PlaceRefused as error:
            reasons.append(
                _("%(contract)s: %(reason)s") % {"contract": subscription.contract, "reason": error}
            )
    Subscription.objects.filter(co_holder=user).update(co_holder=None, sharing=Sharing.ALONE)
    return reasons


def _undo_each_day(rows, undo, refused: type[Exception], reason: str) -> list[str]:
    """``undo(row)`` for each row of a coming day; where it is refused, ``reason`` about that
    day (``%(day)s``, ``%(point)s``) says what the member must do first."""
    reasons = []
    for row in rows:
        try:
            undo(row)
        except refused:
            day = row.distribution_day
            reasons.append(reason % {"day": _when(day), "point": day.pickup_point.name})
    return reasons


def _give_back_baskets_taken(user, now: datetime) -> list[str]:
    taken = BasketTransfer.objects.filter(_coming("distribution_day__", now), claimed_by=user)
    return _undo_each_day(
        taken.select_related("distribution_day__pickup_point"),
        lambda transfer: release_basket(user, transfer.pk, now),
        TransferRefused,
        _(
            "You took a basket to collect on %(day)s at %(point)s: collect it first "
            "or ask the coordinator."
        ),
    )


def _withdraw_from_shifts(user, now: datetime) -> list[str]:
    shifts = VolunteerShift.objects.filter(
        _coming("distribution_day__", now), volunteer=user, released_at__isnull=True
    )
    return _undo_each_day(
        shifts.select_related("distribution_day__pickup_point"),
        lambda shift: withdraw_from_shift(user, shift.distribution_day_id, now),
        ShiftRefused,
        _(
            "You volunteer on %(day)s at %(point)s and it is too late to withdraw: "
            "run it first or ask the coordinator."
        ),
    )


def _cancel_orders(user, now: datetime) -> list[str]:
    reasons = []
    orders = (
        Order.objects.filter(_coming("pickup__distribution_day__", now), user=user)
        .exclude(status="cancelled")
        .exclude(pickup__handover__collected_at__isnull=False)
        .select_related("pickup__distribution_day__pickup_point")
        .order_by("pk")
    )
    for order in orders:
        day = order.pickup.distribution_day
        if day.cutoff_at <= now:
            reasons.append(
                _(
                    "Order %(number)s, to collect on %(day)s at %(point)s, is past its cut-off: "
                    "collect it first or ask the coordinator."
                )
                % {"number": order.number, "day": _when(day), "point": day.pickup_point.name}
            )
        else:
            cancel_order_before_cutoff(user, order.number)
    return reasons


def _baskets_still_to_collect(user, now: datetime, blocked: set[int]) -> list[str]:
    """Baskets already prepared for the member (they stay theirs after leaving a contract)."""
    baskets = (
        BasketDelivery.objects.filter(
            _coming("distribution_day__", now),
            subscription__member=user,
            status=DeliveryStatus.TO_COLLECT,
        )
        .exclude(subscription_id__in=blocked)
        .exclude(handover__collected_at__isnull=False)
        .select_related("distribution_day__pickup_point")
        .order_by("distribution_day__starts_at")
    )
    return [
        _(
            "Your basket of %(day)s at %(point)s is already prepared: collect it first or ask "
            "the coordinator."
        )
        % {
            "day": _when(basket.distribution_day),
            "point": basket.distribution_day.pickup_point.name,
        }
        for basket in baskets
    ]


def _empty_account(user, now: datetime) -> None:
    user.first_name = user.last_name = ""
    user.email = former_member_email(user.pk)
    if hasattr(user, "username"):
        user.username = f"closed-{user.pk}"
    user.set_unusable_password()
    user.is_active = user.is_staff = user.is_superuser = False
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    for relation in (
        "coordinated_pickup_points",
        "volunteer_pickup_points",
        "coordinated_contracts",
        "partners",
    ):
        getattr(user, relation).clear()
    MemberProfile.objects.update_or_create(user=user, defaults={"phone": "", "deleted_at": now})
    for app_label, model_name, field in PERSONAL_RECORDS:
        try:
            model = get_model(app_label, model_name)
        except LookupError:  # an Oscar app the site does without
            continue
        model.objects.filter(**{field: user}).delete()
    cart = get_model("basket", "Basket")
    cart.objects.filter(owner=user).exclude(status=cart.SUBMITTED).delete()
    # Orders keep their lines and amounts; a pickup order has no address, but an order from
    # elsewhere (the admin, an import) may.
    orders = Order.objects.filter(user=user)
    addresses = list(orders.values_list("shipping_address_id", "billing_address_id"))
    orders.update(guest_email="", shipping_address=None, billing_address=None)
    get_model("order", "ShippingAddress").objects.filter(
        pk__in=[shipping for shipping, _billing in addresses if shipping]
    ).delete()
    get_model("order", "BillingAddress").objects.filter(
        pk__in=[billing for _shipping, billing in addresses if billing]
    ).delete()


@transaction.atomic
def close_account(user, now: datetime | None = None) -> None:
    """The member closes their account, or learns what to do first (``AccountNotClosed``,
    nothing changed). Running it again on a closed account changes nothing."""
    now = now or timezone.now()
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    if is_former_member_email(user.email):
        return
    reasons = _leave_contracts(user, now)
    blocked = set(
        Subscription.objects.filter(member=user, state__in=HOLDING_STATES).values_list(
            "pk", flat=True
        )
    )
    reasons += _give_back_baskets_taken(user, now)
    reasons += _withdraw_from_shifts(user, now)
    reasons += _cancel_orders(user, now)
    reasons += _baskets_still_to_collect(user, now, blocked)
    if reasons:
        raise AccountNotClosed(reasons)
    _empty_account(user, now)
