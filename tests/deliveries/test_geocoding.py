"""The offline gazetteer: towns and postcodes resolve with no network."""

from deliveries.network.geocoding import OfflineGazetteer, locate_town, normalise


def test_postcode_finds_its_town():
    place = locate_town("35000")
    assert place.name == "Rennes"
    assert 48.0 < place.latitude < 48.2 and -1.8 < place.longitude < -1.6


def test_town_name_ignores_case_accents_and_hyphens():
    assert locate_town("cesson sevigne").name == "Cesson-Sévigné"
    assert locate_town("St Malo").name == "Saint-Malo"


def test_postcode_and_town_together_pick_that_town():
    assert locate_town("35510 Cesson-Sévigné").name == "Cesson-Sévigné"


def test_unknown_places_give_nothing():
    assert locate_town("Atlantide") is None
    assert locate_town("00000") is None
    assert locate_town("   ") is None


def test_geopy_geocoder_interface():
    location = OfflineGazetteer().geocode("35700")
    assert location.raw["city"] == "Rennes"
    assert location.latitude > 48


def test_normalise():
    assert normalise("Saint-Aubin-du-Cormier") == "saint aubin du cormier"
