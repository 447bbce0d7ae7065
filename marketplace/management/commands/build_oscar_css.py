from django.core.management.base import BaseCommand

from marketplace.core.stylesheet import SOURCE, TARGET, trimmed_oscar_css


class Command(BaseCommand):
    help = (
        "Write css/oscar.css: Oscar's stylesheet trimmed to the classes our templates use. "
        "Run it after using a Bootstrap or Oscar class no template used before."
    )
    requires_system_checks = []

    def handle(self, *args, **options):
        css = trimmed_oscar_css()
        TARGET.write_text(css, encoding="utf-8")
        before, after = SOURCE.stat().st_size, len(css.encode())
        self.stdout.write(f"{TARGET}: {after / 1024:.0f} KB (Oscar's: {before / 1024:.0f} KB)")
