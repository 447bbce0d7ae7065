from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The kernel's own tables: the outbox of tasks to queue, the emails sent once, the beat
    ticks taken."""

    name = "marketplace.core"
    label = "core"
    verbose_name = _("Kernel")
