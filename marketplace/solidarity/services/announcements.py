"""Emails that follow a fund's rate review: the new rate announced to the members it concerns
before it applies (in chunks of members, each its own task), the coordinators alerted when even the lowest rate would break the reserve,
and the members whose waiting request moved on when the fund reopened. Each once, even when a
worker dies mid-send (``send_each_once``); each email goes to one person and names nobody else.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone

from baskets.models import HOLDING_STATES
from deliveries.network.models import PickupPoint
from marketplace.core.emails import compose
from marketplace.core.sending import send_each_once
from marketplace.core.tasks import queue
from marketplace.solidarity.models import (
    MemberTier,
    RateReview,
    RequestState,
    SolidarityTier,
    Tier,
    TierRequest,
)

TIERS = (Tier.REDUCED, Tier.SUPPORTER)
# Members told per task: a task stays well within the workers' time limit whatever the fund.
MEMBERS_PER_TASK = 500


def announce_rate_review(review_id: int) -> int:
    """The review's new rate to each member on the reduced or supporter tier at its fund
    (subscriptions at its pickup points, à la carte tiers it pays), when the rate changes:
    queued in chunks of members (``announce_rate_to_members``). The alert to the fund's
    coordinators when it closed to new requests, sent here. Returns the alerts sent."""
    review = RateReview.objects.select_related("fund").filter(pk=review_id).first()
    if review is None:
        return 0
    if review.rate_after != review.rate_before:
        for chunk in member_chunks(review):
            queue("marketplace.solidarity.tasks.announce_rate_to_members", review.pk, chunk)
    if review.open_to_requests_after:
        return 0
    context = _context(review)
    alerts = [
        compose("solidarity/email/reserve_alert", context, [email])
        for email in _coordinator_emails(review.fund)
    ]
    sent = send_each_once({f"solidarity-reserve-alert:{review.pk}": alerts})
    return len(alerts) if sent else 0


def member_chunks(review: RateReview) -> list[list[int]]:
    """The members the review's new rate concerns, in chunks of ``MEMBERS_PER_TASK``."""
    ids = sorted(_members_concerned(review.fund))
    return [ids[i : i + MEMBERS_PER_TASK] for i in range(0, len(ids), MEMBERS_PER_TASK)]


def announce_rate_to_members(review_id: int, member_ids: list[int]) -> int:
    """The review's new rate to those of ``member_ids`` it still concerns, once each. One email
    per member, rendered once per kind of member (reduced tier, supporter or both) and addressed
    to them alone. Returns the emails sent."""
    review = RateReview.objects.select_related("fund").filter(pk=review_id).first()
    if review is None or review.rate_after == review.rate_before:
        return 0
    context = _context(review)
    rendered: dict[tuple[bool, bool], EmailMultiAlternatives] = {}
    messages = {}
    for member_id, (email, tiers) in sorted(_members_concerned(review.fund, member_ids).items()):
        kind = (Tier.REDUCED in tiers, Tier.SUPPORTER in tiers)
        if kind not in rendered:
            flags = {"is_reduced": kind[0], "is_supporter": kind[1]}
            rendered[kind] = compose("solidarity/email/rate_changed", {**context, **flags}, [email])
        messages[f"solidarity-rate:{review.pk}:{member_id}"] = [_addressed(rendered[kind], email)]
    return len(send_each_once(messages))


def _addressed(message: EmailMultiAlternatives, email: str) -> EmailMultiAlternatives:
    """The same message, to ``email`` alone."""
    copy = EmailMultiAlternatives(
        message.subject,
        message.body,
        from_email=message.from_email,
        to=[email],
        reply_to=message.reply_to,
    )
    for content, mimetype in message.alternatives:
        copy.attach_alternative(content, mimetype)
    return copy


def _context(review: RateReview) -> dict:
    fund = review.fund
    return {
        "fund": fund,
        "review": review,
        "rate_before": review.rate_before,
        "rate_after": review.rate_after,
        "applies_from": review.applies_from,
        "reason": review.reason,
        # as the review read them
        "reserve": Decimal(review.inputs.get("reserve", fund.reserve)),
        "rate_min": Decimal(review.inputs.get("rate_min", fund.rate_min)),
        "page_url": settings.SITE_URL + reverse("baskets:mine"),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }


def _members_concerned(fund, member_ids=None) -> dict[int, tuple[str, set[str]]]:
    """Member id -> (email, their tiers at the fund), among ``member_ids`` if given. Two
    queries."""
    concerned: dict[int, tuple[str, set[str]]] = {}
    subscriptions = SolidarityTier.objects.filter(
        tier__in=TIERS,
        subscription__pickup_point__solidarity_fund_point__fund=fund,
        subscription__state__in=HOLDING_STATES,
    )
    a_la_carte = MemberTier.objects.filter(fund=fund, tier__in=TIERS)
    if member_ids is not None:
        subscriptions = subscriptions.filter(subscription__member_id__in=member_ids)
        a_la_carte = a_la_carte.filter(member_id__in=member_ids)
    subscriptions = subscriptions.values_list(
        "subscription__member_id", "subscription__member__email", "tier"
    )
    a_la_carte = a_la_carte.values_list("member_id", "member__email", "tier")
    for member_id, email, tier in [*subscriptions, *a_la_carte]:
        if email:
            concerned.setdefault(member_id, (email, set()))[1].add(tier)
    return concerned


def _coordinator_emails(fund) -> list[str]:
    """The coordinators of the fund's points; a point without any is reached at its contact
    address."""
    coordinators = (
        get_user_model()
        .objects.filter(coordinated_pickup_points__solidarity_fund_point__fund=fund)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    contacts = (
        PickupPoint.objects.filter(solidarity_fund_point__fund=fund, coordinators__isnull=True)
        .exclude(contact_email="")
        .values_list("contact_email", flat=True)
    )
    return sorted({*coordinators, *contacts})


def tell_requests_moved_on(request_ids: list[int]) -> int:
    """Members whose reduced-tier request left the waiting list when their fund reopened: now
    approved, or now with the coordinators. Returns the emails sent."""
    templates = {
        RequestState.APPROVED: "solidarity/email/request_approved",
        RequestState.PENDING: "solidarity/email/request_with_coordinators",
    }
    requests = TierRequest.objects.filter(
        pk__in=request_ids, state__in=list(templates)
    ).select_related("member", "fund", "subscription__contract__plan")
    messages = {}
    for request in requests.order_by("pk"):
        if not request.member.email:
            continue
        context = {
            "request": request,
            "fund": request.fund,
            "subscription": request.subscription,
            "asked_on": timezone.localdate(request.created_at),
            "page_url": settings.SITE_URL + reverse("baskets:mine"),
            "shop_name": settings.OSCAR_SHOP_NAME,
        }
        key = f"solidarity-request-moved:{request.pk}:{request.state}"
        messages[key] = [compose(templates[request.state], context, [request.member.email])]
    return len(send_each_once(messages))
