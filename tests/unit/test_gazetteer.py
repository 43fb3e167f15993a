from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from talent_pulse.gazetteer import (
    Gazetteer,
    GazetteerError,
    Location,
    load_gazetteer,
    location_slugs,
    normalise_location,
    normalise_many,
    regions,
)

PACKAGE = Path(__file__).resolve().parents[2] / "talent_pulse"
DATA_FILE = PACKAGE / "data" / "locations.json"


@pytest.fixture
def raw() -> dict:
    return json.loads(DATA_FILE.read_text("utf-8"))


def entry(raw: dict, slug: str) -> dict:
    return next(e for e in raw["locations"] if e["slug"] == slug)


# --- the data file ----------------------------------------------------------------------


def test_the_data_file_validates_and_covers_every_continent(raw):
    gazetteer = Gazetteer(raw)
    cities = [loc for loc in gazetteer.locations if loc.city is not None]
    assert len(cities) >= 150
    regions_with_cities = {loc.region for loc in cities}
    assert regions_with_cities == set(regions()) - {"global", "unknown"}
    expected = {"london-gb", "new-york-us", "sao-paulo-br", "remote-eu", "remote-us", "remote-global"}
    assert expected <= set(location_slugs())


def test_location_slugs_is_the_sorted_slug_set_of_the_file(raw):
    slugs = [e["slug"] for e in raw["locations"]]
    assert location_slugs() == sorted(slugs)
    assert len(set(slugs)) == len(slugs)
    assert "unknown" in location_slugs()


def test_unknown_entry_and_regions(raw):
    assert regions() == raw["regions"]
    assert normalise_location(None) == Location("unknown", None, None, "unknown")


def test_every_alias_round_trips_to_its_own_slug(raw):
    wrong = {
        alias: normalise_location(alias).slug
        for e in raw["locations"]
        for alias in e["aliases"]
        if normalise_location(alias).slug != e["slug"]
    }
    assert wrong == {}


def test_every_city_name_and_country_name_resolves_to_its_entry(raw):
    for e in raw["locations"]:
        if e["kind"] == "city" and normalise_location(e["city"]).city == e["city"]:
            continue
        if e["kind"] == "city":
            # a shared name ("Cambridge") belongs to the entry that claims it; qualified it is unambiguous
            assert normalise_location(f"{e['city']}, {e['country']}").slug == e["slug"], e["slug"]
        if e["kind"] == "country":
            assert normalise_location(f"Somewhere, {e['name']}").slug == e["slug"], e["slug"]


# --- normalisation -----------------------------------------------------------------------

CASES = [
    # North America
    ("New York, NY", "new-york-us"),
    ("NYC", "new-york-us"),
    ("Manhattan, New York", "new-york-us"),
    ("new york city metropolitan area", "new-york-us"),
    ("San Francisco, CA", "san-francisco-us"),
    ("SF Bay Area", "san-francisco-us"),
    ("Mountain View, CA, United States", "mountain-view-us"),
    ("Portland, OR", "portland-us"),
    ("Portland, Oregon, USA", "portland-us"),
    ("Portland, ME", "country-us"),  # Maine's Portland is not in the gazetteer: honest country level
    ("Paris, TX", "country-us"),  # never Paris, France
    ("Rochester, New York", "country-us"),  # the state New York, not the city
    ("Cambridge, MA", "cambridge-us"),
    ("Seattle, Washington", "seattle-us"),
    ("Washington, D.C.", "washington-dc-us"),
    ("Toronto, ON, Canada", "toronto-ca"),
    ("Toronto, CA", "toronto-ca"),
    ("London, Ontario", "country-ca"),
    ("Texas", "country-us"),
    # Latin America
    ("São Paulo - SP, Brasil", "sao-paulo-br"),
    ("Sao Paulo", "sao-paulo-br"),
    ("CDMX, México", "mexico-city-mx"),
    ("Bogota, Colombia", "bogota-co"),
    ("San José, Costa Rica", "san-jose-cr"),
    # Europe
    ("London, UK", "london-gb"),
    ("London, England", "london-gb"),
    ("Greater London", "london-gb"),
    ("  LONDON  ", "london-gb"),
    ("Cambridge", "cambridge-gb"),
    ("München", "munich-de"),
    ("Munich, Bavaria, Germany", "munich-de"),
    ("Hybrid - Berlin", "berlin-de"),
    ("Berlin (Hybrid)", "berlin-de"),
    ("Berlin or New York", "berlin-de"),
    ("Zürich, Switzerland", "zurich-ch"),
    ("ZURICH", "zurich-ch"),
    ("Kraków, Poland (on-site)", "krakow-pl"),
    ("Köln", "cologne-de"),
    ("Germany", "country-de"),
    # Middle East, Africa
    ("Tel Aviv-Yafo, Israel", "tel-aviv-il"),
    ("Dubai - United Arab Emirates", "dubai-ae"),
    ("Lagos, Nigeria", "lagos-ng"),
    ("Cape Town, Western Cape, South Africa", "cape-town-za"),
    ("Nairobi, Kenya (Hybrid)", "nairobi-ke"),
    # Asia-Pacific
    ("Bengaluru", "bangalore-in"),
    ("Bangalore, Karnataka, India", "bangalore-in"),
    ("Gurgaon, Haryana", "gurgaon-in"),
    ("Hyderabad, Pakistan", "country-pk"),
    ("東京", "tokyo-jp"),
    ("Tokyo, Japan (Remote)", "tokyo-jp"),  # a named city beats the remote flag
    ("Sydney NSW", "sydney-au"),
    ("Jurong, Singapore", "country-sg"),
    # remote
    ("Remote", "remote-global"),
    ("Anywhere", "remote-global"),
    ("Remote - EU", "remote-eu"),
    ("Remote (EU)", "remote-eu"),
    ("Remote, Europe", "remote-eu"),
    ("Europe", "remote-eu"),
    ("Remote US", "remote-us"),
    ("Remote (US only)", "remote-us"),
    ("Remote - Texas", "remote-us"),
    ("Remote, CA", "remote-us"),  # two-letter codes are states first
    ("Remote (Germany)", "remote-de"),
    ("Remote, Switzerland", "remote-eu"),  # no remote-ch: the country's region
    ("Remote - LATAM", "remote-latam"),
    ("Work from home", "remote-global"),
    ("Remote - Narnia", "remote-global"),
    # nothing usable
    ("", "unknown"),
    ("   ", "unknown"),
    ("???", "unknown"),
    ("asdf qwerty", "unknown"),
    ("Hybrid", "unknown"),
    ("N/A", "unknown"),
]


@pytest.mark.parametrize("text, slug", CASES)
def test_normalise_location(text, slug):
    assert normalise_location(text).slug == slug


def test_locations_carry_city_country_and_region():
    assert normalise_location("Bangalore") == Location("bangalore-in", "Bengaluru", "IN", "asia-pacific")
    assert normalise_location("Paris, TX") == Location("country-us", None, "US", "north-america")
    assert normalise_location("Remote - EU") == Location("remote-eu", None, None, "europe")
    assert normalise_location("Remote US") == Location("remote-us", None, "US", "north-america")


def test_non_strings_are_unknown():
    assert normalise_location(float("nan")).slug == "unknown"  # pandas' missing value
    assert normalise_location(None).slug == "unknown"


def test_normalise_many_matches_one_by_one():
    texts = [text for text, _ in CASES] + [None, "NYC", "NYC"]
    assert normalise_many(texts) == [normalise_location(t) for t in texts]
    assert normalise_many(iter(["Berlin", None])) == [normalise_location("Berlin"), normalise_location(None)]


def test_every_slug_normalise_can_return_is_in_the_enum(raw):
    enum = set(location_slugs())
    texts = [a for e in raw["locations"] for a in e["aliases"]] + [text for text, _ in CASES]
    texts += [f"Remote, {e['name']}" for e in raw["locations"] if e["kind"] == "country"]
    assert {normalise_location(t).slug for t in texts} <= enum


# --- validation of the data file ----------------------------------------------------------


def _break(raw: dict, change) -> dict:
    broken = copy.deepcopy(raw)
    change(broken)
    return broken


BROKEN = [
    ("duplicate slug", lambda r: r["locations"].append(dict(entry(r, "london-gb"), aliases=[])), "used twice"),
    ("slug format", lambda r: entry(r, "london-gb").update(slug="London_GB"), "slug must be lowercase"),
    (
        "alias on two entries",
        lambda r: entry(r, "paris-fr")["aliases"].append("Greater London"),
        "'Greater London' is claimed by london-gb and paris-fr",
    ),
    ("alias twice after folding", lambda r: entry(r, "london-gb")["aliases"].append("LONDON!"), "listed twice"),
    ("unknown region", lambda r: entry(r, "london-gb").update(region="atlantis"), "region 'atlantis' is not in"),
    ("country code shape", lambda r: entry(r, "country-gb").update(country="GBR"), "ISO 3166-1 alpha-2"),
    ("lower-case country", lambda r: entry(r, "paris-fr").update(country="fr"), "ISO 3166-1 alpha-2"),
    ("missing unknown", lambda r: r["locations"].remove(entry(r, "unknown")), "add the entry {'slug': 'unknown'"),
    ("typo in a key", lambda r: entry(r, "lima-pe").update(alias=["x"]), "unknown keys ['alias']"),
    ("city slug without country", lambda r: entry(r, "lima-pe").update(slug="lima"), "ends with its country"),
    (
        "country without country entry",
        lambda r: r["locations"].remove(entry(r, "country-pe")),
        "add a country entry 'country-pe'",
    ),
    (
        "region differs within a country",
        lambda r: entry(r, "lima-pe").update(region="europe"),
        "one country, one region",
    ),
    ("US city without state", lambda r: entry(r, "austin-us").pop("subdivision"), "name their subdivision"),
    ("state not listed", lambda r: entry(r, "austin-us").update(subdivision="Texass"), "'Texass' is not listed"),
    (
        "shared city name unclaimed",
        lambda r: entry(r, "cambridge-gb")["aliases"].remove("Cambridge"),
        "'Cambridge' is shared by",
    ),
    ("empty alias", lambda r: entry(r, "lima-pe")["aliases"].append(" - "), "has no letters or digits"),
    ("no global remote entry", lambda r: r["locations"].remove(entry(r, "remote-global")), "region 'global'"),
    (
        "two remote entries for a region",
        lambda r: r["locations"].append(dict(entry(r, "remote-eu"), slug="remote-europe", aliases=[])),
        "europe has two remote entries: remote-eu, remote-europe",
    ),
]


@pytest.mark.parametrize("change, message", [(c, m) for _, c, m in BROKEN], ids=[name for name, _, _ in BROKEN])
def test_a_broken_data_file_fails_with_a_clear_message(raw, change, message):
    with pytest.raises(GazetteerError, match=r"locations\.json") as caught:
        Gazetteer(_break(raw, change))
    assert message in str(caught.value)


def test_load_gazetteer_is_cached():
    assert load_gazetteer() is load_gazetteer()


# --- packaging and layering -----------------------------------------------------------


def _run(code: str, pythonpath: str, *flags: str) -> str:
    result = subprocess.run(
        [sys.executable, *flags, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": pythonpath},
        cwd=Path(pythonpath).parent,
    )
    return result.stdout.strip()


def test_loads_from_a_zipped_package(tmp_path):
    archive = tmp_path / "talent_pulse.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in ("__init__.py", "gazetteer.py", "remote_words.py", "data/locations.json", "data/remote_words.json"):
            zf.write(PACKAGE / name, f"talent_pulse/{name}")
    out = _run(
        "import talent_pulse.gazetteer as g; print(g.__file__.endswith('.zip/talent_pulse/gazetteer.py'), "
        "g.normalise_location('München, Bayern').slug)",
        str(archive),
        "-S",  # no site-packages: the editable install must not supply the package instead of the zip
    )
    assert out == "True munich-de"


def test_ground_floor_imports_nothing_heavy():
    out = _run(
        "import sys, talent_pulse.gazetteer; "
        "print(sorted(m for m in ('pyspark', 'boto3', 'pandas', 'streamlit') if m in sys.modules))",
        str(PACKAGE.parent),
    )
    assert out == "[]"


# Cases from issue 12 (locations read wrong), each with the slug a reader expects.
TRAPS = {
    "On-site, no remote": "unknown",
    "Non-remote": "unknown",
    "Not remote - Berlin": "berlin-de",
    "Paris TX": "country-us",
    "Birmingham AL": "country-us",
    "Athens GA": "country-us",
    "London ON": "country-ca",
    "Holland, MI": "country-us",
    "Lebanon, PA": "country-us",
    "Peru, IL": "country-us",
    "Tbilisi, Georgia": "country-ge",
    "Atlanta, Georgia": "atlanta-us",
    "Victoria, BC": "country-ca",
    "Washington State": "country-us",
    "North Korea": "country-kp",
    "Anywhere in the US": "remote-us",
    "Remote (EMEA)": "remote-eu",
    "𝐋𝐨𝐧𝐝𝐨𝐧": "london-gb",
    "Lon\u200bdon": "london-gb",
    "Lon\u00addon": "london-gb",
    "Ｌｏｎｄｏｎ": "london-gb",
    "Berlin or New York": "berlin-de",
}


@pytest.mark.parametrize("text, slug", list(TRAPS.items()), ids=list(TRAPS))
def test_issue_traps_resolve_as_a_reader_would(text, slug):
    assert normalise_location(text).slug == slug


def test_dash_runs_cost_linear_time():
    import time

    def seconds(text: str) -> float:
        started = time.perf_counter()
        load_gazetteer().normalise(text)
        return time.perf_counter() - started

    plain = "Berlin " * 70
    assert seconds("a" + "-" * 500) < 20 * max(seconds(plain), 1e-4)  # ratio, not a time: was quadratic


def test_fold_is_the_table_applied_character_by_character():
    from talent_pulse.gazetteer import fold, fold_table

    table = fold_table()
    assert table["Ä"] == "a" and table["\u200b"] == "" and table["Ｐ"] == "p" and "a" not in table
    assert fold("İstanbul München") == "istanbul munchen"
