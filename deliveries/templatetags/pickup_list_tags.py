"""The households of a pickup list as HTML, built in Python: a list has hundreds of lines and
the template language costs about a tenth of a millisecond per tag per line, which would take
a 400-household page past 50 ms. Everything is escaped; the markup is the one pickup_list.js
reads (``.household``, ``.handover``, ``form.js-tick``...)."""

from django import template
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, npgettext, pgettext

register = template.Library()


@register.simple_tag(takes_context=True)
def pickup_households(context, pickups, ticks_url: str, is_closed: bool):
    yes, no = escape(_("collected")), escape(_("to hand over"))
    for_label = escape(pgettext("collected for someone", "for"))
    csrf = escape(context.get("csrf_token", ""))
    url = escape(ticks_url)
    disabled = " disabled" if is_closed else ""
    parts = []
    for household in pickups.households:
        name = escape(household.name)
        done = " is-collected" if household.is_collected else ""
        parts.append(
            f'<li class="household{done}" data-search="{escape(household.search_text)}">'
            f'<h2 class="h6 mb-1">{name}</h2><ul class="list-unstyled mb-0">'
        )
        for line in household.lines:
            collected = line.is_collected
            pk = line.handover.pk
            for_whom = (
                f' <span class="handover-for">{for_label} {escape(line.for_whom)}</span>'
                if line.for_whom
                else ""
            )
            details = (
                f'<p class="handover-details small mb-0">{escape(" · ".join(line.details))}</p>'
                if line.details
                else ""
            )
            fate = ""
            if line.handover.fate:
                fate = escape(line.handover.get_fate_display())
                if line.handover.fate_recipient:
                    fate += f": {escape(line.handover.fate_recipient)}"
                fate = f'<p class="small mb-0">{fate}</p>'
            parts.append(
                f'<li class="handover{" is-collected" if collected else ""}" data-handover="{pk}">'
                f'<form method="post" action="{url}" class="js-tick">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
                f'<input type="hidden" name="operation" value="{line.operation}">'
                f'<input type="hidden" name="handover" value="{pk}">'
                f'<input type="hidden" name="collected" value="{"false" if collected else "true"}">'
                f'<button type="submit" class="btn handover-button" '
                f'aria-pressed="{"true" if collected else "false"}"{disabled}>'
                f'<span class="handover-mark" aria-hidden="true"></span>'
                f'<span class="handover-title">{escape(line.title)}{for_whom}</span>'
                f'<span class="sr-only">, {name}: </span>'
                f'<span class="handover-state" data-yes="{yes}" data-no="{no}">'
                f"{yes if collected else no}</span></button></form>"
                f"{details}"
                f'<p class="handover-by small text-muted mb-0">{escape(line.ticked_by)}</p>'
                f"{fate}</li>"
            )
        parts.append("</ul></li>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped


# The words after the counts the page's script updates, in the page's language.
COUNT_WORDS = {
    "collected": lambda n: npgettext("how many lines", "collected", "collected", n),
    "remaining": lambda n: npgettext("how many lines", "remaining", "remaining", n),
    "pending": lambda n: ngettext("tick waiting to be sent", "ticks waiting to be sent", n),
}


@register.simple_tag
def count_word(key: str, n: int) -> str:
    return COUNT_WORDS[key](n)


@register.simple_tag
def count_forms(key: str):
    """``data-<key>-zero/one/other`` attributes: the word for 0, 1 and more, which pickup_list.js
    picks from as a count changes. French and English both have two forms and agree for every
    count from 2 up; they differ on 0 ("0 retiré", "0 collected")."""
    word = COUNT_WORDS[key]
    return format_html(
        'data-{0}-zero="{1}" data-{0}-one="{2}" data-{0}-other="{3}"',
        key,
        word(0),
        word(1),
        word(2),
    )
