"""City coordinates in the gazetteer (the dashboard's world map): present, valid, on the right continent."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from talent_pulse.gazetteer import Gazetteer, GazetteerError, load_gazetteer

DATA_FILE = Path(__file__).resolve().parents[2] / "talent_pulse" / "data" / "locations.json"
# (lat range, lon range) that every city of a region lies in: a city matched to the wrong country lands outside
REGION_BOXES = {
    "north-america": ((14, 72), (-170, -50)),
    "latin-america": ((-56, 33), (-120, -30)),
    "europe": ((34, 72), (-25, 45)),
    "middle-east": ((12, 43), (25, 63)),
    "africa": ((-36, 38), (-20, 52)),
    "asia-pacific": ((-48, 56), (60, 180)),
}


@pytest.fixture
def raw() -> dict:
    return json.loads(DATA_FILE.read_text("utf-8"))


def test_every_city_has_coordinates_on_its_continent():
    cities = [loc for loc in load_gazetteer().locations if loc.city is not None]
    assert len(cities) >= 200
    for city in cities:
        (lat_low, lat_high), (lon_low, lon_high) = REGION_BOXES[city.region]
        assert lat_low <= city.lat <= lat_high and lon_low <= city.lon <= lon_high, city
    by_slug = {loc.slug: loc for loc in cities}
    for slug, (lat, lon) in {
        "london-gb": (51.51, -0.13),
        "new-york-us": (40.71, -74.01),
        "sao-paulo-br": (-23.55, -46.64),
        "sydney-au": (-33.87, 151.21),
    }.items():
        assert by_slug[slug].lat == pytest.approx(lat, abs=0.1) and by_slug[slug].lon == pytest.approx(lon, abs=0.1)


def test_places_that_are_not_points_have_no_coordinates():
    for loc in load_gazetteer().locations:
        if loc.city is None:
            assert loc.lat is None and loc.lon is None, loc.slug


@pytest.mark.parametrize(
    "change, message",
    [
        ({"lat": None}, "a city needs its coordinates in decimal degrees"),
        ({"lat": 91.0}, "'lat' in \\[-90, 90\\]"),
        ({"lon": "0.1"}, "got lat=51.5085, lon='0.1'"),
        ({"lat": 0, "lon": 0}, "a city needs its coordinates"),
    ],
)
def test_bad_city_coordinates_are_refused_with_the_fix(raw, change, message):
    broken = copy.deepcopy(raw)
    london = next(e for e in broken["locations"] if e["slug"] == "london-gb")
    london.update(change)
    with pytest.raises(GazetteerError, match=message):
        Gazetteer(broken)


def test_a_country_entry_with_coordinates_is_refused(raw):
    broken = copy.deepcopy(raw)
    next(e for e in broken["locations"] if e["slug"] == "country-de").update(lat=51.0, lon=10.0)
    with pytest.raises(GazetteerError, match="only cities have coordinates"):
        Gazetteer(broken)
