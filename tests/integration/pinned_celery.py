"""``python -m celery`` with its clock started at the test's pinned instant (``PINNED_NOW``, a
Unix timestamp): a real worker reads the same "now" as the test that queued its work, and its
clock then runs."""

import os
import sys

import time_machine
from celery.__main__ import main

if __name__ == "__main__":
    with time_machine.travel(float(os.environ["PINNED_NOW"]), tick=True):
        sys.exit(main())
