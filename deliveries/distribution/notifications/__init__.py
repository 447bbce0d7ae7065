"""Emails of the distribution day: a day moved or cancelled (calendar, cancellations), shifts
to fill and shift reminders (shifts)."""
