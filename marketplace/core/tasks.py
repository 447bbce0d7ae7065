"""Queueing a Celery task from a service without importing the task's module.

Tasks call services; a service that needs work done after its transaction names the task
instead of importing it, so no module imports the other both ways, and a lower floor may queue a
task of a higher one (the network telling the distribution floor that days moved).
"""

from importlib import import_module

from celery import current_app
from django.db import transaction


def task_named(task_name: str):
    """The registered task; its module is imported first if this process has not yet (a web
    process only knows the tasks its code imported: the worker autodiscovers them all)."""
    if task_name not in current_app.tasks:
        import_module(task_name.rpartition(".")[0])
    return current_app.tasks[task_name]


def queue(task_name: str, *args, **kwargs) -> None:
    """Queue the task now (outside a transaction, or when the caller has committed)."""
    task_named(task_name).delay(*args, **kwargs)


def queue_on_commit(task_name: str, *args, robust: bool = False, **kwargs) -> None:
    """Queue the task once the current transaction commits; nothing if it rolls back.
    ``robust``: a failure to queue is logged instead of raised to the caller."""
    transaction.on_commit(lambda: queue(task_name, *args, **kwargs), robust=robust)
