"""Every word the maps and the report page show, in English and French, and their numbers.

One catalogue: the web map, the legend, the popups, the week selector, the PNG and the report
page take their text from :func:`messages`, and :func:`fmt` writes numbers as each language
does ("60,000" in English, "60 000" with a narrow no-break space in French).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sahelmap.errors import OptionError

__all__ = ["LANGS", "DEFAULT_LANG", "messages", "fmt", "event_type_name", "period_text",
           "check_lang", "colon", "value_name", "mapped_name", "scheme_name", "date_text"]

LANGS = ("fr", "en")
#: French: the people who read Mali and Niger maps work in French (see README).
DEFAULT_LANG = "fr"
NNBSP = "\u202f"  # narrow no-break space: the French thousands separator

_EN: dict[str, str] = {
    "legend": "Legend",
    "no_data": "no data",
    "none_reported": "0 (none reported)",
    "no_change": "0 (no change)",
    "units": "{n} admin units",
    "classes_note": "{scheme} classes, {units}",
    "fixed_note": "Same classes for the {n} weeks shown, so colours compare.",
    "security_events": "Security events",
    "fatalities_per_event": "Fatalities per event",
    "grouped_note": "Dark numbered circles group nearby events: zoom in or click to see them.",
    "synthetic_events": "Includes {n} synthetic events (test data).",
    "synthetic": "Synthetic record (test data)",
    "fatalities": "Fatalities",
    "actors": "Actors",
    "source": "Source",
    "sources": "Sources:",
    "more": "and {n} more events here: see the events table",
    "notes_left_out": "Notes left out of this map to keep it small: see the events table.",
    "zoom_in": "Zoom in",
    "zoom_out": "Zoom out",
    "layers": "Layers",
    "close": "Close",
    "previous": "Previous week",
    "next": "Next week",
    "period": "Week shown",
    "keys": "Keys: \u2190 \u2192 to change week",
    "week": "Week {label} ({start} \u2013 {end})",
    "week_short": "Week {label}",
    "land": "Land",
    "borders": "Country and region borders",
    "region_names": "Region names",
    "and_events": "{value} and security events",
    "mali_niger": "Mali and Niger",
    "change_week": "Change from the previous week",
    "change_mean": "Change from the mean of the 4 weeks before",
    "change": "change",
    "share": "Share of country total",
    "trend": "Weeks shown",
    "report_map": "Map",
    "report_none": "No unit reported this figure this week.",
    "report_top": "The {n} units with the largest figures, and their change from the week before",
    "report_unit": "Unit",
    "report_region": "Region",
    "report_change": "Change",
    "report_trend": "{value}, country totals per week",
    "report_all_units": "Every unit's figures this week (the map as a table)",
    "report_about": "Sources and method",
    "report_counts": ("{kind}: {read} rows read, {accepted} counted, {rejected} not counted "
                      "(listed in rejected.csv), {merged} duplicates merged."),
    "report_kind_events": "Security events",
    "report_kind_displacement": "Displacement",
    "report_kind_event_counts": "Event counts",
    "report_rejected": "Main reasons rows were not counted:",
    "report_method": ("Reports are placed in their admin unit offline (P-codes of OCHA/HDX) "
                      "and counted per ISO week (Monday to Sunday); every row is counted once "
                      "or listed as rejected. The map's colour classes are the same for every "
                      "week shown."),
    "report_stock": ("IDPs present are a stock: each place's latest figure in the week, "
                     "summed over the unit's places (not added up across weeks)."),
    "report_synthetic": ("Includes synthetic test data: these figures must not be cited as "
                         "data."),
    "report_generated": "Made with sahelmap on {date}.",
    "scale_true_at": "true at {latitude}",
    "attribution": ("Boundaries: <a href=\"https://www.geoboundaries.org\">geoBoundaries</a> "
                    "(CC BY 4.0) &middot; P-codes: HDX/OCHA &middot; Places: GeoNames "
                    "(CC BY 4.0) &middot; Neighbouring countries: Natural Earth"),
}

_FR: dict[str, str] = {
    "legend": "Légende",
    "no_data": "pas de données",
    "none_reported": "0 (rien de signalé)",
    "no_change": "0 (pas de variation)",
    "units": "{n} unités administratives",
    "classes_note": "Classes\u00a0: {scheme}, {units}",
    "fixed_note": "Mêmes classes pour les {n} semaines affichées\u00a0: les couleurs se "
                  "comparent.",
    "security_events": "Incidents de sécurité",
    "fatalities_per_event": "Victimes par incident",
    "grouped_note": "Les cercles sombres numérotés regroupent des incidents proches\u00a0: "
                    "zoomez ou cliquez pour les voir.",
    "synthetic_events": "Dont {n} incidents synthétiques (données de test).",
    "synthetic": "Enregistrement synthétique (données de test)",
    "fatalities": "Victimes",
    "actors": "Acteurs",
    "source": "Source",
    "sources": "Sources\u00a0:",
    "more": "et {n} autres incidents ici\u00a0: voir la table des incidents",
    "notes_left_out": "Notes omises pour alléger la carte\u00a0: voir la table des "
                      "incidents.",
    "zoom_in": "Zoom avant",
    "zoom_out": "Zoom arrière",
    "layers": "Couches",
    "close": "Fermer",
    "previous": "Semaine précédente",
    "next": "Semaine suivante",
    "period": "Semaine affichée",
    "keys": "Touches\u00a0: \u2190 \u2192 pour changer de semaine",
    "week": "Semaine {label} (du {start} au {end})",
    "week_short": "Semaine {label}",
    "land": "Terres",
    "borders": "Frontières et limites des régions",
    "region_names": "Noms des régions",
    "and_events": "{value} et incidents de sécurité",
    "mali_niger": "Mali et Niger",
    "change_week": "Variation par rapport à la semaine précédente",
    "change_mean": "Variation par rapport à la moyenne des 4 semaines précédentes",
    "change": "variation",
    "share": "Part du total national",
    "trend": "Semaines affichées",
    "report_map": "Carte",
    "report_none": "Aucune unité n'a signalé ce chiffre cette semaine.",
    "report_top": ("Les {n} unités aux chiffres les plus élevés, et leur variation par "
                   "rapport à la semaine précédente"),
    "report_unit": "Unité",
    "report_region": "Région",
    "report_change": "Variation",
    "report_trend": "{value}, totaux nationaux par semaine",
    "report_all_units": "Chiffres de chaque unité cette semaine (la carte sous forme de table)",
    "report_about": "Sources et méthode",
    "report_counts": ("{kind}\u00a0: {read} lignes lues, {accepted} comptées, {rejected} non "
                      "comptées (listées dans rejected.csv), {merged} doublons fusionnés."),
    "report_kind_events": "Incidents de sécurité",
    "report_kind_displacement": "Déplacements",
    "report_kind_event_counts": "Décomptes d'incidents",
    "report_rejected": "Principales raisons des lignes non comptées\u00a0:",
    "report_method": ("Chaque rapport est placé hors ligne dans son unité administrative "
                      "(P-codes OCHA/HDX) et compté par semaine ISO (du lundi au dimanche)\u00a0; "
                      "chaque ligne est comptée une fois ou listée comme rejetée. Les classes "
                      "de couleur de la carte sont les mêmes pour toutes les semaines "
                      "affichées."),
    "report_stock": ("Les PDI présentes sont un stock\u00a0: le dernier chiffre de chaque lieu "
                     "dans la semaine, additionné sur les lieux de l'unité (jamais cumulé "
                     "d'une semaine à l'autre)."),
    "report_synthetic": ("Contient des données de test synthétiques\u00a0: ces chiffres ne "
                         "doivent pas être cités."),
    "report_generated": "Réalisé avec sahelmap le {date}.",
    "scale_true_at": "exacte à {latitude}",
    "attribution": ("Limites\u00a0: <a href=\"https://www.geoboundaries.org\">geoBoundaries"
                    "</a> (CC BY 4.0) &middot; P-codes\u00a0: HDX/OCHA &middot; Lieux\u00a0: "
                    "GeoNames (CC BY 4.0) &middot; Pays voisins\u00a0: Natural Earth"),
}

_VALUES = {
    "en": {"events": "Events", "fatalities": "Fatalities", "arrivals": "Arrivals",
           "idps": "IDPs", "returns": "Returns", "departures": "Departures"},
    "fr": {"events": "Incidents", "fatalities": "Victimes", "arrivals": "Arrivées",
           "idps": "PDI", "returns": "Retours", "departures": "Départs"},
}
_TITLES = {
    "en": {"events": "Security events", "fatalities": "Fatalities",
           "arrivals": "New arrivals of displaced people", "idps": "IDPs present",
           "returns": "Returns", "departures": "Departures"},
    "fr": {"events": "Incidents de sécurité", "fatalities": "Victimes",
           "arrivals": "Nouvelles arrivées de personnes déplacées",
           "idps": "Personnes déplacées internes (PDI) présentes", "returns": "Retours",
           "departures": "Départs"},
}
# ACLED's event types under the names of ACLED's French publications.
_EVENT_TYPES_FR = {
    "Violence against civilians": "Violence contre les civils",
    "Battles": "Batailles",
    "Explosions/Remote violence": "Explosions/Violence à distance",
    "Riots": "Émeutes",
    "Protests": "Manifestations",
    "Strategic developments": "Développements stratégiques",
    "Other": "Autre",
    "Event": "Incident",
}
_SCHEMES_FR = {"quantiles": "quantiles", "natural breaks": "seuils naturels",
               "fisher jenks": "seuils naturels", "jenks": "seuils naturels",
               "equal interval": "intervalles égaux", "head tail breaks": "head/tail",
               "maximum breaks": "écarts maximaux", "user-defined": "bornes choisies",
               "symmetric quantiles": "quantiles symétriques"}
_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
           "Dec"),
    "fr": ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."),
}
_CATALOGUE = {"en": _EN, "fr": _FR}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is ``"fr"`` or ``"en"``, else raise an :class:`OptionError`."""
    if lang not in LANGS:
        raise OptionError(f"Unknown language {lang!r}: use 'fr' or 'en'.")
    return lang


def messages(lang: str) -> Mapping[str, str]:
    """The user-interface texts of one language (plain text, to be escaped where shown).

    Examples
    --------
    >>> messages("fr")["fatalities"]
    'Victimes'
    """
    return _CATALOGUE[check_lang(lang)]


def value_name(column: str, lang: str, *, title: bool = False) -> str:
    """The reader's name of a figure column (``"idps"`` -> ``"PDI"`` in French)."""
    table = (_TITLES if title else _VALUES)[check_lang(lang)]
    return table.get(column, str(column).replace("_", " ").strip().capitalize())


def mapped_name(column: str, mode: str, lang: str, *, title: bool = False) -> str:
    """What a choropleth shows: ``"IDPs"``, or ``"IDPs: change from the previous week"``.

    ``mode`` is ``"level"``, ``"change"`` (from the previous week) or ``"change_4w"`` (from
    the mean of the 4 weeks before); ``title`` gives the figure's name as a title says it.
    """
    name = value_name(column, lang, title=title)
    if mode == "level":
        return name
    change = messages(lang)["change_week" if mode == "change" else "change_mean"]
    return f"{name}{colon(lang)}{change[0].lower() + change[1:] if title else change}"


def colon(lang: str) -> str:
    """A colon and its spaces: ``": "``, or ``"\u00a0: "`` in French (no-break space before)."""
    return "\u00a0: " if check_lang(lang) == "fr" else ": "


def event_type_name(name: str, lang: str) -> str:
    """An event type in the reader's language (ACLED's French terms; others unchanged)."""
    return _EVENT_TYPES_FR.get(name, name) if check_lang(lang) == "fr" else name


def scheme_name(scheme: str, lang: str) -> str:
    """A classification scheme's name in the reader's language."""
    return _SCHEMES_FR.get(scheme, scheme) if check_lang(lang) == "fr" else scheme


def _missing(value: Any) -> bool:
    try:
        return value is None or bool(value != value)
    except (TypeError, ValueError):
        return False


def fmt(value: Any, lang: str) -> str:
    r"""Write a figure as the language does: grouped thousands, few decimals.

    Examples
    --------
    >>> fmt(60000, "en"), fmt(60000, "fr"), fmt(12.345, "fr"), fmt(-1234.5678, "en")
    ('60,000', '60\u202f000', '12,3', '-1,235')
    """
    if _missing(value):
        return ""
    value = float(value)
    if math.isfinite(value) and value == round(value):
        text = f"{int(round(value)):,}"
    else:
        size = abs(value)
        digits = 2 if size < 10 else 1 if size < 1000 else 0
        text = f"{value:.3g}" if size < 0.1 else f"{value:,.{digits}f}"
        if "." in text and "e" not in text:
            text = text.rstrip("0").rstrip(".")
    if check_lang(lang) == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    return text


def date_text(day: pd.Timestamp, lang: str, *, year: bool = True) -> str:
    """A day as the language writes it: ``12 Sep 2022``, ``12 sept. 2022``."""
    month = _MONTHS[check_lang(lang)][day.month - 1]
    return f"{day.day} {month}" + (f" {day.year}" if year else "")


def period_text(label: str, lang: str) -> str:
    """A period label for readers: ``2022-W37`` -> ``Week 2022-W37 (12 Sep – 18 Sep 2022)``."""
    from sahelmap.aggregate import iso_week_bounds
    from sahelmap.errors import PeriodError

    try:
        start, end = iso_week_bounds(label)
    except PeriodError:
        return label
    return messages(lang)["week"].format(label=label, start=date_text(start, lang, year=False),
                                         end=date_text(end, lang))
