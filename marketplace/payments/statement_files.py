"""A producer's statement as a CSV file and as a PDF, in the active language.

The CSV has one row per line of the statement and one per total, each with its section, so a
spreadsheet can sum a section and find its total. The PDF is laid out like the site's other
printed documents (``marketplace.core.pdf``); it is built in the background
(``services.statements``) because a busy month has hundreds of orders.
"""

import io
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from oscar.templatetags.currency_filters import currency

from marketplace.core.csv import csv_text
from marketplace.core.pdf import a4_document, build_with_footer
from marketplace.payments.selectors.statements import Statement

SHADE = "#e8f0e3"  # the packing lists' header green
ROWS_PER_TABLE = 40


def filename(statement: Statement, extension: str) -> str:
    return f"releve-{slugify(statement.producer.name)}-{statement.month:%Y-%m}.{extension}"


def month_title(statement: Statement) -> str:
    return formats.date_format(statement.month, "F Y")


def _day(day) -> str:
    """For spreadsheets."""
    return formats.date_format(day, "Y-m-d")


def _printed_day(day) -> str:
    return formats.date_format(day, "D j F")


def _collected(collected: bool | None) -> str:
    if collected is None:
        return _("not ticked")
    return _("collected") if collected else _("not collected")


def as_csv(statement: Statement) -> str:
    """Section, date, pickup point, what, quantity, amount (euros, to the cent)."""
    header = [_("Section"), _("Date"), _("Pickup point"), _("Details"), _("Quantity"), _("Amount")]
    owed_baskets, owed_orders = _("Owed: baskets"), _("Owed: orders")
    received, refunded = _("Received"), _("Refunded")
    rows = [header]
    rows += [
        [owed_baskets, _day(line.day), line.pickup_point, line.plan, line.baskets, line.amount]
        for line in statement.baskets
    ]
    rows += [
        [
            owed_orders,
            _day(line.day),
            line.pickup_point,
            f"{_('Order')} {line.number} ({_collected(line.collected)})",
            line.items,
            line.amount,
        ]
        for line in statement.orders
    ]
    rows += [
        [_("Total owed for baskets"), "", "", "", "", statement.owed_for_baskets],
        [_("Total owed for orders"), "", "", "", "", statement.owed_for_orders],
        [_("Total owed"), "", "", "", "", statement.owed],
    ]
    rows += [[received, "", "", line.label, line.count, line.amount] for line in statement.received]
    rows += [[refunded, "", "", line.label, line.count, line.amount] for line in statement.refunded]
    rows += [
        [_("Total received, refunds taken off"), "", "", "", "", statement.received_net],
        [_("Difference (owed less received)"), "", "", "", "", statement.difference],
    ]
    held, handed = _("Held by the coordinators"), _("Handed over in the month")
    rows += [[held, "", "", line.label, line.count, line.amount] for line in statement.held]
    rows += [
        [handed, "", "", line.label, line.count, line.amount] for line in statement.handed_over
    ]
    return csv_text(rows)


def _money(amount) -> str:
    # Helvetica has no narrow no-break space (babel's French thousands separator).
    return currency(amount).replace("\u202f", "\u00a0")


def as_pdf(statement: Statement) -> bytes:
    """The statement on A4: the figures first, then the lines owed, then the money by hand."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer

    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    name = escape(statement.producer.name)
    title = _("Statement for %(month)s") % {"month": month_title(statement)}
    document = a4_document(buffer, f"{title} – {statement.producer.name}")
    story = [Paragraph(f"{escape(title)} – {name}", styles["Title"])]
    if statement.as_of is not None:
        as_of = formats.date_format(timezone.localtime(statement.as_of), "j F Y, H:i")
        story.append(
            Paragraph(
                escape(_("The month is under way: figures on %(when)s.") % {"when": as_of}),
                styles["Normal"],
            )
        )
    story += [
        Spacer(1, 0.3 * cm),
        Paragraph(escape(_("Summary")), styles["Heading2"]),
        _table(
            [
                [_("Owed for baskets"), _money(statement.owed_for_baskets)],
                [_("Owed for orders"), _money(statement.owed_for_orders)],
                [_("Total owed"), _money(statement.owed)],
            ]
            + [
                [_("Received: %(method)s") % {"method": line.label}, _money(line.amount)]
                for line in statement.received
            ]
            + [
                [_("Refunded: %(method)s") % {"method": line.label}, "-" + _money(line.amount)]
                for line in statement.refunded
            ]
            + [
                [_("Total received, refunds taken off"), _money(statement.received_net)],
                [_("Difference (owed less received)"), _money(statement.difference)],
            ],
            widths=[12 * cm, 5 * cm],
            header=False,
        ),
    ]
    if statement.baskets:
        story += [
            Paragraph(escape(_("Baskets brought")), styles["Heading2"]),
            *_tables(
                [
                    _("Date"),
                    _("Pickup point"),
                    _("Basket plan"),
                    pgettext("AMAP baskets", "Baskets"),
                    _("Amount"),
                ],
                [
                    [
                        _printed_day(line.day),
                        line.pickup_point,
                        line.plan,
                        line.baskets,
                        _money(line.amount),
                    ]
                    for line in statement.baskets
                ],
                [
                    _("Total"),
                    "",
                    "",
                    sum(line.baskets for line in statement.baskets),
                    _money(statement.owed_for_baskets),
                ],
                widths=[2.5 * cm, 5 * cm, 5 * cm, 1.8 * cm, 2.7 * cm],
            ),
        ]
    if statement.orders:
        story += [
            Paragraph(escape(_("Orders brought")), styles["Heading2"]),
            *_tables(
                [_("Date"), _("Pickup point"), _("Order"), _("Items"), _("Amount")],
                [
                    [
                        _printed_day(line.day),
                        line.pickup_point,
                        f"{line.number} ({_collected(line.collected)})",
                        line.items,
                        _money(line.amount),
                    ]
                    for line in statement.orders
                ],
                [
                    _("Total"),
                    "",
                    "",
                    sum(line.items for line in statement.orders),
                    _money(statement.owed_for_orders),
                ],
                widths=[2.5 * cm, 5 * cm, 5 * cm, 1.8 * cm, 2.7 * cm],
            ),
        ]
    if statement.as_of is not None:
        held_label = _("Held by the coordinators now: %(method)s")
    else:
        held_label = _("Held by the coordinators at the end of the month: %(method)s")
    story += [
        Paragraph(escape(_("Cheques, cash and local currency")), styles["Heading2"]),
        _table(
            [
                [
                    held_label % {"method": line.label},
                    _money(line.amount),
                ]
                for line in statement.held
            ]
            + [
                [
                    _("Handed over in the month: %(method)s") % {"method": line.label},
                    _money(line.amount),
                ]
                for line in statement.handed_over
            ],
            widths=[12 * cm, 5 * cm],
            header=False,
        ),
    ]
    built = formats.date_format(timezone.localtime(), "j F Y, H:i")
    build_with_footer(
        document,
        story,
        f"{settings.OSCAR_SHOP_NAME} — {statement.producer.name} — {title} — {built}",
    )
    return buffer.getvalue()


def _cell(value):
    """Text wraps in its cell; numbers stay as they are."""
    if not isinstance(value, str):
        return value
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    return Paragraph(
        escape(value), ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    )


def _table(rows, *, widths, header=True):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    rows = [[*(_cell(value) for value in row[:-1]), row[-1]] for row in rows]  # amounts: right
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("ALIGN", (-1, 0), (-1, -1), "RIGHT"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(SHADE)))
    return Table(rows, colWidths=widths, style=TableStyle(commands), repeatRows=1 if header else 0)


def _tables(header, rows, total_row, *, widths):
    """Tables of about a page each, the total under the last (one huge table lays out many
    times slower)."""
    chunks = [rows[start : start + ROWS_PER_TABLE] for start in range(0, len(rows), ROWS_PER_TABLE)]
    chunks[-1] = [*chunks[-1], total_row]
    return [_table([header, *chunk], widths=widths) for chunk in chunks]
