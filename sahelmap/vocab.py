"""The domain vocabulary, defined once: event and figure types, values, countries, folding.

Every module that needs one of these imports it from here, and the command line builds its
choices from the same tuples, so the vocabulary cannot drift between the loaders, the
aggregation, the maps and the CLI.

- :data:`EVENT_TYPES`: ACLED's six event types (2019 codebook), with English and French
  synonyms that reports use (:data:`EVENT_SYNONYMS`).
- :data:`FIGURE_TYPES`: the displacement figures (``arrivals, idps, returns, departures``)
  with their synonyms (:data:`FIGURE_SYNONYMS`).
- :data:`VALUES`: the figure columns of an aggregated table (events, fatalities and the figure
  types), with :data:`VALUE_LABELS` (legend) and :data:`VALUE_TITLES` (map title).
- :data:`COUNTRIES` and :func:`country_code`: Mali and Niger, by P-code, ISO code or name.
- :func:`fold`: the one case-, accent- and punctuation-folding function.
- The record column lists of the loaders, the geocoder and the rejected-rows report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from sahelmap.errors import OptionError

__all__ = [
    "COUNTRIES",
    "DISPLACEMENT_RECORD_COLUMNS",
    "EARLIEST_DATE",
    "MAX_COUNTS",
    "EVENT_RECORD_COLUMNS",
    "EVENT_SYNONYMS",
    "EVENT_TYPES",
    "EVENT_VALUES",
    "FIGURE_SYNONYMS",
    "FIGURE_TYPES",
    "GEOCODE_COLUMNS",
    "REJECTED_COLUMNS",
    "SCHEMES",
    "STRUCTURES",
    "DEFAULT_STRUCTURE",
    "DISPLACEMENT_EXTRA_COLUMNS",
    "FIGURE_NATURE",
    "FIGURE_RULES",
    "FLAG_VALUES",
    "FLOW_FIGURES",
    "LAYOUTS",
    "REASON_WORDS",
    "STOCK_FIGURES",
    "VALUES",
    "VALUE_LABELS",
    "VALUE_TITLES",
    "country_code",
    "fold",
    "strip_accents",
    "vocabulary",
]

# -- folding ------------------------------------------------------------------------------

# anything but a letter or digit of any script separates words
_NON_ALNUM = re.compile(r"[\W_]+")
# letters without a decomposition: ligatures, and those of Bambara, Fula and Hausa spellings
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "đ": "d", "ł": "l",
                            "ı": "i", "ɛ": "e", "ɔ": "o", "ɲ": "ny", "ŋ": "ng", "ɗ": "d",
                            "ɓ": "b", "ƙ": "k", "ƴ": "y"})
# invisible characters that do not separate words: Unicode's "format" characters (category
# Cf: zero-width spaces and joiners, soft hyphens, byte-order and direction marks...) and
# Arabic's tatweel (U+0640)
_INVISIBLE = re.compile(
    "[\u00ad\u0600-\u0605\u061c\u0640\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001"
    "\U000e0020-\U000e007f]")


def strip_accents(text: object) -> str:
    """Lower-case ``text``, drop its accents and its invisible characters.

    Invisible characters (a zero-width space, a soft hyphen, a direction mark) are dropped,
    not turned into spaces: ``"Ga\u200bo"`` is ``"gao"``.

    Examples
    --------
    >>> strip_accents("Tillabéri"), strip_accents("Œuvre"), strip_accents("Ga\u200bo")
    ('tillaberi', 'oeuvre', 'gao')
    """
    text = str(text)
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", _INVISIBLE.sub("", text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return folded.translate(_LIGATURES)


def fold(text: object, sep: str = " ") -> str:
    """Fold text to its look-up key: case, accents, punctuation and invisibles do not count.

    Letters of every script are kept (``"غاو"`` stays a name, not an empty key);
    non-breaking and other Unicode spaces separate words like a space; zero-width
    characters and soft hyphens are dropped.

    The one folding rule of sahelmap, used for place names, column headers and vocabulary
    terms alike. Missing values (``None``, NaN) fold to ``""``.

    Parameters
    ----------
    text : object
        The text to fold.
    sep : str
        What each run of characters other than ``a-z`` and ``0-9`` becomes.

    Returns
    -------
    str

    Examples
    --------
    >>> fold("Ménaka") == fold("MENAKA")
    True
    >>> fold("Tin-Hama"), fold("N'Dounga"), fold(" Tillabéri ")
    ('tin hama', 'n dounga', 'tillaberi')
    >>> fold("Date de l'événement", sep="_")
    'date_de_l_evenement'
    >>> fold("Ga\u200bo"), fold("Gao\u00a0Nord"), fold("غاو"), fold("\ufeffSégou")
    ('gao', 'gao nord', 'غاو', 'segou')
    """
    try:
        if text is None or text != text:  # None, NaN
            return ""
    except TypeError:  # pd.NA has no truth value
        return ""
    return _NON_ALNUM.sub(sep, strip_accents(text)).strip(sep)


# -- events and figures ------------------------------------------------------------------

#: ACLED's event types (codebook of 2019 and later), in the order legends list them.
EVENT_TYPES = ("Violence against civilians", "Battles", "Explosions/Remote violence", "Riots",
               "Protests", "Strategic developments")
FIGURE_TYPES = ("arrivals", "idps", "returns", "departures")
EVENT_VALUES = ("events", "fatalities")
#: The largest figure one report may give before it is rejected as implausible (a typo, or
#: a running total in a per-report column): fatalities per event, people per displacement
#: figure, households per row. Far above any single report in Mali and Niger (Mali's whole
#: IDP population was under 450,000 in 2024); ``max_counts={...}`` / ``--max-count`` moves
#: each bound.
MAX_COUNTS: Mapping[str, float] = {"fatalities": 5_000, **dict.fromkeys(FIGURE_TYPES, 5_000_000),
                                   "households": 1_000_000}
#: Reports dated before this day are rejected: ACLED's records start in 1997, IOM DTM's in
#: the Sahel in 2012; an older date is a typo (or a spreadsheet's empty date, 1899-12-30).
EARLIEST_DATE = "1997-01-01"
#: Every figure column of an aggregated table, in table order.
VALUES = EVENT_VALUES + FIGURE_TYPES

_VAC, _BAT, _EXP = EVENT_TYPES[:3]
EVENT_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    _VAC: ("violence against civilians", "attack", "attacks", "attack on civilians",
           "armed attack", "raid", "massacre", "killing", "killings", "murder", "execution",
           "stoning", "abduction", "abductions", "kidnapping", "kidnappings",
           "abduction forced disappearance", "sexual violence", "attaque", "attaques",
           "attaque armee", "attaque contre des civils", "violence contre les civils",
           "violences contre les civils", "violence contre des civils", "tuerie", "tueries",
           "assassinat", "assassinats", "meurtre", "execution sommaire", "lapidation",
           "enlevement", "enlevements", "rapt", "incursion", "violences sexuelles"),
    _BAT: ("battles", "battle", "clash", "clashes", "armed clash", "armed clashes",
           "fighting", "firefight", "armed confrontation", "government regains territory",
           "non state actor overtakes territory", "affrontement", "affrontements",
           "affrontement arme", "affrontements armes", "combat", "combats", "accrochage",
           "accrochages"),
    _EXP: ("explosions remote violence", "explosion", "explosions", "remote violence", "ied",
           "ieds", "improvised explosive device", "remote explosive landmine ied", "landmine",
           "mine", "airstrike", "airstrikes", "air strike", "air drone strike",
           "drone strike", "drone strikes", "shelling", "shelling artillery missile attack",
           "artillery", "suicide bomb", "suicide bombing", "grenade", "eei",
           "engin explosif", "engin explosif improvise", "engins explosifs improvises",
           "frappe aerienne", "frappes aeriennes", "frappe de drone", "frappes de drone",
           "bombardement", "bombardements", "obus", "tirs d obus", "attentat suicide"),
    "Riots": ("riots", "riot", "mob violence", "violent demonstration", "emeute", "emeutes",
              "manifestation violente"),
    "Protests": ("protests", "protest", "peaceful protest", "demonstration", "demonstrations",
                 "manifestation", "manifestations", "marche", "sit in"),
    "Strategic developments": ("strategic developments", "strategic development", "looting",
                               "looting property destruction", "arrest", "arrests",
                               "agreement", "developpements strategiques",
                               "developpement strategique", "pillage", "pillages",
                               "arrestation", "arrestations"),
}
FIGURE_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "arrivals": ("arrivals", "arrival", "new arrivals", "new arrival", "arrived", "inflow",
                 "inflows", "arrivees", "arrivee", "nouvelles arrivees", "nouveaux arrivants",
                 "arrivants", "entrees"),
    "idps": ("idps", "idp", "idps present", "idp present", "idps presents", "displaced",
             "internally displaced", "internally displaced persons", "displaced persons",
             "pdi", "pdis", "pdi presentes", "pdis presentes", "deplaces", "deplaces internes",
             "personnes deplacees", "personnes deplacees internes", "stock"),
    "returns": ("returns", "return", "returnees", "returnee", "returned", "retours", "retour",
                "retournes", "retourne", "returnees idps", "pdi retournees"),
    "departures": ("departures", "departure", "departed", "outflow", "outflows", "departs",
                   "depart", "sorties"),
}

#: Short names of the value columns, for legends and popups.
VALUE_LABELS: Mapping[str, str] = {
    "events": "Events", "fatalities": "Fatalities", "arrivals": "Arrivals", "idps": "IDPs",
    "returns": "Returns", "departures": "Departures",
}
#: Map titles of the value columns.
VALUE_TITLES: Mapping[str, str] = {
    "events": "Security events", "fatalities": "Fatalities",
    "arrivals": "New arrivals of displaced people", "idps": "IDPs present",
    "returns": "Returns", "departures": "Departures",
}


def vocabulary(kind: str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return ``{folded term: canonical value}`` for ``"events"`` or ``"figures"``.

    Parameters
    ----------
    kind : {"events", "figures"}
        Which vocabulary.
    extra : mapping, optional
        A user's ``{term: value}``; each value must be canonical (or a known synonym).

    Returns
    -------
    dict

    Raises
    ------
    OptionError
        If a value of ``extra`` is not a known type.

    Examples
    --------
    >>> vocabulary("events", {"ambush": "Battles"})["ambush"]
    'Battles'
    >>> vocabulary("figures")["pdi"]
    'idps'
    """
    table, canon = ((EVENT_SYNONYMS, EVENT_TYPES) if kind == "events"
                    else (FIGURE_SYNONYMS, FIGURE_TYPES))
    terms = {fold(c): c for c in canon}
    for value, synonyms in table.items():
        terms.update({fold(s): value for s in synonyms})
    for term, value in (extra or {}).items():
        if value not in canon:
            known = terms.get(fold(value))
            if known is None:
                raise OptionError(f"{term!r} is mapped to {value!r}, which is not one of: "
                                 f"{', '.join(canon)}")
            value = known
        terms[fold(term)] = value
    return terms


#: Classification schemes of the choropleth (mapclassify names; "natural_breaks" is the
#: exact Fisher-Jenks).
SCHEMES = ("quantiles", "natural_breaks", "fisher_jenks", "equal_interval", "head_tail_breaks",
           "maximum_breaks")


#: Mali's admin structures: regions since 2023 (HDX v03) or of 2016-2023 (Ménaka apart).
STRUCTURES = ("2023", "2016")
#: The structure maps and tables use unless told otherwise: the one in force (see README).
DEFAULT_STRUCTURE = "2023"


# -- countries ---------------------------------------------------------------------------

#: The countries sahelmap covers, by ADM0 P-code.
COUNTRIES: Mapping[str, str] = {"ML": "Mali", "NE": "Niger"}
_COUNTRY_KEYS = {"ml": "ML", "mli": "ML", "mali": "ML", "republique du mali": "ML",
                 "ne": "NE", "ner": "NE", "niger": "NE", "republique du niger": "NE"}


def country_code(text: object) -> str | None:
    """Return ``"ML"`` or ``"NE"`` for a country name, ISO code or P-code; else ``None``.

    Examples
    --------
    >>> country_code("Mali"), country_code("NER"), country_code(" niger "), country_code("Chad")
    ('ML', 'NE', 'NE', None)
    """
    return _COUNTRY_KEYS.get(fold(text))


# -- record columns ----------------------------------------------------------------------

#: What the geocoder returns for each row.
GEOCODE_COLUMNS = (
    "matched_name", "match_lon", "match_lat", "adm0_pcode", "adm1_pcode", "adm1_name",
    "adm2_pcode", "adm2_name", "method", "confidence", "status", "candidates", "flags",
    "reason",
)
#: The columns of accepted event records, before the geocoder's. ``event_id`` is the
#: file's event identifier (ACLED's ``event_id_cnty``), NA where the file has none.
EVENT_RECORD_COLUMNS = (
    "source_file", "source_row", "event_id", "event_date", "place", "lon", "lat", "country",
    "admin1", "admin2", "event_type", "sub_event_type", "actor1", "actor2", "fatalities",
    "source", "notes", "is_synthetic",
)
#: The columns of accepted displacement records, before the geocoder's.
DISPLACEMENT_RECORD_COLUMNS = (
    "source_file", "source_row", "date", "period_end", "place", "lon", "lat", "country",
    "admin1", "figure_type", "count", "source", "notes", "is_synthetic",
)
#: The fixed columns of a rejected-rows report (the row's own cells follow).
REJECTED_COLUMNS = ("source_file", "source_row", "field", "column", "value", "reason")


# -- what each figure means ---------------------------------------------------------------

#: Whether each figure type is a *stock* (people present at a date: a later report replaces
#: an earlier one) or a *flow* (movements during a period: reports add up).
FIGURE_NATURE: Mapping[str, str] = {
    "arrivals": "flow", "idps": "stock", "returns": "flow", "departures": "flow",
}
STOCK_FIGURES = tuple(name for name in FIGURE_TYPES if FIGURE_NATURE[name] == "stock")
FLOW_FIGURES = tuple(name for name in FIGURE_TYPES if FIGURE_NATURE[name] == "flow")
#: How an aggregate combines the reports of one figure type in one unit and period
#: (``frame.attrs["rules"]`` of an aggregate).
FIGURE_RULES: Mapping[str, str] = {
    "stock": "stock: latest snapshot per place in the period, summed over the unit's places",
    "flow": "flow: sum of every report in the period",
}
#: Header words of DTM's reasons for displacement. A column so named whose values are only
#: 0/1 or yes/no is a flag of the reason, never a figure (DTM's ``Returns`` is one).
REASON_WORDS = frozenset(fold(w) for w in (
    "conflict", "conflit", "insecurity", "insecurite", "natural disaster",
    "catastrophe naturelle", "desastre naturel", "political reasons", "raisons politiques",
    "economic reasons", "raisons economiques", "returns", "retours", "migration flows",
    "flux migratoires", "other reason", "other reasons", "autre raison", "autres raisons",
    "intercommunal violence", "violence intercommunautaire", "floods", "inondations",
    "drought", "secheresse", "epidemic", "epidemie",
))
#: Values a 0/1 flag column holds (folded), missing apart.
FLAG_VALUES = frozenset({"0", "1", "yes", "no", "oui", "non", "true", "false", "y", "n",
                         "x", "0 0", "1 0"})
#: The table layouts :func:`sahelmap.inspect` recognises, by key.
LAYOUTS: Mapping[str, str] = {
    "acled": "ACLED events",
    "dtm-baseline": "DTM baseline assessment (admin level)",
    "dtm-site": "DTM site assessment / multi-sectoral location assessment (per site)",
    "dtm-flow": "DTM flow monitoring (movements per point and period)",
    "hapi-idps": "HDX HAPI idps",
    "unhcr": "UNHCR refugees / asylum-seekers",
    "generic": "generic table",
}
#: Columns a displacement record has beyond :data:`DISPLACEMENT_RECORD_COLUMNS`: the
#: households of the row's figure (never people), NA where the file gives none.
DISPLACEMENT_EXTRA_COLUMNS = ("households",)
