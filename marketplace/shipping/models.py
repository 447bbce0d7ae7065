# The fork changes no model: Oscar's own, with Oscar's migrations (settings.MIGRATION_MODULES).
from oscar.apps.shipping.models import *  # noqa: F403
