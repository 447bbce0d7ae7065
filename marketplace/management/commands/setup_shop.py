from django.core.management.base import BaseCommand

from marketplace.shop_setup import ensure_shop_basics


class Command(BaseCommand):
    help = "Create the categories, product class and payment types every installation needs."

    def handle(self, *args, **options):
        ensure_shop_basics()
        self.stdout.write(self.style.SUCCESS("Shop basics are in place."))
