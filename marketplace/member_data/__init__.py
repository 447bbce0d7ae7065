"""A member's own data: everything we hold about them, to download (``selectors``), and
closing their account (``services``), with the two pages under /accounts/ (``views``).

It reads and acts on every domain and on the distribution day (shifts, handovers), so it
sits on the day floor, beside ``deliveries.distribution`` (pyproject.toml's contracts)."""
