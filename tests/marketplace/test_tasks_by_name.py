"""Services queue tasks by name (marketplace/core/outbox.py): a web process, which has imported
none of the tasks modules, still finds the task (only a worker autodiscovers them all)."""

import subprocess
import sys

from django.conf import settings

SCRIPT = """
import django
django.setup()
from marketplace.core.outbox import task_named
print(task_named("baskets.tasks.notify_ending").name)
print(task_named("deliveries.distribution.tasks.notify_calendar_changes").name)
"""


def test_a_fresh_process_finds_a_task_by_its_name():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=settings.BASE_DIR,
        env={"DJANGO_SETTINGS_MODULE": "marketplace.settings", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "baskets.tasks.notify_ending",
        "deliveries.distribution.tasks.notify_calendar_changes",
    ]
