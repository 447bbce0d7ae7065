"""Everything we hold about a member, as they download it: JSON with each part, and a CSV of
their orders and baskets for a spreadsheet. Other members appear by name only where the member
chose them (a co-holder, the person a basket was given to). A fixed number of queries."""

import json
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from baskets.models import BasketDelivery, BasketTransfer, Subscription
from baskets.people import person_name
from deliveries.distribution.models import VolunteerShift
from marketplace.core.csv import csv_text
from marketplace.members.models import MemberProfile
from marketplace.payments.models import MEMBER_BALANCE_KINDS, LedgerEntry
from marketplace.solidarity.models import MemberTier, Pledge, SolidarityTier, TierRequest

Order = get_model("order", "Order")
Line = get_model("order", "Line")

FORMAT_VERSION = 1


def _when(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _money(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"


def _collected_at(pickup) -> datetime | None:
    """When a basket or an order was handed over (its handover, if the list had one)."""
    handover = getattr(pickup, "handover", None)
    return handover.collected_at if handover is not None else None


def member_orders(user) -> list:
    return list(
        Order.objects.filter(user=user)
        .select_related("pickup__distribution_day__pickup_point", "pickup__handover")
        .prefetch_related(Prefetch("lines", queryset=Line.objects.order_by("pk")))
        .order_by("date_placed", "pk")
    )


def member_subscriptions(user) -> list[Subscription]:
    return list(
        Subscription.objects.filter(member=user)
        .select_related("contract__plan__producer", "pickup_point", "co_holder")
        .prefetch_related(
            "absences",
            "transfers__distribution_day",
            "transfers__claimed_by",
            "choices__product",
            "choices__distribution_day",
            Prefetch(
                "deliveries",
                queryset=BasketDelivery.objects.select_related(
                    "distribution_day", "handover"
                ).order_by("distribution_day__starts_at"),
            ),
        )
        .order_by("created_at", "pk")
    )


def _order(order) -> dict:
    pickup = getattr(order, "pickup", None)
    day = pickup.distribution_day if pickup else None
    return {
        "number": order.number,
        "placed_at": _when(order.date_placed),
        "status": order.status,
        "total_incl_tax": _money(order.total_incl_tax),
        "currency": order.currency,
        "distribution_day": _day(day.date) if day else None,
        "pickup_point": day.pickup_point.name if day else None,
        "collected_at": _when(_collected_at(pickup)) if pickup else None,
        "lines": [
            {
                "product": line.title,
                "quantity": line.quantity,
                "unit_price_incl_tax": _money(line.unit_price_incl_tax),
                "line_price_incl_tax": _money(line.line_price_incl_tax),
                "status": line.status,
            }
            for line in order.lines.all()
        ],
    }


def _subscription(subscription: Subscription) -> dict:
    contract = subscription.contract
    return {
        "contract": contract.name,
        "plan": contract.plan.name,
        "producer": contract.plan.producer.name,
        "pickup_point": subscription.pickup_point.name,
        "baskets_per_delivery": subscription.quantity,
        "state": subscription.state,
        "sharing": subscription.sharing,
        "co_holder": person_name(subscription.co_holder) or None,
        "terms_agreed_at": _when(subscription.agreed_at),
        "created_at": _when(subscription.created_at),
        "first_delivery_on": _day(subscription.first_delivery_on),
        "last_delivery_on": _day(subscription.last_delivery_on),
        "absences": [
            {"kind": absence.kind, "from": _day(absence.starts_on), "until": _day(absence.ends_on)}
            for absence in subscription.absences.all()
        ],
        "baskets_given": [
            {
                "distribution_day": _day(transfer.distribution_day.date),
                "given": transfer.kind,
                "recipient": transfer.recipient_name or person_name(transfer.claimed_by) or None,
                "created_at": _when(transfer.created_at),
            }
            for transfer in subscription.transfers.all()
        ],
        "choices": [
            {
                "distribution_day": _day(choice.distribution_day.date)
                if choice.distribution_day
                else None,
                "product": choice.product.title,
                "quantity": choice.quantity,
            }
            for choice in subscription.choices.all()
        ],
        "basket_deliveries": [
            {
                "distribution_day": _day(delivery.distribution_day.date),
                "baskets": delivery.quantity,
                "price": _money(delivery.price),
                "status": delivery.status,
                "collected_at": _when(_collected_at(delivery)),
            }
            for delivery in subscription.deliveries.all()
        ],
    }


def _payments(user) -> list[dict]:
    """The member's lines of the ledger: what they owed, paid and were refunded (a positive
    amount is owed, a negative one paid)."""
    entries = (
        LedgerEntry.objects.filter(member=user, kind__in=MEMBER_BALANCE_KINDS)
        .select_related("producer", "subscription__contract__plan", "order")
        .order_by("created_at", "pk")
    )
    return [
        {
            "written_at": _when(entry.created_at),
            "kind": entry.kind,
            "amount": _money(entry.amount),
            "method": entry.method,
            "producer": entry.producer.name,
            "contract": entry.subscription and str(entry.subscription.contract),
            "order": entry.order and entry.order.number,
            "reference": entry.reference,
        }
        for entry in entries
    ]


def _tier(choice) -> dict:
    return {
        "tier": choice.get_tier_display(),
        "supporter_percent": _money(choice.supporter_percent),
        "supporter_amount": _money(choice.supporter_amount),
    }


def _solidarity(user) -> dict:
    """The member's solidarity tiers, their requests (with what they declared) and pledges."""
    tiers = SolidarityTier.objects.filter(subscription__member=user).select_related(
        "subscription__contract__plan"
    )
    a_la_carte = MemberTier.objects.filter(member=user).select_related("fund").first()
    requests = TierRequest.objects.filter(member=user).select_related(
        "subscription__contract__plan", "fund"
    )
    pledges = Pledge.objects.filter(subscription__member=user).select_related(
        "round__contract__plan"
    )
    return {
        "tiers": [
            {
                "plan": tier.subscription.contract.plan.name,
                "since": _when(tier.since),
                **_tier(tier),
            }
            for tier in tiers
        ],
        "tier_a_la_carte": (
            {"fund": a_la_carte.fund.name, "since": _when(a_la_carte.since), **_tier(a_la_carte)}
            if a_la_carte
            else None
        ),
        "requests": [
            {
                "fund": request.fund.name,
                "plan": request.subscription.contract.plan.name if request.subscription else None,
                **_tier(request),
                "declaration": request.declaration,
                "state": request.get_state_display(),
                "asked_at": _when(request.created_at),
                "decided_at": _when(request.decided_at),
                "answer": request.answer,
            }
            for request in requests
        ],
        "pledges": [
            {
                "plan": pledge.round.contract.plan.name,
                "round": pledge.round.number,
                "per_basket": _money(pledge.amount),
                "pledged_at": _when(pledge.created_at),
            }
            for pledge in pledges
        ],
    }


def member_data(user) -> dict:
    """Everything about the member, as plain JSON values (dates in ISO 8601, Paris time;
    amounts as strings, in euros)."""
    profile = MemberProfile.objects.filter(user=user).first()
    orders = member_orders(user)
    subscriptions = member_subscriptions(user)
    taken = (
        BasketTransfer.objects.filter(claimed_by=user)
        .select_related("distribution_day__pickup_point", "subscription__contract__plan")
        .order_by("distribution_day__starts_at")
    )
    shared = Subscription.objects.filter(co_holder=user).select_related(
        "contract__plan", "pickup_point", "member"
    )
    shifts = (
        VolunteerShift.objects.filter(volunteer=user)
        .select_related("distribution_day__pickup_point")
        .order_by("distribution_day__starts_at")
    )
    collected = [
        {
            "distribution_day": _day(order.pickup.distribution_day.date),
            "what": _("Order %(number)s") % {"number": order.number},
            "collected_at": _when(_collected_at(order.pickup)),
        }
        for order in orders
        if getattr(order, "pickup", None) and _collected_at(order.pickup)
    ] + [
        {
            "distribution_day": _day(delivery.distribution_day.date),
            "what": subscription.contract.plan.name,
            "collected_at": _when(_collected_at(delivery)),
        }
        for subscription in subscriptions
        for delivery in subscription.deliveries.all()
        if _collected_at(delivery)
    ]
    return {
        "format": FORMAT_VERSION,
        "exported_at": _when(timezone.now()),
        "profile": {
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "phone": profile.phone if profile else "",
            "date_joined": _when(user.date_joined),
            "last_login": _when(user.last_login),
        },
        "orders": [_order(order) for order in orders],
        "subscriptions": [_subscription(subscription) for subscription in subscriptions],
        "shared_subscriptions": [
            {
                "contract": f"{subscription.contract.plan.name} – {subscription.contract.name}",
                "pickup_point": subscription.pickup_point.name,
                "holder": person_name(subscription.member),
                "sharing": subscription.sharing,
            }
            for subscription in shared
        ],
        "baskets_taken": [
            {
                "distribution_day": _day(transfer.distribution_day.date),
                "pickup_point": transfer.distribution_day.pickup_point.name,
                "plan": transfer.subscription.contract.plan.name,
                "taken_at": _when(transfer.claimed_at),
            }
            for transfer in taken
        ],
        "volunteer_shifts": [
            {
                "distribution_day": _day(shift.distribution_day.date),
                "pickup_point": shift.distribution_day.pickup_point.name,
                "signed_up_at": _when(shift.created_at),
                "released_at": _when(shift.released_at),
            }
            for shift in shifts
        ],
        "collected": sorted(collected, key=lambda item: item["collected_at"]),
        "payments": _payments(user),
        "solidarity": _solidarity(user),
    }


def member_data_json(user) -> str:
    return json.dumps(member_data(user), ensure_ascii=False, indent=2)


def member_data_csv(user) -> str:
    """The member's orders and basket deliveries, one row each, by distribution day."""
    rows = []
    for order in member_orders(user):
        pickup = getattr(order, "pickup", None)
        day = pickup.distribution_day if pickup else None
        rows.append(
            (
                day.starts_at if day else order.date_placed,
                [
                    _day(day.date) if day else "",
                    day.pickup_point.name if day else "",
                    _("order"),
                    order.number,
                    ", ".join(f"{line.quantity} × {line.title}" for line in order.lines.all()),
                    sum(line.quantity for line in order.lines.all()),
                    _money(order.total_incl_tax),
                    order.status,
                    _when(_collected_at(pickup)) if pickup else "",
                ],
            )
        )
    for subscription in member_subscriptions(user):
        for delivery in subscription.deliveries.all():
            day = delivery.distribution_day
            rows.append(
                (
                    day.starts_at,
                    [
                        _day(day.date),
                        subscription.pickup_point.name,
                        _("basket"),
                        str(subscription.contract),
                        subscription.contract.plan.name,
                        delivery.quantity,
                        _money(delivery.price),
                        delivery.get_status_display(),
                        _when(_collected_at(delivery)) or "",
                    ],
                )
            )
    header = [
        _("Distribution day"),
        _("Pickup point"),
        _("Kind"),
        _("Reference"),
        _("What"),
        _("Quantity"),
        _("Amount (€)"),
        _("Status"),
        _("Collected at"),
    ]
    return csv_text([header, *(row for _moment, row in sorted(rows, key=lambda item: item[0]))])
