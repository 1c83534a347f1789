"""Queueing tasks: django-tasks-db's backend, its INSERT compiled once.

Every comment queues the notifications it sends (``reviews.tasks``): with Django's ORM,
building and compiling the task row's INSERT cost more than the rest of queueing it.
The row is the library's own, written as its backend writes it (``prfaq.compiled``).
The library also built the result it answers with twice (for the signal, and again).
"""

from django.tasks.signals import task_enqueued
from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.compat import normalize_json

from prfaq.compiled import insert


class DatabaseBackend(LibraryBackend):
    def enqueue(self, task, args, kwargs):
        """As the library's, with the result made from the row once, not twice."""
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result

    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.models import DBTaskResult  # as the library: after the apps load

        return insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                run_after=task.run_after,  # its pre_save receiver fills in "none"
                backend_name=self.alias,
            )
        )
