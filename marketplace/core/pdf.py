"""The page every printed document of the site starts from (packing lists, contract summaries,
sign-off sheets): A4, 1.5 cm margins, the site as author."""

from django.conf import settings


def a4_document(buffer, title: str, *, bottom_margin_cm: float = 1.5):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=settings.OSCAR_SHOP_NAME,
        leftMargin=1.5 * cm,
        rightMargin=1.5 * cm,
        topMargin=1.5 * cm,
        bottomMargin=bottom_margin_cm * cm,
    )


def build_with_footer(document, story, footer: str) -> None:
    """Build the document with the footer text and the page number on every page."""
    from django.utils.translation import gettext as _
    from reportlab.lib import colors
    from reportlab.lib.units import cm

    def draw_footer(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc.leftMargin, 1 * cm, footer)
        canvas.drawRightString(
            doc.leftMargin + doc.width, 1 * cm, _("Page %(number)s") % {"number": doc.page}
        )
        canvas.restoreState()

    document.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
