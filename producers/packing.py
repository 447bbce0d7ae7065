"""Packing lists: what each producer brings to a distribution day, in total and per member.

Built when the day's orders close (the cut-off task), shown in the producer's space and emailed
to the producer as PDF and CSV. The lines are read from the day's orders, which no longer change
once the day is closed; reading every producer's list of a day takes three queries.
"""

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from deliveries.network.models import DayState, DistributionDay
from marketplace.core.csv import csv_text
from marketplace.core.emails import compose
from marketplace.core.former_members import former_member_name, is_former_member_email
from marketplace.core.pdf import a4_document
from marketplace.core.sending import send_once
from producers.models import PackingList, Producer, Unit
from producers.selectors import lines_to_bring

ROWS_PER_TABLE = 40


@dataclass
class PackedProduct:
    title: str
    unit: str
    quantity: int = 0


@dataclass
class MemberPack:
    """One member's share, to label their bag or crate."""

    name: str
    email: str
    order_number: str
    items: list[PackedProduct] = field(default_factory=list)


@dataclass
class PackingListData:
    producer: Producer
    day: DistributionDay
    products: list[PackedProduct] = field(default_factory=list)
    members: list[MemberPack] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return f"colisage-{slugify(self.day.pickup_point.name)}-{self.day.date:%Y-%m-%d}"


def _unit_label(code: str | None) -> str:
    return str(Unit(code).label) if code in Unit.values else ""


def packing_lists_for_day(day_id: int, producer_ids=None) -> list[PackingListData]:
    """Every producer's packing list for a day (only producers with something to bring)."""
    day = DistributionDay.objects.select_related("pickup_point").get(pk=day_id)
    lines = (
        lines_to_bring(order__pickup__distribution_day_id=day_id)
        .order_by("order__number", "title", "pk")
        .values_list(
            "partner_id",
            "product_id",
            "title",
            "quantity",
            "product__sheet__unit",
            "order__number",
            "order__guest_email",
            "order__user__email",
            "order__user__first_name",
            "order__user__last_name",
        )
    )
    by_partner: dict[int, list[tuple]] = defaultdict(list)
    for row in lines:
        by_partner[row[0]].append(row)
    producers = Producer.objects.filter(partner_id__in=by_partner)
    if producer_ids is not None:
        producers = producers.filter(pk__in=producer_ids)
    return [
        _build(producer, day, by_partner[producer.partner_id])
        for producer in producers.order_by("name")
    ]


def packing_list_for(producer: Producer, day_id: int) -> PackingListData | None:
    lists = packing_lists_for_day(day_id, producer_ids=[producer.pk])
    return lists[0] if lists else None


def _build(producer: Producer, day: DistributionDay, rows: list[tuple]) -> PackingListData:
    packing = PackingListData(producer=producer, day=day)
    totals: dict[tuple, PackedProduct] = {}
    members: dict[str, MemberPack] = {}
    for _partner, product_id, title, quantity, unit, number, email, user_email, first, last in rows:
        unit_label = _unit_label(unit)
        total = totals.setdefault((product_id, title), PackedProduct(title, unit_label))
        total.quantity += quantity
        member = members.get(number)
        if member is None:
            name = f"{first or ''} {last or ''}".strip() or user_email or email
            if is_former_member_email(user_email):
                name, user_email = former_member_name(), ""
            member = members[number] = MemberPack(name, user_email or email, number)
        member.items.append(PackedProduct(title, unit_label, quantity))
    packing.products = sorted(totals.values(), key=lambda p: p.title.lower())
    packing.members = sorted(members.values(), key=lambda m: (m.name.lower(), m.order_number))
    return packing


def as_csv(packing: PackingListData) -> str:
    """One row per member and product, to label; spreadsheets sum them per product."""
    header = [
        _("Distribution day"),
        _("Pickup point"),
        _("Member"),
        _("Email"),
        _("Order"),
        _("Product"),
        _("Quantity"),
        _("Unit"),
    ]
    when = formats.date_format(timezone.localtime(packing.day.starts_at), "Y-m-d H:i")
    rows = (
        [
            when,
            packing.day.pickup_point.name,
            member.name,
            member.email,
            member.order_number,
            item.title,
            item.quantity,
            item.unit,
        ]
        for member in packing.members
        for item in member.items
    )
    return csv_text([header, *rows])


def as_pdf(packing: PackingListData) -> bytes:
    """A printable list: totals per product first, then one block per member for labels."""
    from reportlab.lib import colors
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import (
        Paragraph,
        Spacer,
        Table,
        TableStyle,
    )

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    point = packing.day.pickup_point
    title = _("Packing list")
    document = a4_document(buffer, f"{title} – {packing.producer.name}")
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f0e3")),
            ("ALIGN", (1, 1), (1, -1), "RIGHT"),
        ]
    )
    when = formats.date_format(timezone.localtime(packing.day.starts_at), "l j F Y, H:i")
    story = [
        Paragraph(f"{title} – {_escape(packing.producer.name)}", styles["Title"]),
        Paragraph(f"{_escape(point.name)} — {when}", styles["Heading2"]),
        Paragraph(_escape(f"{point.address}, {point.postcode} {point.town}"), styles["Normal"]),
        Spacer(1, 0.5 * cm),
        Paragraph(_("Quantities per product"), styles["Heading3"]),
        Table(
            [[_("Product"), _("Quantity"), _("Unit")]]
            + [[p.title, p.quantity, p.unit] for p in packing.products],
            colWidths=[11 * cm, 3 * cm, 3 * cm],
            style=grid,
            repeatRows=1,
        ),
        Spacer(1, 0.5 * cm),
        Paragraph(_("Per member"), styles["Heading3"]),
    ]
    # Members in tables of about a page each: a shaded row with the member's name and order,
    # then their products (a table per member, or one huge table, lays out many times slower).
    header = [_("Product"), _("Quantity"), _("Unit")]
    rows, commands = [header], list(grid.getCommands())
    for member in packing.members:
        if len(rows) > ROWS_PER_TABLE:
            story.append(_member_table(rows, commands))
            rows, commands = [header], list(grid.getCommands())
        commands += [
            ("SPAN", (0, len(rows)), (-1, len(rows))),
            ("BACKGROUND", (0, len(rows)), (-1, len(rows)), colors.HexColor("#f3f3f3")),
            ("FONTNAME", (0, len(rows)), (-1, len(rows)), "Helvetica-Bold"),
        ]
        rows.append([f"{member.name} — {_('Order')} {member.order_number}", "", ""])
        rows += [[i.title, i.quantity, i.unit] for i in member.items]
    story.append(_member_table(rows, commands))
    document.build(story)
    return buffer.getvalue()


def _member_table(rows, commands):
    from reportlab.lib.units import cm
    from reportlab.platypus import Table, TableStyle

    return Table(
        rows, colWidths=[11 * cm, 3 * cm, 3 * cm], style=TableStyle(commands), repeatRows=1
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def days_missing_packing_lists(within=timedelta(days=2)) -> list[int]:
    """Days closed for orders in the last two days with something to bring but no packing list
    (the task that should have built them was lost)."""
    to_bring = lines_to_bring(order__pickup__distribution_day=OuterRef("pk"))
    return list(
        DistributionDay.objects.filter(
            Exists(to_bring),
            state=DayState.CLOSED,
            cutoff_at__gte=timezone.now() - within,
        )
        .exclude(Exists(PackingList.objects.filter(distribution_day=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )


def build_packing_lists(day_id: int) -> list[int]:
    """Record the packing lists of a closed day and email each producer theirs, once.

    Idempotent: lists already recorded are kept, lists already emailed are not sent again.
    Returns the ids of the lists emailed by this run.
    """
    lists = packing_lists_for_day(day_id)
    PackingList.objects.bulk_create(
        [PackingList(producer=p.producer, distribution_day_id=day_id) for p in lists],
        ignore_conflicts=True,
    )
    sent = []
    for packing in lists:
        packing_list_id = _email_once(packing)
        if packing_list_id is not None:
            sent.append(packing_list_id)
    return sent


def _email_once(packing: PackingListData) -> int | None:
    """Email one packing list unless it was already, at most once even when a worker dies
    mid-send (``send_once``: two workers at once send it once; a re-run after a crash logs that
    it may not have been sent). Returns the list's id if this run sent it."""
    record = (
        PackingList.objects.filter(
            producer=packing.producer, distribution_day=packing.day, emailed_at=None
        )
        .order_by("pk")
        .first()
    )
    if record is None:
        return None
    recipients = producer_recipients(packing.producer)
    with send_once(f"packing-list:{record.pk}") as sending:
        if sending and recipients:
            with translation.override(settings.LANGUAGE_CODE):
                _packing_email(packing, recipients).send()
    PackingList.objects.filter(pk=record.pk, emailed_at=None).update(emailed_at=timezone.now())
    return record.pk if sending else None


def producer_recipients(producer: Producer) -> list[str]:
    emails = [producer.contact_email] if producer.contact_email else []
    for email in producer.partner.users.exclude(email="").values_list("email", flat=True):
        if email not in emails:
            emails.append(email)
    return emails


def _packing_email(packing: PackingListData, recipients: list[str]) -> EmailMultiAlternatives:
    context = {
        "packing": packing,
        "point": packing.day.pickup_point,
        "starts_at": timezone.localtime(packing.day.starts_at),
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    attachments = [
        (f"{packing.filename}.pdf", as_pdf(packing), "application/pdf"),
        (f"{packing.filename}.csv", as_csv(packing), "text/csv"),
    ]
    return compose("producers/email/packing_list", context, recipients, attachments=attachments)
