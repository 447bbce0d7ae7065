"""The distribution day, at the top of the weekly cycle: volunteer shifts, the pickup list and
its handovers, the sign-off sheet, closing the day, and telling people when a day moves or is
cancelled. It reads the domains below (baskets, producers, the shop's orders, the network)."""
