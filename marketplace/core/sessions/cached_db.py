"""Sessions in the database, read from Redis first: see ``marketplace.core.sessions``."""

from django.contrib.sessions.backends import cached_db

from marketplace.core.sessions import OneQueryLookup


class SessionStore(OneQueryLookup, cached_db.SessionStore):
    pass
