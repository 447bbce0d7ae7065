"""What the network tells the floors above it, without importing them."""

from django.dispatch import Signal

# Days back in the calendar after a cancellation (a closure removed, a schedule changed back),
# sent inside the transaction that brings them back; keyword argument ``day_ids``.
days_reinstated = Signal()
