import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from marketplace.demo import DemoSize, load_demo
from marketplace.demo.mail import demo_emails_in
from producers.models import PackingList


class Command(BaseCommand):
    help = "Load the demo data (idempotent): farms around Rennes, their products, demo accounts."

    def add_arguments(self, parser):
        parser.add_argument("--producers", type=int, default=DemoSize.producers)
        parser.add_argument(
            "--products",
            type=int,
            default=DemoSize.products,
            help="spread this many products over the farms (default: each farm's whole range)",
        )
        parser.add_argument("--seed", type=int, default=DemoSize.seed)

    def handle(self, *args, **options):
        size = DemoSize(options["producers"], options["products"], options["seed"])
        started = timezone.now()
        folder = Path(settings.EMAIL_FILE_PATH) / "demo"
        with demo_emails_in(folder) as outbox:
            accounts = load_demo(size, progress=self.show_progress)
        packing_lists = PackingList.objects.filter(emailed_at__gte=started).count()
        if packing_lists:
            self.stdout.write(
                f"  {packing_lists} packing list{'s' * (packing_lists > 1)} built and emailed "
                "to the producers"
            )
        if outbox.written:
            self.stdout.write(
                f"  {outbox.written} email{'s' * (outbox.written > 1)} of the demo written to "
                f"{shown_path(folder)}/ (not sent)"
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo accounts:"))
        for role, email, password in accounts:
            self.stdout.write(f"  {role:<12} {email:<34} password: {password}")

    def show_progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done == total or not sys.stdout.isatty() else ""
        self.stdout.write(f"\r  producers [{bar}] {done}/{total}", ending=end)
        self.stdout.flush()


def shown_path(path: Path) -> str:
    """Relative to the current directory when below it (var/mail/demo), else absolute."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative
