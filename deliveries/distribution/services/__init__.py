"""Write operations of the distribution day, each one transaction: ticking handovers and closing
the day (handovers), signing up for shifts and withdrawing (shifts)."""
