"""Try PR/FAQ studio in one command.

Migrates the database, seeds demo users and example PR/FAQs once (running it
again adds nothing), prints how to sign in, and serves the app on
http://127.0.0.1:8000 with a task worker beside it that sends notifications
(e-mails go to the console).
"""

import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from prfaq.demo_data import DEMO_PASSWORD, seed_demo
from prfaq.pagecache import changed


class Command(BaseCommand):
    help = "Migrate, seed demo users and documents once, and serve on 127.0.0.1."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on (8000).")
        parser.add_argument("--no-serve", action="store_true", help="Migrate and seed, then stop.")

    def handle(self, *args, port: int, no_serve: bool, **options) -> None:
        if not 1 <= port <= 65535:
            self.stderr.write(self.style.ERROR(f"--port must be between 1 and 65535, not {port}."))
            raise SystemExit(2)
        call_command("migrate", interactive=False, verbosity=0)
        created = seed_demo()
        if created:
            changed(everything=True)
        if created:
            self.stdout.write(self.style.SUCCESS(f"Seeded {', '.join(created)}."))
        else:
            self.stdout.write("Demo data is already there; nothing added.")
        self.stdout.write(
            "\nSign in as one of these (password for all: "
            f"{DEMO_PASSWORD}):\n"
            "  author    writes PR/FAQs\n"
            "  reviewer  comments and reviews\n"
            "  leader    member of Leadership, approves\n"
        )
        if no_serve:
            return
        self.stdout.write(
            self.style.SUCCESS(f"\nServing on http://127.0.0.1:{port}/ (Ctrl-C stops)\n")
        )
        # Notifications are sent by a task worker; run one beside the server.
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--interval",
                "1",
                "--no-startup-delay",
                "--no-reload",
            ],
            cwd=settings.BASE_DIR,
        )
        try:
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
