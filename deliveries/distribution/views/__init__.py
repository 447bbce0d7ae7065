"""Pages of the distribution day: the pickup list, shifts, the sign-off sheet, cancelling a day."""
