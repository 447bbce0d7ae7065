"""gunicorn's settings, read from the folder it is started in (the project's).

The access log (``--access-logfile -``) keeps no personal data: each request's time, method,
path without its query string (a finder search carries an address or a position, a link from
an email its recipient), status, size and duration; no referrer (the previous page's query
string), no user agent, no client address. tests/marketplace/test_log_privacy.py checks it."""

access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'
