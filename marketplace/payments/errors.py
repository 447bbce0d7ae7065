class PaymentRefused(Exception):
    """A payment, a schedule or a handover that cannot be recorded; the message is for the
    person who asked (a coordinator, the treasurer or the member)."""


class LedgerIsWrittenOnce(Exception):
    """A ledger entry was about to be changed or deleted: a correction is a new entry."""
