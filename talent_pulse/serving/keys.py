"""The Redis key layout of the serving layer: no other module formats a key string.

Every key is `{<namespace>}:<name>`: the shared hash tag puts all of them in one
cluster slot, so the write script and the read transaction work on cluster-mode
and serverless ElastiCache/Valkey.

Each key's type, content and TTL: docs/serving.md#key-layout, generated from this
module and the TTLs below (`make docs`; tests/unit/test_docs.py keeps it current).

`loc_top` is a read-side materialisation kept by the write script: it lets a
reader (`pulse stats`) fetch every location's top skills in the same round trip
as the rest of the snapshot, without a script that derives key names (ElastiCache
rejects scripts touching undeclared keys). Filtered views do not rely on it: a
`Focus` reads exact counts from the per-location ZSETs in that same round trip.
"""

from __future__ import annotations

from talent_pulse.settings import NAMESPACE_RULE, valid_namespace

MINUTE_BUCKET_TTL_SECONDS = 2 * 3600
HOUR_BUCKET_TTL_SECONDS = 8 * 24 * 3600
MINUTE_TREND_POINTS = 60
HOUR_TREND_POINTS = 48
LOCATION_TOP_SKILLS = 200  # skills per location kept in loc_top
MAX_LOCATIONS = 500
PAIR_SEPARATOR = "|"
# A repeated event_id is a duplicate within this much Kafka ingest time (the hot path's seen sets, the cold
# path's dedup watermark). The seen sets are kept per bucket of ingest time and expire after the window.
DEDUP_WINDOW_SECONDS = 3600
SEEN_BUCKET_SECONDS = 600
SEEN_TTL_SECONDS = DEDUP_WINDOW_SECONDS + 2 * SEEN_BUCKET_SECONDS


class Keys:
    """Builds every serving-layer key of one namespace."""

    def __init__(self, namespace: str):
        if not valid_namespace(namespace):
            raise ValueError(f"serving namespace must be {NAMESPACE_RULE}: {namespace!r}")
        self.namespace = namespace
        self.prefix = f"{{{namespace}}}:"

        # Fixed keys; the parameterised ones are the methods below.
        self.meta = self._key("meta")
        self.skills = self._key("skills")
        self.locations = self._key("locations")
        self.location_top = self._key("loc_top")
        self.pairs = self._key("pairs")
        self.remote = self._key("remote")
        self.seniority = self._key("seniority")
        self.rejected = self._key("rejected")
        self.progress = self._key("progress")

    def _key(self, name: str) -> str:
        return self.prefix + name

    def fence(self, fence_id: str) -> str:
        return self._key(f"fence:{fence_id}")

    def location_skills(self, slug: str) -> str:
        return self._key(f"loc:{slug}:skills")

    def minute_skills(self, epoch_minute: int) -> str:
        return self._key(f"skills:m:{epoch_minute}")

    def hour_skills(self, epoch_hour: int) -> str:
        return self._key(f"skills:h:{epoch_hour}")

    def minute_postings(self, epoch_minute: int) -> str:
        return self._key(f"postings:m:{epoch_minute}")

    def hour_postings(self, epoch_hour: int) -> str:
        return self._key(f"postings:h:{epoch_hour}")

    def seen(self, ingest_bucket: int) -> str:
        return self._key(f"seen:{ingest_bucket}")
