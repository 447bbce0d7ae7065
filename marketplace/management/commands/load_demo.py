import sys

from django.core.management.base import BaseCommand

from marketplace.demo import DemoSize, load_demo


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
        accounts = load_demo(size, progress=self.show_progress)
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
