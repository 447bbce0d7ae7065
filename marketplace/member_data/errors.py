class AccountNotClosed(Exception):
    """Something cannot be undone now: the account stays open, and each reason is told."""

    def __init__(self, reasons: list[str]):
        super().__init__("; ".join(reasons))
        self.reasons = reasons
