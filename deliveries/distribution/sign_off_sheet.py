"""The sign-off sheet (feuille d'émargement) of a distribution day: the pickup list on paper,
for when the phones fail and for the point's records. Households by name, what to hand each
one, a box to sign or tick; and the same lines as CSV for a spreadsheet.

Emailed to the pickup point's coordinators the day before (beat, hourly), once, and downloadable
by whoever may run the pickup list. Laid out like the other printed documents
(``marketplace.core.pdf.a4_document``, reportlab's Helvetica) but in small type and tight cells: a
distribution of 60 households fits on two pages.
"""

import io
import logging
from datetime import datetime, timedelta
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Sum
from django.utils import formats, timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from baskets.models import BasketDelivery
from deliveries.distribution.names import sort_key
from deliveries.distribution.selectors.pickup_list import (
    HandoverLine,
    PickupList,
    pickup_list,
    prepare_handovers,
)
from deliveries.network.models import DayState, DistributionDay
from marketplace.core.csv import csv_text
from marketplace.core.emails import compose
from marketplace.core.pdf import a4_document, build_with_footer
from marketplace.core.sending import send_once

logger = logging.getLogger(__name__)

SEND_AHEAD = timedelta(hours=36)
LEADING = 8.4
SHADE = "#e8f0e3"  # the packing lists' header green
STRIPE = "#f6f6f6"
DETAILS_COLOUR = "#444444"


def sign_off_sheet_pdf(day: DistributionDay) -> bytes:
    """The day's sign-off sheet as an A4 PDF, in the active language."""
    return _pdf(day_sheet(day))


def sign_off_sheet_csv(day: DistributionDay) -> str:
    """One row per thing to hand over; starts with a BOM so that Excel reads it as UTF-8."""
    return _csv(day_sheet(day))


def day_sheet(day: DistributionDay) -> PickupList:
    """The day's pickup list as it stands: baskets claimed and orders placed since the list
    was last opened join it, unless the day is closed."""
    if day.closed_at is None:
        prepare_handovers(day)
    sheet = pickup_list(day)
    sheet.households.sort(key=lambda household: sort_key(household.name))
    return sheet


def sheet_filename(day: DistributionDay) -> str:
    return f"emargement-{slugify(day.pickup_point.name)}-{day.date:%Y-%m-%d}"


def sheet_counts(sheet: PickupList) -> dict[str, int]:
    """Households, baskets and orders on the sheet. Baskets by quantity ("2 × Petit panier" is
    two, as the producer brings them); one query when the sheet has baskets."""
    lines = sheet.lines
    deliveries = [line.handover.basket_delivery_id for line in lines if line.kind == "basket"]
    baskets = 0
    if deliveries:
        on_sheet = BasketDelivery.objects.filter(pk__in=deliveries)
        baskets = on_sheet.aggregate(total=Sum("quantity"))["total"]
    return {
        "households": len(sheet.households),
        "baskets": baskets,
        "orders": len(lines) - len(deliveries),
    }


def send_sign_off_sheets(now: datetime | None = None) -> int:
    """Email the sign-off sheet (PDF and CSV) of each distribution starting within 36 hours to
    its pickup point's coordinators, once per day. A day whose point has no coordinator with an
    email is left for a later run. Returns how many days' sheets were sent."""
    now = now or timezone.now()
    due = (
        DistributionDay.objects.filter(
            starts_at__gt=now, starts_at__lte=now + SEND_AHEAD, sign_off_sheet_sent_at=None
        )
        .exclude(state=DayState.CANCELLED)
        .select_related("pickup_point")
        .order_by("starts_at", "pk")
    )
    sent = 0
    for day in due:
        recipients = coordinator_emails(day)
        if not recipients:
            continue
        try:
            sent += _email_once(day, recipients, now)
        except Exception:
            # One day's failure (a refused address) must not hold back the others; the next
            # hourly run tries it again.
            logger.exception("Sign-off sheet of distribution day %s not sent.", day.pk)
    return sent


def coordinator_emails(day: DistributionDay) -> list[str]:
    emails = (
        day.pickup_point.coordinators.filter(is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )
    return list(dict.fromkeys(emails))


def _email_once(day: DistributionDay, recipients: list[str], now: datetime) -> bool:
    with translation.override(settings.LANGUAGE_CODE):
        message = _sheet_email(day, day_sheet(day), recipients)
    # Built first, then sent once (``send_once``): two runs at once both build, one sends; a
    # run after a worker died mid-send sends nothing more and logs it may not have been sent.
    with send_once(f"sign-off-sheet:{day.pk}") as sending:
        if sending:
            message.send()
    DistributionDay.objects.filter(pk=day.pk, sign_off_sheet_sent_at=None).update(
        sign_off_sheet_sent_at=now
    )
    return sending


def _sheet_email(
    day: DistributionDay, sheet: PickupList, recipients: list[str]
) -> EmailMultiAlternatives:
    context = {
        "point": day.pickup_point,
        "starts_at": _wall_clock(day.starts_at),
        "ends_at": _wall_clock(day.ends_at),
        "shop_name": settings.OSCAR_SHOP_NAME,
        **sheet_counts(sheet),
    }
    filename = sheet_filename(day)
    attachments = [
        (f"{filename}.pdf", _pdf(sheet), "application/pdf"),
        (f"{filename}.csv", _csv(sheet), "text/csv"),
    ]
    return compose("deliveries/email/sign_off_sheet", context, recipients, attachments=attachments)


def _csv(sheet: PickupList) -> str:
    header = [_("Name"), _("Item"), _("For whom"), _("Details"), _("Collected")]
    rows = (
        [
            household.name,
            line.title,
            line.for_whom,
            ", ".join(line.details),
            _("yes") if line.is_collected else _("no"),
        ]
        for household in sheet.households
        for line in household.lines
    )
    return csv_text([header, *rows])


def _pdf(sheet: PickupList) -> bytes:
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph

    day, point = sheet.day, sheet.day.pickup_point
    starts_at, ends_at = _wall_clock(day.starts_at), _wall_clock(day.ends_at)
    styles = getSampleStyleSheet()
    cell = ParagraphStyle("sign-off-cell", parent=styles["Normal"], fontSize=8, leading=LEADING)
    heading = ParagraphStyle(
        "sign-off-title",
        parent=styles["Title"],
        fontSize=12,
        leading=14,
        alignment=0,
        spaceAfter=2,
    )
    info = ParagraphStyle("sign-off-info", parent=cell, fontSize=8.5, leading=10, spaceAfter=3)
    title = _("Sign-off sheet")
    when = _("%(date)s, %(start)s–%(end)s") % {
        "date": formats.date_format(starts_at, "l j F Y"),
        "start": formats.time_format(starts_at, "H:i"),
        "end": formats.time_format(ends_at, "H:i"),
    }
    counts = _("Households: %(households)s · Baskets: %(baskets)s · Orders: %(orders)s") % (
        sheet_counts(sheet)
    )
    buffer = io.BytesIO()
    document = a4_document(buffer, f"{title} – {point.name} – {day.date:%d/%m/%Y}")
    story = [
        Paragraph(f"{escape(title)} – {escape(point.name)}", heading),
        Paragraph(
            f"<b>{escape(when)}</b> · " + escape(f"{point.address}, {point.postcode} {point.town}"),
            info,
        ),
        Paragraph(escape(counts), info),
    ]
    if sheet.households:
        story.append(_households_table(sheet, cell, document.width))
    else:
        story.append(Paragraph(escape(_("Nothing to hand over on this day.")), info))
    footer = f"{settings.OSCAR_SHOP_NAME} – {title} – {point.name}, {day.date:%d/%m/%Y}"

    build_with_footer(document, story, footer)
    return buffer.getvalue()


def _households_table(sheet: PickupList, cell, width: float):
    """One row per household, the headings repeated on each page. One table even for hundreds
    of households: measured, 400 of them lay out as fast as in tables of 30 or 60 rows."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Table

    name = ParagraphStyle("sign-off-name", parent=cell, fontName="Helvetica-Bold")
    header = [_("Household"), _("To hand over"), _("Signature")]
    columns = [3.5 * cm, width - 5.7 * cm, 2.2 * cm]
    style = [
        # Plain cells too (the empty box): the table's default 10 pt would make rows taller.
        ("FONT", (0, 0), (-1, -1), "Helvetica", 8, LEADING),
        ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8, LEADING),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(SHADE)),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor(STRIPE)]),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    rows = [
        [
            Paragraph(escape(household.name), name),
            Paragraph("<br/>".join(_line_markup(line) for line in household.lines), cell),
            "",
        ]
        for household in sheet.households
    ]
    return Table([header, *rows], colWidths=columns, style=style, repeatRows=1)


def _line_markup(line: HandoverLine) -> str:
    """“2 × Petit panier for Chloé D.: Carottes 1.5 kg, Poireaux 1 kg”, the details small."""
    text = escape(line.title)
    if line.for_whom:
        text += f" <i>{escape(_('for %(name)s') % {'name': line.for_whom})}</i>"
    if line.details:
        details = escape(", ".join(line.details))
        text += f": <font size='7' color='{DETAILS_COLOUR}'>{details}</font>"
    return text


def _wall_clock(moment: datetime) -> datetime:
    """On the clock of the shop (Europe/Paris), whatever zone is active."""
    return timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
