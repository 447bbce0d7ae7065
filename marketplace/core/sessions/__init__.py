"""Session engines: Django's, reading a session in one plain SELECT.

``SESSION_ENGINE`` is ``marketplace.core.sessions.cached_db`` when the cache is Redis, shared
by every process: a session is then read from Redis, and from the database only when Redis
does not hold it. ``TolerantRedisCache`` removes every key of the site once Redis answers again
after a write it could not make, so a sign-out made while Redis was away cannot come back from
it. Without Redis each process's cache is its own: a sign-out in one gunicorn worker would
leave the session in another's memory, so the sessions stay in the database alone
(``marketplace.core.sessions.db``).

The database read is a raw SELECT rather than ``Session.objects.get()``: building the ORM query
cost more than running it, on every request of a signed-in member.
"""

from django.db import connections, router
from django.utils import timezone


class OneQueryLookup:
    """For a subclass of Django's database ``SessionStore``."""

    def _get_session_from_db(self):
        model = self.model
        db = router.db_for_read(model)
        connection = connections[db]
        table = connection.ops.quote_name(model._meta.db_table)
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table} "  # noqa: S608
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, now],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        session_data, expire_date = row
        if timezone.is_naive(expire_date):  # SQLite: in the connection's time zone (UTC)
            expire_date = timezone.make_aware(expire_date, connection.timezone)
        return model(
            session_key=self.session_key, session_data=session_data, expire_date=expire_date
        )
