"""`make run`'s process manager: honcho on Procfile.dev, with time for the worker to stop.

honcho kills what still runs 5 s after Ctrl-C. A worker finishing a task on a busy machine
needs longer, and a killed worker leaves its task to be handed out again: it gets 30 s.
"""

import sys

from honcho import manager
from honcho.command import main

STOP_WITHIN_SECONDS = 30

if __name__ == "__main__":
    manager.KILL_WAIT = STOP_WITHIN_SECONDS
    main(["start", "--no-prefix", "-f", "Procfile.dev", *sys.argv[1:]])
