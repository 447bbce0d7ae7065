"""The kernel every floor may use: PDF pages, photos, page and catalogue caches, form mixins,
confirmation pages, emails in one layout, tasks queued after commit. It imports nothing of the
project's domains (an import-linter contract keeps it so)."""
