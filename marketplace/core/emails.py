"""Our emails (all but Oscar's own), built one way.

``compose("baskets/email/basket_taken", context, to)`` renders ``<template>_subject.txt`` and
``<template>_body.txt`` in the site's language, and an HTML part in the shared layout
(templates/emails/base.html): the email's own ``<template>_body.html`` when it has one, otherwise
its text shown in that layout (templates/emails/from_text.html), escaped, its paragraphs kept and
its addresses made into links. The text's footer (why the person receives it, how to change it)
then goes in the layout's footer, so it shows once.
"""

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.template.loader_tags import BLOCK_CONTEXT_KEY, BlockContext, BlockNode, ExtendsNode
from django.utils import translation

Attachment = tuple[str, bytes | str, str]  # file name, content, MIME type

# The blocks of templates/emails/base.txt that an email fills in.
TEXT_PARTS = ("content", "why", "manage")


def compose(
    template: str,
    context: dict,
    to: Sequence[str],
    *,
    attachments: Iterable[Attachment] = (),
    reply_to: Sequence[str] | None = None,
) -> EmailMultiAlternatives:
    """The email ``template`` (a prefix such as ``"producers/email/packing_list"``) to ``to``,
    from ``DEFAULT_FROM_EMAIL``, with a text body, an HTML alternative and ``attachments``."""
    with translation.override(settings.LANGUAGE_CODE):
        # Not HTML-escaped: a subject is plain text ("L'Épi & Co", not "L&#x27;Épi &amp; Co").
        subject = " ".join(_render_plain(f"{template}_subject.txt", context).strip().splitlines())
        body = render_to_string(f"{template}_body.txt", context)
        html = _html_body(template, context, subject)
    message = EmailMultiAlternatives(subject, body, to=list(to), reply_to=reply_to)
    message.attach_alternative(html, "text/html")
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    return message


def send_all(messages: Sequence[EmailMessage]) -> int:
    """Send ``messages`` over one connection. A failure raises: nothing is silenced. Returns how
    many were sent."""
    if not messages:
        return 0
    return get_connection().send_messages(list(messages))


def _html_body(template: str, context: dict, subject: str) -> str:
    try:
        own = get_template(f"{template}_body.html")
    except TemplateDoesNotExist:
        parts = _text_blocks(f"{template}_body.txt", context, TEXT_PARTS)
        parts = {name: text.strip() for name, text in parts.items()}
        return render_to_string("emails/from_text.html", {"subject": subject, **parts})
    return own.render(context)


def _render_plain(template_name: str, context: dict) -> str:
    return get_template(template_name).template.render(Context(context, autoescape=False))


def _text_blocks(template_name: str, context: dict, names: Iterable[str]) -> dict[str, str]:
    """Some blocks of a text template, each as it reads in the whole text (inherited, overridden,
    not escaped) but without the rest of the layout around it. Django renders a block on its own
    the way ``{% extends %}`` does: every level's blocks stacked in a BlockContext, the most
    derived on top."""
    template = get_template(template_name).template
    ctx = Context(context, autoescape=False)
    blocks = BlockContext()
    with ctx.render_context.push_state(template), ctx.bind_template(template):
        ctx.render_context[BLOCK_CONTEXT_KEY] = blocks
        level = template
        while level is not None:
            nodes = level.nodelist.get_nodes_by_type(BlockNode)
            blocks.add_blocks({node.name: node for node in nodes})
            extends = level.nodelist.get_nodes_by_type(ExtendsNode)
            level = extends[0].get_parent(ctx) if extends else None
        rendered = {}
        for name in names:
            block = blocks.get_block(name)
            rendered[name] = block.render(ctx) if block is not None else ""
        return rendered
