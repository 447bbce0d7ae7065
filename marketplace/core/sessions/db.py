"""Sessions in the database alone (no Redis): see ``marketplace.core.sessions``."""

from django.contrib.sessions.backends import db

from marketplace.core.sessions import OneQueryLookup


class SessionStore(OneQueryLookup, db.SessionStore):
    pass
