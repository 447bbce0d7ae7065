"""The payment pages: the member's payments, coordinators recording payments, the treasurer's
handovers and overdue list."""
