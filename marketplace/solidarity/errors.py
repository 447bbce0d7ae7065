class SolidarityRefused(Exception):
    """A fund's settings, an entry, a tier or a decision that cannot be recorded; the message is
    for the person who asked (a member, a coordinator or staff)."""
