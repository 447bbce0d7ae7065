"""The printable summary of a member's subscription: what they signed up for, where and when
they collect, what the season costs and what they committed to.

Built like the packing lists (``producers.packing.as_pdf``): reportlab's platypus with its
standard Helvetica styles, A4, 1.5 cm margins. Texts go through gettext and dates through the
active language's formats, so the site's French comes out once the catalogue has it. A season
of a year of weekly deliveries still fits on two pages: the dates are laid out in columns.
"""

import io
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from baskets.models import ContractKind, Sharing, Subscription
from baskets.services import contract_delivery_dates
from baskets.services.choices import choice_total, unit_prices
from marketplace.core.pdf import a4_document, build_with_footer

Product = get_model("catalogue", "Product")

DATE_COLUMNS = 5
# "mar 1 déc. 2026" in French, "Tue 1 Dec. 2026" in English.
DELIVERY_DATE_FORMAT = "D j N Y"
SHADE = "#e8f0e3"  # the packing lists' header green


def contract_summary_pdf(subscription: Subscription) -> bytes:
    """The subscription's contract summary as an A4 PDF, in the active language."""
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table

    subscription = (
        Subscription.objects.select_related(
            "contract__plan__producer", "pickup_point", "member", "co_holder"
        )
        .prefetch_related("pickup_point__schedules")
        .get(pk=subscription.pk)
    )
    contract, point = subscription.contract, subscription.pickup_point
    plan = contract.plan
    dates = contract_delivery_dates(contract, point)
    usual = _usual_choice(subscription)
    if usual is not None:  # a variable contract: priced by the member's usual choice
        price = choice_total(usual, unit_prices(usual)) * subscription.quantity
    else:
        price = plan.reference_price * subscription.quantity
    total = price * len(dates)

    styles = getSampleStyleSheet()
    normal = ParagraphStyle("summary", parent=styles["Normal"], fontSize=9.5, leading=12)
    label = ParagraphStyle("label", parent=normal, fontName="Helvetica-Bold")
    bullet = ParagraphStyle("commitment", parent=normal, leftIndent=12, bulletIndent=2)
    heading = ParagraphStyle(
        "section", parent=styles["Heading3"], spaceBefore=10, spaceAfter=4, fontSize=11
    )
    title = _("Basket contract")
    buffer = io.BytesIO()
    document = a4_document(buffer, f"{title} – {plan.name} – {contract.name}", bottom_margin_cm=1.8)
    width = document.width

    def rows_table(rows: list[tuple[str, str]]) -> Table:
        """Label / value rows; values are already escaped markup and may wrap."""
        return Table(
            [[Paragraph(escape(name), label), Paragraph(value, normal)] for name, value in rows],
            colWidths=[4.5 * cm, width - 4.5 * cm],
            style=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -2), 0.25, colors.lightgrey),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ],
        )

    story = [
        Paragraph(f"{escape(title)} – {escape(plan.name)}", styles["Title"]),
        Paragraph(
            escape(
                _("%(season)s, from %(first)s to %(last)s")
                % {
                    "season": contract.name,
                    "first": _long_date(contract.starts_on),
                    "last": _long_date(contract.ends_on),
                }
            ),
            styles["Heading2"],
        ),
        Paragraph(escape(_("Who")), heading),
        rows_table(_parties(subscription)),
        Paragraph(escape(_("Where and when")), heading),
        rows_table(_place_and_times(subscription)),
        Paragraph(escape(_("Price")), heading),
        rows_table(
            [
                (
                    _("Price per delivery"),
                    escape(_price_per_delivery(subscription, price, usual)),
                ),
                (_("Deliveries in the season"), str(len(dates))),
                (
                    _("Season total"),
                    f"<b>{len(dates)} × {_money(price)} = {_money(total)}</b>",
                ),
            ]
        ),
        Paragraph(
            escape(
                ngettext(
                    "Delivery date at %(point)s (%(count)s)",
                    "Delivery dates at %(point)s (%(count)s)",
                    len(dates),
                )
                % {"point": point.name, "count": len(dates)}
            ),
            heading,
        ),
        _dates_table(dates, width),
        KeepTogether(
            [Paragraph(escape(_("Commitments")), heading)]
            + [
                Paragraph(escape(text), bullet, bulletText="•")
                for text in _commitments(subscription)
            ]
        ),
        Spacer(1, 0.3 * cm),
        Paragraph(
            escape(
                _("Terms agreed on %(when)s.") % {"when": _local_datetime(subscription.agreed_at)}
            ),
            label,
        ),
    ]
    footer = f"{settings.OSCAR_SHOP_NAME} – {_full_name(subscription.member)} – {contract}"

    build_with_footer(document, story, _printable(footer))
    return buffer.getvalue()


def _parties(subscription: Subscription) -> list[tuple[str, str]]:
    producer = subscription.contract.plan.producer
    rows = [
        (_("Producer"), escape(f"{producer.name}, {producer.postcode} {producer.town}")),
        (_("Member"), _person(subscription.member)),
    ]
    if subscription.co_holder is not None:
        rows.append((_("Co-holder"), _person(subscription.co_holder)))
        if subscription.sharing != Sharing.ALONE:
            rows.append((_("Sharing"), escape(str(subscription.get_sharing_display()))))
    plan = subscription.contract.plan
    basket = ngettext(
        "%(count)s basket “%(plan)s” per delivery",
        "%(count)s baskets “%(plan)s” per delivery",
        subscription.quantity,
    ) % {"count": subscription.quantity, "plan": plan.name}
    details = [basket, plan.size, str(plan.get_frequency_display())]
    rows.append(
        (pgettext("AMAP basket", "Basket"), escape(", ".join(part for part in details if part)))
    )
    return rows


def _place_and_times(subscription: Subscription) -> list[tuple[str, str]]:
    contract, point = subscription.contract, subscription.pickup_point
    address = escape(f"{point.name}, {point.address}, {point.postcode} {point.town}")
    if point.access_notes:
        address += f"<br/><font size='8'>{escape(point.access_notes)}</font>"
    # The schedules in force during the season, as the point's calendar reads them.
    times = [
        _("%(weekday)s, %(start)s–%(end)s, %(frequency)s")
        % {
            "weekday": schedule.get_weekday_display(),
            "start": formats.time_format(schedule.start_time, "H:i"),
            "end": formats.time_format(schedule.end_time, "H:i"),
            "frequency": schedule.get_frequency_display(),
        }
        for schedule in point.schedules.all()
        if schedule.valid_from <= contract.ends_on
        and (schedule.valid_until is None or schedule.valid_until >= contract.starts_on)
    ]
    return [
        (_("Pickup point"), address),
        (_("Distributions"), "<br/>".join(escape(line) for line in times) or "–"),
        (
            _("Contract dates"),
            escape(
                _("from %(first)s to %(last)s")
                % {
                    "first": _long_date(contract.starts_on),
                    "last": _long_date(contract.ends_on),
                }
            ),
        ),
    ]


def _usual_choice(subscription: Subscription) -> dict[int, int] | None:
    if subscription.contract.kind != ContractKind.VARIABLE:
        return None
    return dict(
        subscription.choices.filter(distribution_day__isnull=True).values_list(
            "product_id", "quantity"
        )
    )


def _price_per_delivery(subscription: Subscription, price: Decimal, usual=None) -> str:
    if usual is not None:
        titles = dict(Product.objects.filter(pk__in=usual).values_list("pk", "title"))
        chosen = ", ".join(f"{titles[pk]} × {qty}" for pk, qty in usual.items() if pk in titles)
        return _(
            "%(price)s with your usual choice (%(chosen)s); at least %(minimum)s per delivery, "
            "chosen delivery by delivery"
        ) % {
            "price": _money(price),
            "chosen": chosen,
            "minimum": _money(subscription.contract.minimum_per_delivery),
        }
    reference = subscription.contract.plan.reference_price
    if subscription.quantity == 1:
        return _money(price)
    return f"{_money(price)} ({subscription.quantity} × {_money(reference)})"


def _dates_table(dates: list[date], width: float):
    """The season's dates numbered, in rows of ``DATE_COLUMNS``: a year of weekly deliveries
    takes eleven short rows."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table

    if not dates:
        return Paragraph(escape(_("No delivery date at this pickup point.")))
    cells = [
        f"{number}. {formats.date_format(day, DELIVERY_DATE_FORMAT)}"
        for number, day in enumerate(dates, start=1)
    ]
    cells += [""] * (-len(cells) % DATE_COLUMNS)
    rows = [cells[i : i + DATE_COLUMNS] for i in range(0, len(cells), DATE_COLUMNS)]
    return Table(
        rows,
        colWidths=[width / DATE_COLUMNS] * DATE_COLUMNS,
        style=[
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("ROWBACKGROUNDS", (0, 0), (-1, -1), [colors.white, colors.HexColor(SHADE)]),
        ],
    )


def _commitments(subscription: Subscription) -> list[str]:
    contract, point = subscription.contract, subscription.pickup_point
    allowance, hours = contract.absence_allowance, contract.absence_deadline_hours
    if allowance:
        skips = ngettext(
            "You may skip %(count)s delivery in the season.",
            "You may skip up to %(count)s deliveries in the season.",
            allowance,
        ) % {"count": allowance}
    else:
        skips = _("This contract allows no skipped delivery.")
    deadline = ngettext(
        "A delivery is skipped or given away at the latest %(hours)s hour before its "
        "distribution starts.",
        "A delivery is skipped or given away at the latest %(hours)s hours before its "
        "distribution starts.",
        hours,
    ) % {"hours": hours}
    if point.food_aid_partner:
        given = _(
            "Instead of skipping a basket, you can give it to someone you name, offer it to "
            "the other members, or give it to %(partner)s: a basket given away does not count "
            "as a skipped delivery."
        ) % {"partner": point.food_aid_partner}
    else:
        given = _(
            "Instead of skipping a basket, you can give it to someone you name or offer it to "
            "the other members: a basket given away does not count as a skipped delivery."
        )
    signup = _("Sign-up is open from %(opens)s to %(closes)s.") % {
        "opens": _long_date(contract.signup_opens_on),
        "closes": _long_date(contract.signup_closes_on),
    }
    return [skips, deadline, given, signup]


def _person(user) -> str:
    return escape(f"{_full_name(user)} <{user.email}>" if user.email else _full_name(user))


def _full_name(user) -> str:
    return user.get_full_name() or user.email or user.get_username()


def _money(amount: Decimal) -> str:
    """The shop's currency format (Oscar's), in the active language: "12,00 €" in French."""
    return _printable(currency(amount))


def _long_date(day: date) -> str:
    return formats.date_format(day, "j F Y")


def _local_datetime(moment) -> str:
    """On the wall clock of the shop (Europe/Paris), whatever zone is active."""
    local = timezone.localtime(moment, ZoneInfo(settings.TIME_ZONE))
    return formats.date_format(local, "l j F Y, H:i")


def _printable(text: str) -> str:
    # Babel groups French thousands with a narrow no-break space, which the PDF's standard
    # fonts (WinAnsi) lack; the plain no-break space keeps the amount on one line as well.
    return text.replace("\u202f", "\xa0")
