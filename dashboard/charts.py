"""Chart specs for the dashboard, as plain dicts: Vega-Lite (st.vega_lite_chart) and one Plotly figure,
the world map (st.plotly_chart).

Plain specs instead of Altair objects: Altair validates every chart against the
JSON schema on each refresh, which cost ~10× the Redis read (tests/bench/bench_dashboard.py).
No Streamlit here, so the benchmark builds exactly what the page sends.
"""

from __future__ import annotations

from typing import Any

Spec = dict[str, Any]
PALETTE = {"scheme": "tableau10"}


def top_skills(rows: int) -> Spec:
    return {
        "mark": {"type": "bar", "cornerRadiusEnd": 3},
        "height": {"step": 24} if rows else 200,
        "encoding": {
            "x": {"field": "postings", "type": "quantitative", "title": "postings"},
            "y": {
                "field": "skill",
                "type": "nominal",
                "sort": "-x",
                "title": None,
                "axis": {"labelOverlap": False, "labelLimit": 160},
            },
            "color": {"field": "category", "type": "nominal", "scale": PALETTE, "legend": {"orient": "bottom"}},
            "tooltip": [
                {"field": "skill"},
                {"field": "category"},
                {"field": "postings", "type": "quantitative", "format": ","},
            ],
        },
    }


def trend(time_format: str) -> Spec:
    return {
        "mark": {"type": "line", "strokeWidth": 2.5},
        "height": 260,
        "encoding": {
            "x": {"field": "time", "type": "temporal", "title": None, "axis": {"format": time_format}},
            "y": {"field": "postings", "type": "quantitative", "title": "postings"},
            "color": {"field": "skill", "type": "nominal", "scale": PALETTE},
            "tooltip": [
                {"field": "skill"},
                {"field": "time", "type": "temporal", "format": time_format},
                {"field": "postings", "type": "quantitative"},
            ],
        },
    }


def heatmap(locations: int) -> Spec:
    return {
        "height": max(200, 28 * locations),
        "encoding": {
            "x": {
                "field": "skill",
                "type": "nominal",
                "title": None,
                "sort": None,
                "axis": {"orient": "top", "labelAngle": -30, "labelLimit": 140},
            },
            "y": {"field": "location", "type": "nominal", "title": None, "sort": None},
        },
        "layer": [
            {
                "mark": "rect",
                "encoding": {
                    "color": {
                        "field": "share_pct",
                        "type": "quantitative",
                        "title": "% of postings",
                        "scale": {"scheme": "blues"},
                    },
                    "tooltip": [
                        {"field": "location"},
                        {"field": "skill"},
                        {"field": "share_pct", "type": "quantitative", "format": ".1f"},
                        {"field": "postings", "type": "quantitative"},
                    ],
                },
            },
            {
                "mark": {"type": "text", "fontSize": 10},
                "encoding": {
                    "text": {"field": "share_pct", "type": "quantitative", "format": ".1f"},
                    "color": {"condition": {"test": "datum.share_pct > 50", "value": "white"}, "value": "#333"},
                },
            },
        ],
    }


def mix(label: str, order: list[str]) -> Spec:
    return {
        "mark": {"type": "arc", "innerRadius": 55},
        "height": 200,
        "encoding": {
            "theta": {"field": "postings", "type": "quantitative"},
            "color": {"field": label, "type": "nominal", "sort": order, "scale": PALETTE},
            "tooltip": [
                {"field": label},
                {"field": "postings", "type": "quantitative", "format": ","},
                {"field": "share_pct", "type": "quantitative", "format": ".1f"},
            ],
        },
    }


def weekly() -> Spec:
    return {
        "mark": {"type": "line", "point": True},
        "height": 280,
        "encoding": {
            "x": {
                "field": "week",
                "type": "temporal",
                "title": "week starting",
                "axis": {"format": "%d %b", "tickCount": "week"},
            },
            "y": {"field": "postings", "type": "quantitative"},
            "color": {"field": "skill", "type": "nominal", "scale": PALETTE},
            "tooltip": [
                {"field": "week", "type": "temporal"},
                {"field": "skill"},
                {"field": "postings", "type": "quantitative"},
                {"field": "share_pct", "type": "quantitative"},
            ],
        },
    }


# The map's base layer is Plotly's own geo projection over country outlines that the dashboard
# serves itself (dashboard/static/world_110m.json, Streamlit static serving): no tile server and
# no CDN at render time. Only the layers that file holds (land, countries) may be switched on.
MAP_CONFIG = {"topojsonURL": "app/static/", "displayModeBar": False, "scrollZoom": False}
MAP_MAX_MARKER_PX = 34


def world_map(frame: Any, skill: str = "") -> Spec:
    """Bubbles per city: area by postings; with a skill, colour by that skill's share of the city's postings."""
    largest = max(float(frame["postings"].max()), 1.0) if len(frame) else 1.0
    sizes = [max(4.0, MAP_MAX_MARKER_PX * (n / largest) ** 0.5) for n in frame["postings"]]
    if skill:
        hover = [
            f"<b>{loc}</b><br>{n:,} postings<br>{skill}: {k:,} ({pct:.1f}%)"
            for loc, n, k, pct in zip(
                frame["location"], frame["postings"], frame["skill_postings"], frame["share_pct"], strict=True
            )
        ]
        marker = {
            "size": sizes,
            "color": list(frame["share_pct"]),
            "colorscale": "Blues",
            "cmin": 0,
            "showscale": True,
            "colorbar": {"title": {"text": f"% {skill}"}, "ticksuffix": "%", "thickness": 12},
            "line": {"width": 0.6, "color": "#1b1f24"},
            "opacity": 0.9,
        }
    else:
        hover = [f"<b>{loc}</b><br>{n:,} postings" for loc, n in zip(frame["location"], frame["postings"], strict=True)]
        marker = {"size": sizes, "color": "#1f6feb", "opacity": 0.55, "line": {"width": 0.6, "color": "#0b3d91"}}
    return {
        "data": [
            {
                "type": "scattergeo",
                "lat": list(frame["lat"]),
                "lon": list(frame["lon"]),
                "mode": "markers",
                "marker": marker,
                "text": hover,
                "hovertemplate": "%{text}<extra></extra>",
            }
        ],
        "layout": {
            "height": 430,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "geo": {
                "projection": {"type": "natural earth"},
                "resolution": 110,
                "showframe": False,
                "showland": True,
                "landcolor": "#eef1f5",
                "showcountries": True,
                "countrycolor": "#b8c0cc",
                "showcoastlines": False,
                "showocean": False,
                "showlakes": False,
                "showrivers": False,
                "showsubunits": False,
                "bgcolor": "rgba(0,0,0,0)",
                "lataxis": {"range": [-56, 78]},
            },
        },
    }
