"""Where each region is drawn on the overview: a tile grid, or real boundaries.

The tile grid puts the 25 safety regions roughly where they lie (Groningen top
right, Zeeland bottom left, Zuid-Limburg at the bottom). A region set that is not
exactly these codes (a future redivision, the synthetic sets of the sample
generator) falls back to a plain grid in code order.

Where an analyst places ``regions.geojson`` in the reference folder (features with
a property ``region_code``), the overview draws a choropleth instead. The file is
read defensively: coordinates in the Dutch national grid (RD New, EPSG:28992) are
converted to longitude/latitude, rings are wound the way d3-geo (Plotly) expects,
and coordinates are rounded to about 10 m so that an official file does not blow
up every overview page.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

#: (column, row) per region; row 0 is the top. Roughly the country's shape.
TILE_GRID: dict[str, tuple[int, int]] = {
    "VR10": (2, 0),
    "VR02": (4, 0),
    "VR01": (5, 0),
    "VR11": (2, 1),
    "VR25": (3, 1),
    "VR04": (4, 1),
    "VR03": (5, 1),
    "VR12": (1, 2),
    "VR13": (2, 2),
    "VR14": (3, 2),
    "VR06": (4, 2),
    "VR05": (5, 2),
    "VR15": (0, 3),
    "VR16": (1, 3),
    "VR09": (2, 3),
    "VR07": (3, 3),
    "VR17": (0, 4),
    "VR18": (1, 4),
    "VR21": (2, 4),
    "VR08": (3, 4),
    "VR19": (0, 5),
    "VR20": (1, 5),
    "VR22": (2, 5),
    "VR23": (3, 5),
    "VR24": (3, 6),
}

DECIMALS = 4  # ~10 m at Dutch latitudes


def tile_positions(codes: list[str]) -> dict:
    """{"mode": "geo" | "plain", "pos": {code: [col, row]}, "cols": n, "rows": n}."""
    codes = list(codes)
    if codes and set(codes) == set(TILE_GRID):
        pos = {c: list(TILE_GRID[c]) for c in codes}
        mode = "geo"
    else:
        ncol = max(1, math.ceil(math.sqrt(len(codes) or 1)))
        pos = {c: [i % ncol, i // ncol] for i, c in enumerate(sorted(codes))}
        mode = "plain"
    cols = max((p[0] for p in pos.values()), default=0) + 1
    rows = max((p[1] for p in pos.values()), default=0) + 1
    return {"mode": mode, "pos": pos, "cols": cols, "rows": rows}


# ---------------------------------------------------------------------------- GeoJSON


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """RD New (EPSG:28992) to WGS84 lon/lat, approximation of Schreutelkamp and Strang van Hees (~1 m)."""
    dx, dy = (x - 155000) * 1e-5, (y - 463000) * 1e-5
    som_n = (
        3235.65389 * dy
        - 32.58297 * dx**2
        - 0.2475 * dy**2
        - 0.84978 * dx**2 * dy
        - 0.0655 * dy**3
        - 0.01709 * dx**2 * dy**2
        - 0.00738 * dx
        + 0.0053 * dx**4
        - 0.00039 * dx**2 * dy**3
        + 0.00033 * dx**4 * dy
        - 0.00012 * dx * dy
    )
    som_e = (
        5260.52916 * dx
        + 105.94684 * dx * dy
        + 2.45656 * dx * dy**2
        - 0.81885 * dx**3
        + 0.05594 * dx * dy**3
        - 0.05607 * dx**3 * dy
        + 0.01199 * dy
        - 0.00256 * dx**3 * dy**2
        + 0.00128 * dx * dy**4
        + 0.00022 * dy**2
        - 0.00022 * dx**2
        + 0.00026 * dx**5
    )
    return 5.38720621 + som_e / 3600, 52.15517440 + som_n / 3600


def _signed_area(ring: list[list[float]]) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1])) / 2


def _clean_ring(ring, project, exterior: bool) -> list[list[float]] | None:
    out: list[list[float]] = []
    for pt in ring:
        lon, lat = project(float(pt[0]), float(pt[1]))
        p = [round(lon, DECIMALS), round(lat, DECIMALS)]
        if not out or out[-1] != p:
            out.append(p)
    if len(out) < 4:
        return None
    if out[0] != out[-1]:
        out.append(out[0])
    # d3-geo (used by Plotly) wants exterior rings clockwise, holes counter-clockwise
    clockwise = _signed_area(out) < 0
    if clockwise != exterior:
        out.reverse()
    return out


def _polygons(geometry: object) -> list:
    """The polygons of a GeoJSON geometry (a polygon, a multipolygon or a collection); none for anything else."""
    if not isinstance(geometry, dict):
        return []
    if geometry.get("type") == "Polygon":
        return [geometry.get("coordinates") or []]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry.get("coordinates") or [])
    if geometry.get("type") == "GeometryCollection":
        return [p for g in geometry.get("geometries") or [] for p in _polygons(g)]
    return []


def load_boundaries(reference_dir: Path, codes: list[str]) -> tuple[dict | None, list[str]]:
    """The region boundaries as a compact FeatureCollection, or None; plus notes for the reader.

    Each feature keeps only ``properties.region_code``; the collection also gets
    ``centroids`` {code: [lon, lat]} for the labels on the map.
    """
    path = Path(reference_dir) / "regions.geojson"
    if not path.is_file():
        return None, []
    notes: list[str] = []
    try:
        raw = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        return None, [f"regions.geojson kon niet worden gelezen ({type(exc).__name__}); de tegelkaart wordt getoond."]
    features = raw.get("features") if isinstance(raw, dict) else None
    if not isinstance(features, list):
        return None, ["regions.geojson bevat geen FeatureCollection; de tegelkaart wordt getoond."]

    first = next(
        (pt for f in features for poly in _polygons((f or {}).get("geometry")) for ring in poly[:1] for pt in ring[:1]),
        None,
    )
    rd = first is not None and (abs(float(first[0])) > 360 or abs(float(first[1])) > 90)
    project = rd_to_wgs84 if rd else (lambda x, y: (x, y))
    if rd:
        notes.append("regions.geojson staat in RD New (EPSG:28992) en is omgerekend naar lengte- en breedtegraden.")

    wanted = set(codes)
    out, centroids, unknown = [], {}, []
    for f in features:
        props = (f or {}).get("properties") or {}
        code = str(props.get("region_code") or "").strip().upper()
        if code not in wanted:
            if code:
                unknown.append(code)
            continue
        polys = []
        for poly in _polygons(f.get("geometry")):
            rings = [_clean_ring(r, project, exterior=(i == 0)) for i, r in enumerate(poly)]
            if rings and rings[0]:
                polys.append([r for r in rings if r])
        if not polys:
            continue
        big = max(polys, key=lambda p: abs(_signed_area(p[0])))
        xs, ys = [p[0] for p in big[0]], [p[1] for p in big[0]]
        centroids[code] = [round(sum(xs) / len(xs), DECIMALS), round(sum(ys) / len(ys), DECIMALS)]
        geometry = {"type": "MultiPolygon", "coordinates": polys}
        out.append({"type": "Feature", "id": code, "properties": {"region_code": code}, "geometry": geometry})
    if not out:
        return None, notes + [
            "regions.geojson bevat geen grens met een bekende region_code; de tegelkaart wordt getoond."
        ]
    missing = sorted(wanted - set(centroids))
    if missing:
        notes.append("Geen grens in regions.geojson voor: " + ", ".join(missing) + ".")
    if unknown:
        notes.append("Grenzen van onbekende regio's overgeslagen: " + ", ".join(sorted(set(unknown))) + ".")
    return {"type": "FeatureCollection", "features": out, "centroids": centroids}, notes
