"""Reads of the distribution day: the pickup list (which also makes the handovers of lines
added since it was last opened) and the volunteer shifts."""
