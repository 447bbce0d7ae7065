"""Demo pickup points around Rennes: schedules, a Christmas closure, the calendar made."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from deliveries.distribution.models import VolunteerShift
from deliveries.network.geocoding import locate_town
from deliveries.network.models import (
    Closure,
    Collective,
    DayState,
    DistributionDay,
    GeocodingStatus,
    PickupPoint,
    Schedule,
)
from deliveries.network.services import materialise_distribution_days

# collective, pickup point, address, town, weekday (0 = Monday), start, end
PICKUP_POINTS = [
    (
        "AMAP du Thabor",
        "Maison de quartier Thabor",
        "12 rue de Paris",
        "Rennes",
        1,
        "18:00",
        "19:30",
    ),
    ("AMAP du Thabor", "Salle Saint-Hélier", "45 rue Saint-Hélier", "Rennes", 3, "18:30", "20:00"),
    ("AMAP de Cesson", "Carré Sévigné", "1 rue du Bac", "Cesson-Sévigné", 2, "17:30", "19:00"),
    ("Les Paniers de Bruz", "Halle de Bruz", "Place du Docteur Joly", "Bruz", 4, "17:00", "19:00"),
    (
        "AMAP de Betton",
        "Ferme de la Chaperonnais",
        "Allée de la Chaperonnais",
        "Betton",
        1,
        "18:00",
        "19:30",
    ),
    (
        "Vitré Circuit Court",
        "Centre social de Vitré",
        "27 rue Notre-Dame",
        "Vitré",
        3,
        "17:30",
        "19:00",
    ),
]

# The association each pickup point gives baskets to when a member hands one to food aid.
FOOD_AID_PARTNERS = {
    "Maison de quartier Thabor": "Restos du Cœur de Rennes",
    "Salle Saint-Hélier": "Restos du Cœur de Rennes",
    "Carré Sévigné": "Épicerie solidaire de Cesson-Sévigné",
    "Halle de Bruz": "Secours populaire de Bruz",
    "Ferme de la Chaperonnais": "Banque alimentaire de Betton",
    "Centre social de Vitré": "Secours catholique de Vitré",
}


@transaction.atomic
def ensure_pickup_points(*, coordinator=None, volunteer=None) -> list[PickupPoint]:
    """The demo pickup points, created once; then the calendar for the coming weeks."""
    points = []
    for index, (collective_name, name, address, town, weekday, start, end) in enumerate(
        PICKUP_POINTS
    ):
        collective, _ = Collective.objects.get_or_create(
            slug=slugify(collective_name), defaults={"name": collective_name}
        )
        point = PickupPoint.objects.filter(slug=slugify(name)).first()
        if point is None:
            place = locate_town(town)
            point = PickupPoint.objects.create(
                collective=collective,
                name=name,
                slug=slugify(name),
                address=address,
                postcode=place.postcode,
                town=town,
                latitude=Decimal(str(round(place.latitude + 0.003 * index, 6))),
                longitude=Decimal(str(round(place.longitude - 0.002 * index, 6))),
                geocoding_status=GeocodingStatus.OK,
                access_notes="Accès de plain-pied ; parking vélos devant l'entrée.",
                capacity=60,
                contact_email=f"contact@{collective.slug}.example.fr",
                food_aid_partner=FOOD_AID_PARTNERS.get(name, ""),
            )
            Schedule.objects.create(
                pickup_point=point,
                weekday=weekday,
                start_time=dt.time.fromisoformat(start),
                end_time=dt.time.fromisoformat(end),
                cutoff_hours=48,
                valid_from=dt.date(2026, 9, 1),
            )
        elif not point.food_aid_partner and FOOD_AID_PARTNERS.get(name):
            # points made before partners existed; one an admin changed is left alone
            point.food_aid_partner = FOOD_AID_PARTNERS[name]
            point.save(update_fields=["food_aid_partner"])
        if index == 0:
            if coordinator is not None:
                point.coordinators.add(coordinator)
            if volunteer is not None:
                point.volunteers.add(volunteer)
        points.append(point)
    thabor = Collective.objects.get(slug=slugify(PICKUP_POINTS[0][0]))
    year = timezone.localdate().year
    Closure.objects.get_or_create(
        collective=thabor,
        start_date=dt.date(year, 12, 21),
        end_date=dt.date(year + 1, 1, 3),
        defaults={"reason": "Vacances de Noël"},
    )
    materialise_distribution_days()
    return points


VOLUNTEER_INSTRUCTIONS = (
    "Clé du local chez le gardien (code 2468). Sortir les tables pliantes, installer les "
    "cagettes par contrat, afficher la liste d'émargement. En fin de distribution : noter les "
    "paniers restants, ranger et fermer à clé."
)


def ensure_demo_distribution(volunteer, neighbour) -> DistributionDay | None:
    """Yesterday evening's distribution at the first demo point, still to be closed: the demo
    volunteer (and a neighbour) ran it, so its pickup list can be opened on a phone, ticked,
    printed and closed. Past days are never touched by the calendar. Made once."""
    from baskets.services import generate_basket_deliveries
    from deliveries.distribution.selectors.pickup_list import prepare_handovers

    point = PickupPoint.objects.filter(slug=slugify(PICKUP_POINTS[0][1])).first()
    if point is None:
        return None
    PickupPoint.objects.filter(collective__slug__in=[slugify(p[0]) for p in PICKUP_POINTS]).filter(
        volunteer_instructions=""
    ).update(volunteer_instructions=VOLUNTEER_INSTRUCTIONS)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    starts_at = timezone.make_aware(dt.datetime.combine(yesterday, dt.time(18, 0)))
    day, created = DistributionDay.objects.get_or_create(
        pickup_point=point,
        date=yesterday,
        defaults={
            "starts_at": starts_at,
            "ends_at": starts_at + dt.timedelta(hours=1, minutes=30),
            "cutoff_at": starts_at - dt.timedelta(hours=48),
            "state": DayState.CLOSED,
        },
    )
    if created:
        generate_basket_deliveries([point.pk], yesterday, yesterday)
        for person in (volunteer, neighbour):
            VolunteerShift.objects.get_or_create(distribution_day=day, volunteer=person)
        prepare_handovers(day)
    return day
