"""factory_boy factories: every test builds its world from these."""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_model

from producers.models import Label, Producer
from producers.services import ProductDraft, create_product

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label
        django_get_or_create = ("slug",)

    name = "Agriculture biologique (AB)"
    slug = "ab"


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Ferme {n}")
    code = factory.Sequence(lambda n: f"ferme-{n}")


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerFactory)
    name = factory.LazyAttribute(lambda o: o.partner.name)
    slug = factory.LazyAttribute(lambda o: o.partner.code)
    story = "Une ferme familiale."
    postcode = "35000"
    town = "Rennes"
    latitude = Decimal("48.111000")
    longitude = Decimal("-1.680000")

    @factory.post_generation
    def users(obj, create, extracted, **kwargs):
        for user in extracted or []:
            obj.partner.users.add(user)


# Two real places 40 km apart, for distances: where things are, as the factories take them.
BRUZ = {
    "town": "Bruz",
    "postcode": "35170",
    "latitude": Decimal("48.0247"),
    "longitude": Decimal("-1.7456"),
}
VITRE = {
    "town": "Vitré",
    "postcode": "35500",
    "latitude": Decimal("48.1236"),
    "longitude": Decimal("-1.2090"),
}


def category(name: str = "Légumes"):
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    existing = Category.objects.filter(depth=1, name=name).first()
    return existing or create_from_breadcrumbs(name)


def product_for(
    producer,
    *,
    title="Carottes",
    price="2.40",
    stock=10,
    vat_rate="5.50",
    unit="kg",
    category_name="Légumes",
    is_public=True,
):
    """A product as the producer would create it through their space."""
    return create_product(
        producer,
        ProductDraft(
            title=title,
            description=f"{title} de la ferme",
            category=category(category_name),
            unit=unit,
            price=Decimal(price),
            vat_rate=Decimal(vat_rate),
            stock=stock,
            is_public=is_public,
        ),
    )


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "deliveries.Collective"

    name = factory.Sequence(lambda n: f"AMAP {n}")
    slug = factory.Sequence(lambda n: f"amap-{n}")


class PickupPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "deliveries.PickupPoint"

    collective = factory.SubFactory(CollectiveFactory)
    name = factory.Sequence(lambda n: f"Lieu de distribution {n}")
    slug = factory.Sequence(lambda n: f"lieu-{n}")
    address = "1 place de la Mairie"
    postcode = "35000"
    town = "Rennes"
    latitude = Decimal("48.111000")
    longitude = Decimal("-1.680000")
    geocoding_status = "ok"


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "deliveries.Schedule"

    pickup_point = factory.SubFactory(PickupPointFactory)
    frequency = "weekly"
    weekday = 1  # Tuesday
    start_time = datetime.time(18, 0)
    end_time = datetime.time(19, 30)
    cutoff_hours = 48
    valid_from = datetime.date(2026, 1, 1)


class DistributionDayFactory(factory.django.DjangoModelFactory):
    """An open distribution day three days from now, orders closing tomorrow."""

    class Meta:
        model = "deliveries.DistributionDay"

    pickup_point = factory.SubFactory(PickupPointFactory)
    starts_at = factory.LazyFunction(
        lambda: timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    cutoff_at = factory.LazyAttribute(lambda o: o.starts_at - datetime.timedelta(days=2))
    date = factory.LazyAttribute(lambda o: timezone.localdate(o.starts_at))
    state = "open"


def open_slot_code() -> str:
    """The checkout's method code of the first distribution day open for orders."""
    from deliveries.models import DistributionDay

    return f"pickup-{DistributionDay.objects.filter(state='open').order_by('pk').first().pk}"


class BasketPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "baskets.BasketPlan"

    producer = factory.SubFactory(ProducerFactory)
    name = "Petit panier de légumes"
    size = "4 à 5 kg"
    reference_price = Decimal("12.00")


class ContractFactory(factory.django.DjangoModelFactory):
    """A season open for sign-up today, from today for 12 weeks."""

    class Meta:
        model = "baskets.Contract"

    plan = factory.SubFactory(BasketPlanFactory)
    name = "Saison d'hiver"
    starts_on = factory.LazyFunction(timezone.localdate)
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(weeks=12))
    signup_opens_on = factory.LazyAttribute(lambda o: o.starts_on - datetime.timedelta(days=7))
    signup_closes_on = factory.LazyAttribute(lambda o: o.ends_on)


def contract_at(point, capacity: int = 30, **kwargs):
    """A contract delivered at a pickup point (which needs a schedule to have dates)."""
    from baskets.models import ContractPickupPoint

    contract = ContractFactory(**kwargs)
    ContractPickupPoint.objects.create(contract=contract, pickup_point=point, capacity=capacity)
    return contract


def subscribe_shared(member, contract, point, *, co_holder, sharing="alternate", **kwargs):
    """``subscribe()`` inviting ``co_holder``, who accepts the invitation at once: the sharing
    as it is once both households agreed."""
    from baskets.services import subscribe
    from baskets.services.co_holding import accept_co_holding

    subscription = subscribe(
        member, contract, point, co_holder_email=co_holder.email, sharing=sharing, **kwargs
    )
    accept_co_holding(co_holder, subscription.co_holdings.get().token)
    subscription.refresh_from_db()
    return subscription
