# The fork changes no model: Oscar's own, with Oscar's migrations (settings.MIGRATION_MODULES).
from oscar.apps.partner.models import *  # noqa: F403
