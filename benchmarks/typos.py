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
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from sahelmap.geocoding import Geocoder
from sahelmap.geocoding.names import MIN_FUZZY_LENGTH, parts
from sahelmap.vocab import fold

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


def score(coder: Geocoder, table: pd.DataFrame) -> pd.DataFrame:
    """Each typo's outcome: ``right``, ``wrong`` (another region), ``ambiguous``, ``unmatched``."""
    found = coder.names.match(table["typo"].tolist())
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


def main() -> None:
    coder = Geocoder()
    scored = score(coder, typo_table(coder))
    with pd.option_context("display.float_format", "{:.1%}".format, "display.width", 120):
        print(summary(scored).to_string(formatters={"n": "{:.0f}".format}))
    wrong = scored[scored["outcome"] == "wrong"]
    if len(wrong):
        print("\nwrong matches:")
        print(wrong[["typo", "name", "matched", "adm1_pcode"]].head(20).to_string(index=False))


if __name__ == "__main__":
    main()
