"""Place names to admin units: exact key, alias, then fuzzy match against the gazetteer.

:class:`NameMatcher` folds each reported name (case, accents, hyphens, apostrophes), splits
compound reports ("Kadji, Gao"), resolves relative phrases ("outside Gao", "30 km north of
Ménaka") to their anchor with a lower confidence, and never silently picks one of several
regions for an ambiguous name: a country or admin1 hint of the row must settle it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from sahelmap.gazetteer import KINDS, Gazetteer
from sahelmap.geocoding.results import RESULT_COLUMNS, add_note, missing, unmatched
from sahelmap.vocab import COUNTRIES, country_code, fold

__all__ = ["CONFIDENCE", "MIN_FUZZY_LENGTH", "NameMatcher", "spelling_key"]

# Names shorter than this are not scored by similarity: one letter more or less turns a short
# name into another place (Doro / Dioro, Douna / Diouna, both real communes). They match as a
# spelling variant (same spelling key, see spelling_key); as a slip of the pen that keeps the
# name's consonants and first sound (see _is_slip) when no other name is one edit away; a
# letter short of a longer name, as that name when no other is one edit away (Zindr); or, in
# a row with an admin1 hint, as the only name of that region one edit away (_hinted_edit).
MIN_FUZZY_LENGTH = 6
# Names shorter than this (Gao, Kai) match as spelling variants only.
MIN_SLIP_LENGTH = 4
_VOWELS = frozenset("aeiouy")
# first letters that are one sound (vowels are one class: Intahaka / Entahaka)
_FIRST_SOUND = {**dict.fromkeys("aeiouy", "a"), "c": "k", "q": "k"}
# How one sound of a Sahel name is written in French, English or by ear: each pattern of a
# folded name becomes one spelling, in this order (then doubled letters are written once).
_SPELLINGS = [(re.compile(p), r) for p, r in (
    (r"[^a-z0-9]", ""), (r"ts?ch|tsh", "ch"), (r"sh", "ch"), (r"kh", "k"), (r"gh", "g"),
    (r"dj", "j"), (r"ou", "u"), (r"w", "u"), (r"y", "i"), (r"qu", "k"), (r"c(?=[aouk])", "k"),
    (r"ph", "f"), (r"([a-z])\1+", r"\1"))]
CONFIDENCE = {"coordinates": 1.0, "exact": 1.0, "alias": 0.95, "admin-name": 0.9}
RELATIVE_FACTOR = 0.75
# A misspelt name whose best match scores less than this above a match in another region is
# ambiguous (points of fuzzy score, 0-100).
RIVAL_MARGIN = 3
# Names are scored against the gazetteer in blocks of at most this many (name, key) pairs.
_SCORE_CELLS = 2_000_000

_DIRECTION = (r"(?:north|south|east|west|north ?east|north ?west|south ?east|south ?west"
              r"|nord|sud|est|ouest|nord ?est|nord ?ouest|sud ?est|sud ?ouest)")
_RELATIVE = re.compile(
    r"^(?:(?:just|right|about|some|approximately|environ|a|at)\s+)*(?:"
    r"outside(?:\s+of)?|outskirts\s+of|on\s+the\s+outskirts\s+of|near|nearby|close\s+to"
    r"|around|in\s+the\s+vicinity\s+of|vicinity\s+of|not\s+far\s+from"
    r"|pres\s+de|pres\s+d|proche\s+de|non\s+loin\s+de|aux\s+environs\s+de|environs\s+de"
    r"|a\s+la\s+sortie\s+de|sortie\s+de|a\s+proximite\s+de|a\s+proximite\s+d|autour\s+de"
    rf"|(?:\d+\s*(?:km|kms|kilometres|kilometers|miles|mi)\s+)?(?:au\s+|a\s+l\s+)?{_DIRECTION}"
    r"\s+(?:of|from|de|d)"
    r"|\d+\s*(?:km|kms|kilometres|kilometers|miles|mi)\s+(?:of|from|de|d)"
    r")\s+(?P<anchor>.+)$"
)
_GENERIC = re.compile(
    r"^(?:the\s+|le\s+|la\s+|les\s+)?(?:(?:displaced(?:\s+people\s*s?)?|idp|idps|refugee|pdi)"
    r"\s+(?:camp|site|settlement)s?(?:\s+(?:at|of|in|de|d))?|(?:camp|site)\s+(?:de|d|des|at|of)"
    r"(?:\s+(?:deplaces|pdi|refugies))?(?:\s+(?:de|d|a))?|village\s+(?:of|de|d)|town\s+of"
    r"|city\s+of|ville\s+de|commune\s+(?:of|de|d)|cercle\s+(?:of|de|d)|department\s+of"
    r"|departement\s+de|region\s+(?:of|de|d)|circle\s+of|the)\s+"
)
#: Kinds of entries that are places (located by their point), not named admin units.
_PLACE_KINDS = ("place", "commune", "user")
_SUFFIX = re.compile(r"\s+(?:region|town|city|village|commune|cercle|district|department|"
                     r"departement|camp|site)$")


class NameMatcher:
    """Match place names against a gazetteer whose entries carry their admin units.

    Parameters
    ----------
    gazetteer : Gazetteer
        Entries with ``adm0_pcode, adm1_pcode`` (and ``adm2_pcode, adm2_name`` where known).
    adm1_names : mapping
        ``{adm1_pcode: name}``, for messages and results.
    adm1_hints : mapping
        ``{folded name or code: adm1_pcode}``: what an admin1 hint of a row may say.
    fuzzy_threshold : float
        Minimum similarity (0-100) for a misspelt name to match: the better of the rapidfuzz
        ``ratio`` and a near-miss score that forgives spelling variants (ou/u, dj/j, w/ou,
        doubled letters...) and counts a swap of two letters as one edit.
    """

    def __init__(self, gazetteer: Gazetteer, *, adm1_names: Mapping[str, str],
                 adm1_hints: Mapping[str, str], fuzzy_threshold: float) -> None:
        self.gazetteer = gazetteer
        self.adm1_names = dict(adm1_names)
        self._adm1_hints = dict(adm1_hints)
        # the regions under the spelling their French, English and by-ear variants share
        # (Taoudeni/Taoudenni): one region per spelling, or none
        spelt: dict[str, set[str]] = {}
        for key, region in self._adm1_hints.items():
            spelt.setdefault(spelling_key(key), set()).add(region)
        self._adm1_spelt = {k: r.pop() for k, r in spelt.items() if len(r) == 1}
        self.fuzzy_threshold = fuzzy_threshold
        entries, keys = gazetteer.entries, gazetteer.keys
        rank = {kind: i for i, kind in enumerate(KINDS)}
        self._e_name = entries["name"].astype(object).to_numpy()
        self._e_kind = entries["kind"].astype(object).to_numpy()
        self._e_rank = entries["kind"].map(rank).fillna(len(KINDS)).to_numpy(int)
        self._e_lon = entries["lon"].to_numpy(float)
        self._e_lat = entries["lat"].to_numpy(float)
        self._e_pop = pd.to_numeric(entries["population"], errors="coerce").fillna(0).to_numpy(
            float)
        self._e = {c: entries[c].astype(object).where(entries[c].notna(), None).to_numpy()
                   for c in ("adm0_pcode", "adm1_pcode", "adm2_pcode", "adm2_name")}
        # A name ending in a generic word ("Karan Commune", "Baguineda Camp") is also found
        # under its bare name, as queries are stripped of that word before matching.
        bare = keys["key"].str.replace(_SUFFIX, "", regex=True)
        extra = keys[bare != keys["key"]].assign(key=bare[bare != keys["key"]], via="alias")
        keys = pd.concat([keys, extra], ignore_index=True)
        grouped = keys.groupby("key", sort=True)
        self._key_entries: dict[str, np.ndarray] = {
            k: g["entry"].to_numpy() for k, g in grouped}
        self._key_via: dict[str, np.ndarray] = {
            k: (g["via"] == "alias").to_numpy() for k, g in grouped}
        self._choices = list(self._key_entries)
        self._spellings = [spelling_key(k) for k in self._choices]
        self._first = _first_sounds(self._choices)
        self._slip_size = np.array([len(k) >= MIN_SLIP_LENGTH for k in self._choices])

    def match(self, names: Sequence[Any], countries: Sequence[Any] | None = None,
              admin1s: Sequence[Any] | None = None, *,
              kinds: Sequence[str] | None = None) -> pd.DataFrame:
        """Geocode distinct names (one result row per input, in order).

        Callers with many repeated names should deduplicate first, as
        :meth:`sahelmap.Geocoder.geocode_frame` does. ``kinds`` keeps only gazetteer entries
        of those kinds (``"commune"``, ``"adm2"``...): a name given as a commune is matched
        to communes only.
        """
        names = list(names)
        n = len(names)
        countries = [None] * n if countries is None else list(countries)
        admin1s = [None] * n if admin1s is None else list(admin1s)
        queries = [self._parts(str(nm)) if missing(nm) is not None else [] for nm in names]
        fuzzy_keys = sorted({key for q in queries for key, _ in q
                             if key not in self._key_entries})
        fuzzy, edits = self._fuzzy(fuzzy_keys)
        allowed = None if kinds is None else np.asarray(list(kinds), dtype=object)
        rows = [self._resolve(nm, q, countries[i], admin1s[i], fuzzy, allowed, edits)
                for i, (nm, q) in enumerate(zip(names, queries))]
        return pd.DataFrame(rows, columns=RESULT_COLUMNS)

    def _parts(self, raw: str) -> list[tuple[str, bool]]:
        """:func:`parts` of a reported name, unless the name as written is a gazetteer name.

        Niger's urban departments are named "Ville de Tahoua", "Ville de Maradi": stripped
        of "Ville de" as a generic word, they would be the department around the city
        (Tahoua) or no department at all (Maradi).
        """
        whole = fold(raw)
        return [(whole, False)] if whole in self._key_entries else parts(raw)

    def hint(self, country: Any, admin1: Any) -> tuple[str | None, str | None, list[str]]:
        """The country and ADM1 a row's hints name, and notes on hints not recognised."""
        notes = []
        c = country_code(country) if missing(country) is not None else None
        if missing(country) is not None and c is None:
            notes.append(f"country hint {country!r} not recognised")
        a = None
        if missing(admin1) is not None:
            key = _SUFFIX.sub("", fold(admin1))
            key = re.sub(r"^(?:region\s+(?:de|of|d)|region|cercle\s+de)\s+", "", key)
            a = self._adm1_hints.get(key, self._adm1_spelt.get(spelling_key(key)))
            if a is None:
                notes.append(f"admin1 hint {admin1!r} not recognised")
        return c, a, notes

    def _fuzzy(self, keys: list[str]) -> tuple[dict[str, tuple[list[tuple[str, float]], str,
                                                                 float]], dict[str, list[str]]]:
        """For each key: (matches, best first; closest key, its score); and the edits.

        The edits are, for each short key that matches nothing, the names one edit away
        (of the same first sound and :data:`MIN_SLIP_LENGTH` letters or more): a row whose
        admin1 hint holds only one of them is matched to it (see :meth:`_hinted_edit`).

        The matches are the keys scoring within :data:`RIVAL_MARGIN` of the best, if the best
        reaches the threshold (none otherwise). The score of a key against a choice is the
        better of two scorers, each computed over a block of distinct keys at once: the rapidfuzz
        ``ratio`` of the folded names (for keys of :data:`MIN_FUZZY_LENGTH` letters or more)
        and :func:`_near_miss_scores`, which forgives spelling variants and counts a swap of
        two letters as one edit.
        """
        out: dict[str, tuple[list[tuple[str, float]], str, float]] = {}
        edits: dict[str, list[str]] = {}
        block = max(1, _SCORE_CELLS // max(len(self._choices), 1))  # bounded memory
        for start in range(0, len(keys), block):
            found, near = self._fuzzy_block(keys[start:start + block])
            out.update(found)
            edits.update(near)
        return out, edits

    def _fuzzy_block(self, keys: list[str]) -> tuple[dict[str, tuple[list[tuple[str, float]],
                                                                     str, float]],
                                                      dict[str, list[str]]]:
        scores, by_name = _near_miss_scores(keys, self._choices, self._spellings)
        long = np.flatnonzero([len(k) >= MIN_FUZZY_LENGTH for k in keys])
        if len(long):
            ratio = process.cdist([keys[i] for i in long], self._choices, scorer=fuzz.ratio,
                                  dtype=np.uint8, workers=-1)  # whole points, as always
            scores[long] = np.maximum(scores[long], ratio)
        same_sound = _same_first_sound(_first_sounds(keys), self._first)
        scores[~same_sound] = 0
        best = np.argmax(scores, axis=1)
        out, edits = {}, {}
        for i, key in enumerate(keys):
            top = float(scores[i, best[i]])
            if len(key) < MIN_FUZZY_LENGTH and top < self.fuzzy_threshold:
                if len(key) >= MIN_SLIP_LENGTH:
                    near = np.flatnonzero((by_name[i] <= 1) & same_sound[i] & self._slip_size)
                    edits[key] = [self._choices[j] for j in near]
                continue  # no spelling variant: a short name has no "closest" name
            near = np.flatnonzero(scores[i] >= top - RIVAL_MARGIN) if top >= \
                self.fuzzy_threshold else np.zeros(0, dtype=np.int64)
            near = near[np.argsort(-scores[i][near], kind="stable")]
            out[key] = ([(self._choices[j], round(float(scores[i, j]), 1)) for j in near],
                        self._choices[best[i]], top)
        return out, edits

    def _inside(self, key: str, hint_c: str | None, hint_a: str | None) -> bool:
        """Whether an entry of ``key`` lies inside the row's hints."""
        entries = self._key_entries[key]
        ok = np.ones(len(entries), dtype=bool)
        if hint_c is not None:
            ok &= self._e["adm0_pcode"][entries] == hint_c
        if hint_a is not None:
            ok &= self._e["adm1_pcode"][entries] == hint_a
        return bool(ok.any())

    def _hinted_edit(self, key: str, near: list[str], hint_c: str | None, hint_a: str | None
                     ) -> str | None:
        """The one name one edit from a short key inside the row's admin1 hint, if only one.

        Without a hint, an edit into a short name is never guessed (Doro / Dioro); a row
        that says its region leaves few candidates: one name one edit away in that region (of
        the same first sound, any edit), and no other, is the answer; names one edit away in
        other regions do not count, as the hint is binding. Scored as a slip
        (:func:`_slip_score`), so a strict ``fuzzy_threshold`` refuses it too.
        """
        if hint_a is None:
            return None
        inside = [k for k in near if self._inside(k, hint_c, hint_a)]
        if len(inside) != 1 or _slip_score(key, inside[0]) < self.fuzzy_threshold:
            return None
        return inside[0]

    def _fuzzy_entries(self, candidates: list[tuple[str, float]], hint_c: str | None,
                       hint_a: str | None) -> tuple[np.ndarray, np.ndarray, float, str]:
        """Entries of the best-scoring keys, preferring keys with entries inside the hints."""
        if hint_c is not None or hint_a is not None:
            hinted = [(k, s) for k, s in candidates if self._inside(k, hint_c, hint_a)]
            if hinted and hinted[0][1] >= self.fuzzy_threshold:
                candidates = hinted
        score = candidates[0][1]
        best = [k for k, s in candidates if s == score]
        # a close rival in another region makes the name ambiguous: better than a wrong guess
        regions = {u for k in best for u in self._e["adm1_pcode"][self._key_entries[k]]}
        best += [k for k, s in candidates if score - RIVAL_MARGIN <= s < score and not
                 set(self._e["adm1_pcode"][self._key_entries[k]]) <= regions]
        entries = np.concatenate([self._key_entries[k] for k in best])
        alias = np.concatenate([self._key_via[k] for k in best])
        return entries, alias, score, best[0]

    def _resolve(self, raw: Any, query: list[tuple[str, bool]], country: Any, admin1: Any,
                 fuzzy: dict, kinds: np.ndarray | None = None,
                 edits: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
        if not query:
            return unmatched("no place name given")
        hint_c, hint_a, notes = self.hint(country, admin1)
        missed = []
        for position, (key, relative) in enumerate(query):
            row_notes = notes
            if key in self._key_entries:
                entries, alias = self._key_entries[key], self._key_via[key]
                method, score = None, 100.0
            elif key in fuzzy and fuzzy[key][0]:
                entries, alias, score, _ = self._fuzzy_entries(fuzzy[key][0], hint_c, hint_a)
                method = "fuzzy"
            elif edits and key in edits and (near := self._hinted_edit(key, edits[key], hint_c,
                                                                       hint_a)):
                entries, alias = self._key_entries[near], self._key_via[near]
                method, score = "fuzzy", _slip_score(key, near)
                row_notes = notes + [f"'{key}' is one letter from '{near}', the only name so "
                                     f"close in the row's admin1"]
            else:
                missed.append(key)
                continue
            if kinds is not None:
                keep = np.isin(self._e_kind[entries], kinds)
                entries, alias = entries[keep], alias[keep]
                if not len(entries):
                    missed.append(key)
                    continue
            row = self._choose(str(raw), key, entries, alias, method, score, hint_c, hint_a,
                               row_notes)
            if relative:
                row["confidence"] = round(row["confidence"] * RELATIVE_FACTOR, 3)
                add_note(row, flag="relative", reason=f"located at the anchor place '{key}'")
            if position and missed:
                add_note(row, flag="partial", reason=f"'{missed[0]}' not found")
            if row["status"] == "matched":
                row = self._one_place(str(raw), row, query[position + 1:], hint_c, hint_a,
                                      fuzzy, kinds)
            return row
        closest, suggested = "", ""
        if missed and missed[0] in fuzzy:
            _, near, score = fuzzy[missed[0]]
            closest = f" (closest: '{near}', {score:.0f}%)"
        elif missed and edits and edits.get(missed[0]):
            # a short name one letter from others: never guessed without the row's region,
            # but said, so the row can be given it or the spelling added to the gazetteer
            suggested = self._places(edits[missed[0]])
            closest = (f"; one letter from {suggested.replace('; ', ', ')}: a name this short "
                       "is matched by an edit only inside the row's admin1 (give it, or add "
                       "the spelling to the gazetteer)")
        out = unmatched(f"no gazetteer entry for '{missed[0] if missed else raw}'{closest}")
        out["candidates"] = suggested
        return out

    def _region(self, unit: str) -> str:
        """A region as messages name it: ``Gao (ML07)``."""
        return f"{self.adm1_names.get(unit, unit)} ({unit})"

    def _places(self, keys: list[str], most: int = 4) -> str:
        """Up to ``most`` gazetteer places under ``keys``, one per name and region.

        As ``Mena in Koulikoro (ML02); Ménaka in Ménaka (ML10)``.
        """
        seen: dict[tuple[str, str], str] = {}
        for key in keys:
            for e in self._key_entries[key]:
                seen.setdefault((key, self._e["adm1_pcode"][e]), self._e_name[e])
        return "; ".join(f"{name} in {self._region(u)}"
                         for (_, u), name in list(seen.items())[:most])

    def _one_place(self, raw: str, row: dict[str, Any], rest: list[tuple[str, bool]],
                   hint_c: str | None, hint_a: str | None, fuzzy: dict,
                   kinds: np.ndarray | None) -> dict[str, Any]:
        """A cell that names places in several regions ("Gao/Niamey") is not one place."""
        regions = {row["adm1_pcode"]: row["matched_name"]}
        for key, _ in rest:
            if key in self._key_entries:
                entries = self._key_entries[key]
            elif key in fuzzy and fuzzy[key][0]:
                entries = self._fuzzy_entries(fuzzy[key][0], hint_c, hint_a)[0]
            else:
                continue
            if kinds is not None:
                entries = entries[np.isin(self._e_kind[entries], kinds)]
            units = {u for u in self._e["adm1_pcode"][entries] if u is not None}
            if len(units) == 1 and not units & set(regions):
                unit = units.pop()
                regions[unit] = self._e_name[entries[0]]
        if len(regions) < 2:
            return row
        listing = "; ".join(f"{name} in {self._region(u)}"
                            for u, name in regions.items())
        out = unmatched(f"'{raw}' names places in {len(regions)} regions; report them on "
                        "separate rows")
        out["status"], out["candidates"], out["flags"] = "ambiguous", listing, "several_places"
        return out

    def _choose(self, raw: str, key: str, entries: np.ndarray, alias: np.ndarray,
                method: str | None, score: float, hint_c: str | None, hint_a: str | None,
                notes: list[str]) -> dict[str, Any]:
        for hint, column, label in ((hint_c, "adm0_pcode", "country"),
                                    (hint_a, "adm1_pcode", "admin1")):
            if hint is None:
                continue
            keep = self._e[column][entries] == hint  # of the entries the last hint kept
            if not keep.any():  # a hint of the row is binding: never cross it
                return self._outside_hint(raw, label, hint, entries)
            entries, alias = entries[keep], alias[keep]
        adm0, adm1 = self._e["adm0_pcode"][entries], self._e["adm1_pcode"][entries]
        units = sorted({u for u in adm1 if u is not None})
        if len(units) > 1:
            listing = "; ".join(
                f"{self._e_name[e]} [{self._e_kind[e]}] in {self._region(u)}"
                for u in units for e in entries[adm1 == u][:1])
            row = unmatched(f"'{raw}' is in {len(units)} regions; give a country or admin1 "
                            "hint, or coordinates")
            row["status"], row["candidates"] = "ambiguous", listing
            countries = {c for c in adm0 if c is not None}
            if len(countries) == 1:
                row["adm0_pcode"] = countries.pop()
            return row
        if not units:
            return unmatched(f"'{raw}' matched entries without a known region")
        entries, alias, homonyms, region_only = self._one_cercle(raw, entries, alias)
        if homonyms:
            notes = notes + [homonyms]
        # most specific kind with coordinates, then the most populous
        has_xy = np.isfinite(self._e_lon[entries])
        order = np.lexsort((-self._e_pop[entries], self._e_rank[entries], ~has_xy))
        best = entries[order[0]]
        kind = self._e_kind[best]
        if method is None:
            if kind in ("adm1", "adm2"):
                method = "admin-name"
            else:
                method = "alias" if alias[order[0]] else "exact"
        confidence = CONFIDENCE.get(method, 0.9 * score / 100)
        adm2_pcode, adm2_name = self._e["adm2_pcode"][best], self._e["adm2_name"][best]
        lon, lat = self._e_lon[best], self._e_lat[best]
        if region_only:  # neither the cercle nor the point of one of the homonyms
            adm2_pcode = adm2_name = None
            lon = lat = np.nan
        elif adm2_pcode is None:
            same = {(self._e["adm2_pcode"][e], self._e["adm2_name"][e]) for e in entries
                    if self._e["adm2_pcode"][e] is not None}
            if len(same) == 1:
                adm2_pcode, adm2_name = same.pop()
        # the gazetteer's spelling of the name matched, not the row's own (folded) key
        reason = "; ".join(notes + ([f"fuzzy match {score:.0f}% to '{self._e_name[best]}'"]
                                    if method == "fuzzy" else []))
        flags = ["fuzzy"] * (method == "fuzzy") + ["homonym"] * bool(homonyms)
        return {"matched_name": self._e_name[best], "match_lon": lon,
                "match_lat": lat, "adm0_pcode": self._e["adm0_pcode"][best],
                "adm1_pcode": units[0], "adm1_name": self.adm1_names.get(units[0]),
                "adm2_pcode": adm2_pcode, "adm2_name": adm2_name, "method": method,
                "confidence": round(confidence, 3), "status": "matched", "candidates": "",
                # a name placed by its spelling, or one of homonyms, is counted with a caveat
                # (flagged.csv)
                "flags": ",".join(flags), "reason": reason}

    def _one_cercle(self, raw: str, entries: np.ndarray, alias: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray, str, bool]:
        """The entries of one region narrowed to one cercle, when its places are in several.

        A name may be a commune's and a village's in another cercle of the same region, or a
        commune's and a point of its town misplaced in a neighbouring cercle (GeoNames'
        Tessit): the commune is taken, never the most populous village, and the result says
        so (``homonym``); an entry of the user's own gazetteer is taken before it, unflagged.
        Two communes of one name in different cercles place the row in the region alone.
        Named units (a cercle named as its town) are not places here: the town of Tahoua is
        in the department Ville de Tahoua, not in the department Tahoua. Returns the entries
        kept, their alias marks, the note (empty when nothing was chosen) and whether the
        result is the region's alone.
        """
        if len(entries) < 2:  # most names: no numpy work per name
            return entries, alias, "", False
        adm2, kinds = self._e["adm2_pcode"][entries], self._e_kind[entries]
        cercles = sorted({u for u, kind in zip(adm2, kinds)
                          if u is not None and kind in _PLACE_KINDS})
        if len(cercles) < 2:
            return entries, alias, "", False
        places = np.isin(kinds, _PLACE_KINDS) & (adm2 != None)  # noqa: E711
        word = "departments" if self._e["adm0_pcode"][entries[0]] == "NE" else "cercles"
        listing = "; ".join(
            f"{self._e_name[e]} [{self._e_kind[e]}] in {self._e['adm2_name'][e]} ({u})"
            for u in cercles for e in entries[places & (adm2 == u)][:1])
        said = f"'{raw}' names places in {len(cercles)} {word} ({listing})"
        # the user's own gazetteer says which it means (no guess: not flagged); else the commune
        for kind in ("user", "commune"):
            units = set(adm2[places & (kinds == kind)])
            if len(units) == 1:
                unit = units.pop()
                keep = adm2 == unit
                name = self._e["adm2_name"][entries[keep][0]]
                note = "" if kind == "user" else f"{said}: taken as the commune, in {name} ({unit})"
                return entries[keep], alias[keep], note, False
            if units:
                break
        return entries, alias, f"{said}: placed in the region alone; give the row its " \
            "admin2 or coordinates", True

    def _outside_hint(self, raw: str, label: str, hint: str, entries: np.ndarray
                      ) -> dict[str, Any]:
        """The row's hint excludes every match: unmatched, naming where the matches are."""
        units = sorted({u for u in self._e["adm1_pcode"][entries] if u is not None})
        countries = sorted({COUNTRIES.get(c, c) for c in self._e["adm0_pcode"][entries]
                            if c is not None})
        if label == "country":
            where = " and ".join(countries) or "an unknown country"
            said = COUNTRIES.get(hint, hint)
        else:
            where = ", ".join(self._region(u) for u in units) or "?"
            said = self._region(hint)
        only = "only match is" if len(units) <= 1 else "only matches are"
        row = unmatched(f"'{raw}': {only} in {where}, but the row's {label} is {said}")
        row["candidates"] = "; ".join(
            f"{self._e_name[e]} in {self._region(u)}"
            for e, u in zip(entries[:5], self._e["adm1_pcode"][entries[:5]]))
        row["flags"] = f"{label}_hint_conflict"
        return row


def parts(raw: str) -> list[tuple[str, bool]]:
    """Split a reported place into matching keys, each marked relative or not.

    Examples
    --------
    >>> parts("the displaced camp just outside Gao")
    [('gao', True)]
    >>> parts("Kadji, Gao")
    [('kadji', False), ('gao', False)]
    """
    out = []
    for piece in re.split(r"[,;/()\[\]]| - ", raw):
        key = fold(piece)
        relative = False
        for _ in range(3):  # "the displaced camp just outside Gao"
            before = key
            key = _GENERIC.sub("", key)
            found = _RELATIVE.match(key)
            if found:
                key, relative = found.group("anchor"), True
            key = _SUFFIX.sub("", key)
            if key == before:
                break
        if key:
            out.append((key, relative))
    return out


def spelling_key(key: str) -> str:
    """The spelling of a folded name that its French, English and by-ear variants share.

    Examples
    --------
    >>> spelling_key("tin hama") == spelling_key("tinhama")
    True
    >>> [spelling_key(k) for k in ("ouallam", "wallam", "menakka", "djibo", "jibo")]
    ['ualam', 'ualam', 'menaka', 'jibo', 'jibo']
    """
    for pattern, spelling in _SPELLINGS:
        key = pattern.sub(spelling, key)
    return key


def _near_miss_scores(keys: list[str], choices: list[str], spellings: list[str]
                      ) -> tuple[np.ndarray, np.ndarray]:
    """Second score (0-100) of each key against each choice, for keys the ratio missed.

    Returned with the edit counts between the folded names (OSA, as ``int32``).

    The mean of two edit counts, each a swap of neighbouring letters counting as one (OSA):
    between the folded names and between their spelling keys, over the key's length + 1. A
    spelling variant ("Menakka", "Wallam") costs half of an edit, a one-letter slip in a
    six-letter name scores 85.7. Keys shorter than :data:`MIN_FUZZY_LENGTH` match a choice
    of the same spelling key, or a choice of :data:`MIN_FUZZY_LENGTH` letters or more one
    edit away (scored over the choice's length + 1: "Zindr" for Zinder) when the key has
    one letter fewer at most and no other choice is within one edit ("Menka" is one edit
    from Ménaka and from Mena: no answer). A key of :data:`MIN_SLIP_LENGTH` letters or more
    one slip (:func:`_is_slip`) from a choice of as many, with no other choice one edit away,
    scores as a spelling variant: half of an edit over the longer length + 1 ("Kdal" for
    Kidal, 91.7). Whatever the length, :meth:`NameMatcher._fuzzy_block` then drops the
    choices of another first sound (:func:`_same_first_sound`).
    """
    mine = [spelling_key(k) for k in keys]
    by_spelling = process.cdist(mine, spellings, scorer=OSA.distance, dtype=np.int32,
                                workers=-1)
    by_name = process.cdist(keys, choices, scorer=OSA.distance, dtype=np.int32, workers=-1)
    length = np.array([len(k) for k in keys], dtype=float)[:, None]
    scores = (100 * (1 - (by_spelling + by_name) / (2 * (length + 1)))).astype(np.float32)
    short = length[:, 0] < MIN_FUZZY_LENGTH
    if short.any():
        # a short typo may be a long name missing one letter ("Zindr" for Zinder): judged on
        # the name's length, one edit, only if no other name is one edit away, never between
        # two short names (Doro / Dioro)
        sizes = np.array([len(c) for c in choices])
        long_choice = sizes >= MIN_FUZZY_LENGTH
        one_edit = by_name[short] <= 1
        alone = one_edit.sum(axis=1, keepdims=True) == 1  # no other name one edit away
        near = (length[short] >= MIN_FUZZY_LENGTH - 1) & long_choice[None, :] & one_edit & alone
        size = np.maximum(length[short], sizes[None, :])
        edited = 100 * (1 - (by_spelling[short] + by_name[short]) / (2 * (size + 1)))
        # a slip of the pen that keeps the name's consonants (Minaka, Tesit, Bmako...) between
        # two names of 4+ letters: counted as a spelling variant, half of an edit
        rows = np.flatnonzero(alone[:, 0] & (length[short, 0] >= MIN_SLIP_LENGTH))
        slip = np.zeros_like(one_edit)
        short_keys = [k for k, s in zip(keys, short) if s]
        for r in rows:
            j = int(np.flatnonzero(one_edit[r])[0])
            slip[r, j] = sizes[j] >= MIN_SLIP_LENGTH and _is_slip(short_keys[r], choices[j])
        slipped = 100 * (1 - 1 / (2 * (size + 1)))
        scores[short] = np.where(by_spelling[short] == 0, scores[short],
                                 np.where(near, edited, np.where(slip, slipped, 0)))
    return scores, by_name


def _slip_score(key: str, name: str) -> float:
    """The score of a short key one slip from a name (or one edit, with a region's hint).

    Half of an edit over the longer length + 1, as :func:`_near_miss_scores` scores a slip;
    for an edit, the row's admin1 hint stands for the other half.
    """
    return round(100 * (1 - 1 / (2 * (max(len(key), len(name)) + 1))), 1)


def _is_slip(typo: str, name: str) -> bool:
    """Whether one edit turns ``name`` into ``typo`` while keeping its consonants in order.

    Two neighbouring letters swapped, or one vowel between consonants (or at the end) changed,
    added or dropped; never the first letter. A vowel next to another vowel is not a slip:
    Doro / Dioro, Douna / Diouna and Kona / Kouna are different real places.

    Examples
    --------
    >>> [_is_slip(t, "menaka") for t in ("minaka", "mneaka", "menka", "menakka", "ienaka")]
    [True, True, True, False, False]
    >>> _is_slip("doro", "dioro"), _is_slip("kona", "kouna")
    (False, False)
    """
    if len(typo) == len(name):
        diff = [i for i, (a, b) in enumerate(zip(typo, name)) if a != b]
        if len(diff) == 2 and diff[1] == diff[0] + 1 and diff[0] > 0:
            i = diff[0]
            return typo[i] == name[i + 1] and typo[i + 1] == name[i]
        if len(diff) != 1 or diff[0] == 0:
            return False
        i = diff[0]
        return _lone_vowel(typo, i) and _lone_vowel(name, i)
    longer, shorter = (name, typo) if len(name) > len(typo) else (typo, name)
    if len(longer) != len(shorter) + 1:
        return False
    i = next((k for k, (a, b) in enumerate(zip(shorter, longer)) if a != b), len(shorter))
    return i > 0 and longer[:i] + longer[i + 1:] == shorter and _lone_vowel(longer, i)


def _lone_vowel(word: str, i: int) -> bool:
    """Whether ``word[i]`` is a vowel with no vowel on either side."""
    return (word[i] in _VOWELS and word[i - 1] not in _VOWELS
            and (i + 1 == len(word) or word[i + 1] not in _VOWELS))


def _same_first_sound(keys: np.ndarray, choices: np.ndarray) -> np.ndarray:
    """``len(keys) x len(choices)``: whether a key and a choice may be one name misspelt.

    Misspellings keep a name's first sound: as written or in their spelling keys (ou/w, dj/j,
    kh/k...), with or without a silent initial h or the n of a nasal before a consonant
    (N'Gourti / Gourti), the first letters are the same, both vowels, or c/k/q, or the first
    two letters are swapped. "Adosso" is not Dosso, nor "Assikasso" Sikasso. Both arguments
    are :func:`_first_sounds` of the words.

    Examples
    --------
    >>> keys = _first_sounds(["gourti", "adosso", "cenieba", "dejbock", "mramandougou"])
    >>> names = _first_sounds(["ngourti", "dosso", "kenieba", "djebock", "maramandougou"])
    >>> _same_first_sound(keys, names).diagonal().tolist()
    [True, False, True, True, True]
    """
    ok = np.zeros((len(keys), len(choices)), dtype=bool)
    for v in range(keys.shape[2]):
        ok |= keys[:, 0, v][:, None] == choices[:, 0, v][None, :]
        ok |= keys[:, 2, v][:, None] == choices[:, 1, v][None, :]
    return ok


def _first_sounds(words: Sequence[str]) -> np.ndarray:
    """``len(words) x 3 x 4`` codes: first sound, first two letters, those two swapped.

    Of each word as written and of its spelling key, each with and without a silent initial
    h or the nasal of an initial n/m + consonant.
    """
    out = np.zeros((len(words), 3, 4), dtype=np.int32)
    for i, word in enumerate(words):
        for v, w in enumerate((word.replace(" ", ""), spelling_key(word))):
            for strip in (0, 1):
                if strip and len(w) > 2 and (w[0] == "h" or w[0] in "mn" and
                                             w[1] not in _VOWELS):
                    w = w[1:]
                one = _FIRST_SOUND.get(w[:1], w[:1])
                two = (w + "  ")[:2]
                out[i, :, 2 * v + strip] = (ord(one[:1] or " "), ord(two[0]) * 256 + ord(two[1]),
                                            ord(two[1]) * 256 + ord(two[0]))
    return out
