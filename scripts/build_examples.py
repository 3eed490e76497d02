"""Write the example data set in ``sahelmap/data/examples/`` (deterministic).

Two parts, kept apart by the ``is_synthetic`` column of every row:

- rows taken from one published account of the ISGS offensive in the Gao and Ménaka regions
  (2022): the raid on the displaced-people camp at Kadji just outside Gao (11 killed), the
  stoning at Tin-Hama near Ansongo (2 killed, September), "nearly 60,000 people" arrived in
  Gao, Ménaka "swamped" by displaced people (no figure given: no row invented for it);
- a plausible synthetic weekly series (2022-W30 to 2022-W40) around it, every row marked
  ``is_synthetic = true`` and "SYNTHETIC" in its notes. It is made up for demonstration and
  must never be cited.

Run: ``python scripts/build_examples.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "sahelmap" / "data" / "examples"
ACCOUNT = "Published account of the ISGS offensive in the Gao and Ménaka regions (2022)"
DATE_NOTE = "the account gives the month only; dated in the week of 12 Sept 2022 for the example"

# ACLED-style columns, as analysts receive exports.
ACCOUNT_EVENTS = [
    dict(event_date="2022-09-12", event_type="Violence against civilians",
         sub_event_type="Attack", actor1="Islamic State Sahel Province (ISGS)",
         actor2="Civilians (Mali)", country="Mali", admin1="Gao", location="Kadji",
         latitude="", longitude="", fatalities=11,
         notes=f"Raid on the displaced-people camp at Kadji, just outside Gao. {DATE_NOTE}.",
         source=ACCOUNT, is_synthetic=False),
    dict(event_date="2022-09-14", event_type="Violence against civilians",
         sub_event_type="Attack", actor1="Islamic State Sahel Province (ISGS)",
         actor2="Civilians (Mali)", country="Mali", admin1="Gao", location="Tin-Hama",
         latitude="", longitude="", fatalities=2,
         notes=f"Stoning at Tin-Hama, near Ansongo, in September. {DATE_NOTE}.",
         source=ACCOUNT, is_synthetic=False),
]
ACCOUNT_DISPLACEMENT = [
    dict(date="2022-09-12", period_end="2022-09-18", location="Gao", admin1="Gao",
         country="Mali", figure_type="arrivals", count=60000,
         notes="'Nearly 60,000 people have arrived in Gao' (cumulative, as reported). "
               f"{DATE_NOTE}.", source=ACCOUNT, is_synthetic=False),
]

# Places of the synthetic series (names as reports spell them, some with accents, some not).
PLACES = [
    ("Gao", "Mali", 0.30), ("Ansongo", "Mali", 0.12), ("Ménaka", "Mali", 0.16),
    ("Tidermène", "Mali", 0.05), ("Inekar", "Mali", 0.05), ("Andéramboukane", "Mali", 0.06),
    ("Talataye", "Mali", 0.06), ("Tessit", "Mali", 0.04), ("Bourem", "Mali", 0.04),
    ("Tillabéri", "Niger", 0.04), ("Ayorou", "Niger", 0.04), ("Banibangou", "Niger", 0.04),
]
EVENT_TYPES = [("Violence against civilians", 0.5), ("Battles", 0.3),
               ("Explosions/Remote violence", 0.15), ("Strategic developments", 0.05)]
ACTORS = ["Islamic State Sahel Province (ISGS)", "JNIM", "Military Forces of Mali",
          "MSA: Movement for the Salvation of Azawad", "Unidentified armed group"]


def synthetic_events(rng: np.random.Generator) -> pd.DataFrame:
    weeks = pd.date_range("2022-07-25", "2022-10-03", freq="W-MON")
    rows = []
    names, countries, weights = zip(*PLACES)
    for week in weeks:
        for _ in range(int(rng.poisson(9))):
            i = rng.choice(len(names), p=np.array(weights) / sum(weights))
            kind = EVENT_TYPES[rng.choice(len(EVENT_TYPES), p=[w for _, w in EVENT_TYPES])][0]
            day = week + pd.Timedelta(days=int(rng.integers(7)))
            deaths = int(rng.negative_binomial(1, 0.25)) if kind != "Strategic developments" else 0
            rows.append(dict(
                event_date=day.strftime("%Y-%m-%d"), event_type=kind, sub_event_type="",
                actor1=str(rng.choice(ACTORS)), actor2="Civilians" if "civilians" in kind else "",
                country=countries[i], admin1="", location=names[i], latitude="", longitude="",
                fatalities=deaths, notes="SYNTHETIC example row, not a real event.",
                source="sahelmap synthetic series", is_synthetic=True))
    return pd.DataFrame(rows)


def synthetic_displacement(rng: np.random.Generator) -> pd.DataFrame:
    weeks = pd.date_range("2022-07-25", "2022-10-03", freq="W-MON")
    rows = []
    for n, week in enumerate(weeks):
        for place, country, figure, scale in (
            ("Ménaka", "Mali", "arrivals", 1800), ("Ménaka", "Mali", "idps", 25000),
            ("Ansongo", "Mali", "arrivals", 600), ("Ansongo", "Mali", "departures", 300),
            ("Tillabéri", "Niger", "arrivals", 400), ("Ayorou", "Niger", "arrivals", 250),
            ("Gao", "Mali", "idps", 30000),
        ):
            growth = 1 + 0.08 * n if figure == "idps" else 1 + 0.25 * (n > 5)
            count = int(rng.normal(scale * growth, scale * 0.1))
            rows.append(dict(
                date=week.strftime("%Y-%m-%d"),
                period_end=(week + pd.Timedelta(days=6)).strftime("%Y-%m-%d"),
                location=place, admin1="", country=country, figure_type=figure,
                count=max(count, 0), notes="SYNTHETIC example row, not a real figure.",
                source="sahelmap synthetic series", is_synthetic=True))
    return pd.DataFrame(rows)


def main() -> None:
    rng = np.random.default_rng(2022)
    OUT.mkdir(parents=True, exist_ok=True)
    events = pd.concat([pd.DataFrame(ACCOUNT_EVENTS), synthetic_events(rng)], ignore_index=True)
    events.sort_values("event_date", kind="stable").to_csv(OUT / "events.csv", index=False)
    displacement = pd.concat([pd.DataFrame(ACCOUNT_DISPLACEMENT), synthetic_displacement(rng)],
                             ignore_index=True)
    displacement.sort_values("date", kind="stable").to_csv(OUT / "displacement.csv", index=False)
    pd.DataFrame([dict(
        name="Kadji", lon=0.0167, lat=16.2458, aliases="Kadji camp|Kadji IDP camp",
        note="Displaced-people camp just outside Gao; approximate position for the example",
    )]).to_csv(OUT / "places.csv", index=False)
    print(f"events {len(events)}, displacement {len(displacement)}")


if __name__ == "__main__":
    main()
