"""Synthetic frames in the shape of the choropleth and events contracts.

For tests, benchmarks and demonstrations only: every event is flagged ``is_synthetic``.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from sahelmap.boundaries import admin_units
from sahelmap.vocab import EVENT_TYPES

__all__ = ["synthetic_choropleth", "synthetic_events"]

_TYPES = EVENT_TYPES
_TYPE_P = (0.34, 0.30, 0.14, 0.05, 0.07, 0.10)
_ACTORS = ("JNIM: Group for Support of Islam and Muslims", "Islamic State Sahel Province",
           "Military Forces of Mali (2021-)", "Military Forces of Niger (2023-)",
           "Wagner Group", "Dozo Communal Militia (Mali)", "Unidentified Armed Group (Mali)",
           "Civilians (Mali)", "Civilians (Niger)", "Protesters (Niger)", "Rioters (Mali)")
_SOURCES = ("Studio Tamani", "RFI", "ActuNiger", "Le Sahel", "Sahelien.com", "AFP",
            "Local source", "Twitter; Local source")
_VERBS = ("attacked", "ambushed a convoy near", "raided the weekly market of",
          "clashed with a patrol in", "abducted several people in", "set up a checkpoint at")


def synthetic_choropleth(*, level: str = "adm3", seed: int = 0,
                         period: str = "2022-W37") -> gpd.GeoDataFrame:
    """One row per bundled unit with skewed figures and many zeros (simplified geometry)."""
    rng = np.random.default_rng(seed)
    units = admin_units(level, simplified=True)
    if level == "adm3":
        frame = units.rename(columns={"adm3_id": "unit_pcode", "adm3_name": "unit_name"})
    else:
        frame = units.assign(unit_pcode=units["adm1_pcode"], unit_name=units["adm1_name"])
    n = len(frame)
    active = rng.random(n) < 0.45

    def skewed(scale: float) -> np.ndarray:
        return np.where(active & (rng.random(n) < 0.8),
                        np.round(rng.lognormal(np.log(scale), 1.3, n)), 0).astype(int)

    frame = frame.assign(events=skewed(3), fatalities=skewed(6), arrivals=skewed(120),
                         idps=skewed(900), returns=skewed(60), departures=skewed(40),
                         period=period)
    columns = ["unit_pcode", "unit_name", "adm1_pcode", "adm1_name", "events", "fatalities",
               "arrivals", "idps", "returns", "departures", "period", "geometry"]
    return frame[columns]


def synthetic_events(n: int, *, seed: int = 0, start: str = "2022-09-12",
                     days: int = 7) -> gpd.GeoDataFrame:
    """``n`` events at random points inside random Mali and Niger communes."""
    rng = np.random.default_rng(seed)
    communes = admin_units("adm3", simplified=True)
    weights = rng.gamma(0.5, 1.0, len(communes))
    counts = rng.multinomial(n, weights / weights.sum())
    keep = counts > 0
    chosen = communes.loc[keep].reset_index(drop=True)
    points = chosen.geometry.sample_points(size=counts[keep], rng=rng).explode(index_parts=False)
    order = rng.permutation(n)  # events of one commune are not listed together
    points = points.iloc[order]
    rows = chosen.loc[points.index]
    kinds = rng.choice(len(_TYPES), size=n, p=_TYPE_P)
    deaths = np.where(rng.random(n) < 0.55, 0, rng.negative_binomial(1, 0.12, n))
    big = rng.random(n) < 0.003
    deaths[big] = rng.integers(40, 160, int(big.sum()))
    actor1 = rng.integers(0, len(_ACTORS), n)
    actor2 = rng.integers(-3, len(_ACTORS), n)
    places = rows["adm3_name"].to_numpy()
    dates = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    notes = [
        f"On {d:%d %B %Y}, {_ACTORS[a]} {_VERBS[v]} {p} ({r}). "
        f"{f} fatalities reported. Figures are synthetic, for testing only."
        for d, a, v, p, r, f in zip(dates, actor1, rng.integers(0, len(_VERBS), n), places,
                                    rows["adm1_name"], deaths)
    ]
    return gpd.GeoDataFrame({
        "event_date": dates,
        "event_type": np.asarray(_TYPES, dtype=object)[kinds],
        "fatalities": deaths.astype(int),
        "place": places,
        "actor1": np.asarray(_ACTORS, dtype=object)[actor1],
        "actor2": [_ACTORS[a] if a >= 0 else None for a in actor2],
        "source": np.asarray(_SOURCES, dtype=object)[rng.integers(0, len(_SOURCES), n)],
        "notes": notes,
        "adm1_name": rows["adm1_name"].to_numpy(),
        "is_synthetic": True,
    }, geometry=points.to_numpy(), crs="EPSG:4326")
