"""Vega-Lite specs for the dashboard, as plain dicts (drawn with st.vega_lite_chart).

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
            "y": {"field": "skill", "type": "nominal", "sort": "-x", "title": None,
                  "axis": {"labelOverlap": False, "labelLimit": 160}},
            "color": {"field": "category", "type": "nominal", "scale": PALETTE, "legend": {"orient": "bottom"}},
            "tooltip": [{"field": "skill"}, {"field": "category"},
                        {"field": "postings", "type": "quantitative", "format": ","}],
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
            "tooltip": [{"field": "skill"}, {"field": "time", "type": "temporal", "format": time_format},
                        {"field": "postings", "type": "quantitative"}],
        },
    }


def heatmap(locations: int) -> Spec:
    return {
        "height": max(200, 28 * locations),
        "encoding": {
            "x": {"field": "skill", "type": "nominal", "title": None, "sort": None,
                  "axis": {"orient": "top", "labelAngle": -30, "labelLimit": 140}},
            "y": {"field": "location", "type": "nominal", "title": None, "sort": None},
        },
        "layer": [
            {"mark": "rect", "encoding": {
                "color": {"field": "share_pct", "type": "quantitative", "title": "% of postings",
                          "scale": {"scheme": "blues"}},
                "tooltip": [{"field": "location"}, {"field": "skill"},
                            {"field": "share_pct", "type": "quantitative", "format": ".1f"},
                            {"field": "postings", "type": "quantitative"}]}},
            {"mark": {"type": "text", "fontSize": 11}, "encoding": {
                "text": {"field": "share_pct", "type": "quantitative", "format": ".0f"},
                "color": {"condition": {"test": "datum.share_pct > 50", "value": "white"}, "value": "#333"}}},
        ],
    }


def mix(label: str, order: list[str]) -> Spec:
    return {
        "mark": {"type": "arc", "innerRadius": 55},
        "height": 200,
        "encoding": {
            "theta": {"field": "postings", "type": "quantitative"},
            "color": {"field": label, "type": "nominal", "sort": order, "scale": PALETTE},
            "tooltip": [{"field": label}, {"field": "postings", "type": "quantitative", "format": ","},
                        {"field": "share_pct", "type": "quantitative", "format": ".1f"}],
        },
    }


def weekly() -> Spec:
    return {
        "mark": {"type": "line", "point": True},
        "height": 280,
        "encoding": {
            "x": {"field": "week", "type": "temporal", "title": "week starting",
                  "axis": {"format": "%d %b", "tickCount": "week"}},
            "y": {"field": "postings", "type": "quantitative"},
            "color": {"field": "skill", "type": "nominal", "scale": PALETTE},
            "tooltip": [{"field": "week", "type": "temporal"}, {"field": "skill"},
                        {"field": "postings", "type": "quantitative"}, {"field": "share_pct", "type": "quantitative"}],
        },
    }
