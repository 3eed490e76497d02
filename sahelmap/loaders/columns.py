"""Which column of a report file holds which field.

Three ways a column is recognised, strongest first:

1. the user's explicit mapping ``{file column or HXL tag: field}`` (``None`` ignores a
   column);
2. an HXL hashtag (``#date``, ``#loc+name``, ``#affected+killed``, ``#affected+idps``...),
   ACLED's HDX tags included (``#event+code``, ``#group+name+first``, ``#group+name+second``;
   ``#date+year``, ``#group+name+first+assoc`` and ``#meta+source+scale`` are recognised and
   left unused);
3. the header text, folded (case, accents and punctuation do not count) and looked up among
   English and French synonyms, ACLED's and IOM-DTM's export names included.

When several columns claim one field, the one whose synonym comes first wins (``event_date``
before ``report_date``); the others stay unmapped and are only kept in rejected rows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from sahelmap.errors import OptionError
from sahelmap.vocab import FIGURE_TYPES, fold

__all__ = [
    "EVENT_FIELDS",
    "DISPLACEMENT_FIELDS",
    "NOT_READ",
    "ColumnMap",
    "detect_layout",
    "is_hxl_row",
    "known_fields",
    "recognise_columns",
]

logger = logging.getLogger(__name__)

Kind = Literal["events", "displacement"]

_COMMON = {
    "place": ["place", "location", "lieu", "localite", "locality", "location_name",
              "place_name", "nom_localite", "nom_de_la_localite", "lieu_de_l_incident",
              "lieu_incident", "localisation", "emplacement", "site", "site_name",
              "nom_du_site", "village", "ville", "town", "city", "settlement", "quartier"],
    "lon": ["lon", "longitude", "long", "lng", "geo_lon", "x", "coord_x", "gps_longitude"],
    "lat": ["lat", "latitude", "geo_lat", "y", "coord_y", "gps_latitude"],
    "country": ["country", "pays", "country_name", "adm0", "admin0", "adm0_name",
                "admin0_name", "iso3", "iso", "country_code", "adm0_pcode"],
    "admin1": ["admin1", "adm1", "admin1_name", "adm1_name", "admin_1", "region", "adm1_fr",
               "adm1_en", "province", "adm1_pcode", "admin1_pcode", "admin1pcode"],
    "admin2": ["admin2", "adm2", "admin2_name", "adm2_name", "admin_2", "cercle",
               "departement", "district", "prefecture", "adm2_pcode", "admin2_pcode"],
    "admin3": ["admin3", "adm3", "admin3_name", "adm3_name", "admin_3", "commune",
               "arrondissement"],
    "source": ["source", "sources", "source_name", "reported_by", "rapporte_par",
               "source_de_l_information", "source_information", "informant"],
    "notes": ["notes", "note", "description", "comments", "comment", "remarks", "remarques",
              "commentaire", "commentaires", "details", "observations", "observation",
              "summary", "resume", "narrative"],
    "is_synthetic": ["is_synthetic", "synthetic", "synthetique", "fictif"],
}

_EVENT = {
    "date": ["event_date", "date", "date_event", "date_of_event", "date_evenement",
             "date_de_l_evenement", "incident_date", "date_incident", "date_of_incident",
             "date_de_l_incident", "event_day", "jour", "day", "report_date", "date_report",
             "reporting_date", "date_rapport", "date_du_rapport"],
    "event_type": ["event_type", "type_of_event", "type_d_evenement", "type_evenement",
                   "type_de_l_evenement", "incident_type", "type_d_incident", "type_incident",
                   "type", "event", "evenement", "nature", "nature_de_l_incident", "category",
                   "categorie"],
    "sub_event_type": ["sub_event_type", "subtype", "sub_type", "sous_type", "event_subtype",
                       "sub_event"],
    "actor1": ["actor1", "actor_1", "acteur1", "acteur_1", "actor", "acteur", "perpetrator",
               "perpetrators", "auteur", "auteurs", "assailant", "assailants", "armed_group",
               "groupe_arme"],
    "actor2": ["actor2", "actor_2", "acteur2", "acteur_2", "target", "cible"],
    "fatalities": ["fatalities", "deaths", "killed", "dead", "number_killed", "nb_killed",
                   "morts", "nombre_de_morts", "nb_morts", "tues", "nombre_de_tues", "nb_tues",
                   "deces", "nombre_de_deces", "personnes_tuees"],
    # ACLED's event identifier (country code + number); ``event_id_no_cnty`` is not it
    "event_id": ["event_id_cnty", "event_id", "id_evenement", "incident_id", "id_incident"],
    # ACLED's actor-type code of actor1 (5 = rioters, 6 = protesters; a label since 2023)
    "inter1": ["inter1", "inter_1"],
}

_DISPLACEMENT = {
    # DTM's snapshot date is the date the figures describe; its survey date comes after it
    "date": ["snapshot_date", "date_of_snapshot", "reference_period_start", "date",
             "period_start", "start_date", "date_debut", "date_de_debut",
             "reporting_date", "report_date", "date_report", "date_rapport", "date_du_rapport",
             "date_de_collecte", "collection_date", "survey_date", "round_date",
             "date_of_arrival", "date_d_arrivee", "date_arrivee", "assessment_date",
             "date_of_assessment", "date_evaluation", "date_de_l_evaluation", "jour",
             "date_de_mise_a_jour", "date_mise_a_jour", "mise_a_jour", "date_maj",
             "date_d_enregistrement", "as_of_date", "population_date"],
    "period_end": ["period_end", "end_date", "date_fin", "date_de_fin",
                   "reference_period_end"],
    "period": ["period", "periode", "reporting_period", "periode_de_rapportage", "month",
               "mois"],
    "figure_type": ["figure_type", "figure", "type_figure", "movement_type",
                    "type_de_mouvement", "mouvement", "movement", "population_type",
                    "type_de_population", "type_population", "indicator", "indicateur",
                    "category", "categorie", "type", "statut", "status"],
    "count": ["count", "individuals", "individus", "nb_individus", "nombre_d_individus",
              "total_individuals", "total_individus", "persons", "personnes",
              "nb_personnes", "nombre_de_personnes", "people", "population", "number",
              "nombre", "value", "valeur", "total", "effectif", "figure_value"],
    "households": ["households", "menages", "nb_menages", "nombre_de_menages", "hh",
                   "total_households", "total_menages", "total_no_of_idps_hh",
                   "total_number_of_idps_hh", "idps_hh", "idp_hh", "nombre_de_menages_pdi",
                   "nb_menages_pdi", "menages_pdi", "nombre_de_menages_deplaces",
                   "total_menages_pdi"],
    "arrivals": ["arrivals", "new_arrivals", "arrivees", "nouvelles_arrivees",
                 "nouveaux_arrivants", "arrivants", "nb_arrivees", "inflow", "inflows",
                 "incoming", "incoming_individuals", "incoming_ind", "total_incoming",
                 "entrants", "flux_entrants", "entrees_individus", "arrivees_individus"],
    "idps": ["idps", "idp", "idps_present", "idp_present", "idps_individuals",
             "idp_individuals", "total_idps", "number_of_idps", "nb_idps", "idp_ind", "pdi",
             "pdis", "nb_pdi", "nb_pdis", "nombre_de_pdi", "nombre_pdi", "pdi_individus",
             "individus_pdi", "total_no_of_idps_ind", "total_number_of_idps_ind",
             "total_no_of_idps_individuals", "total_idps_ind", "idps_ind",
             "number_of_idps_ind", "nombre_de_pdi_individus", "nombre_total_de_pdi",
             "nombre_de_pdi_ind", "total_pdi", "total_des_pdi", "pdi_ind",
             "nombre_d_individus_pdi", "nombre_de_personnes_deplacees",
             "effectif_pdi", "effectif_des_pdi", "idps_of_concern_to_unhcr",
             "internally_displaced_persons", "pdi_total", "nombre_total_pdi",
             "deplaces", "deplaces_internes", "personnes_deplacees",
             "personnes_deplacees_internes", "displaced", "displaced_persons"],
    "returns": ["returns", "returnees", "returned", "number_of_returnees", "retours",
                "retournes", "nb_retours", "nombre_de_retournes"],
    "departures": ["departures", "departs", "sorties", "outflow", "outflows", "nb_departs",
                   "outgoing", "outgoing_individuals", "outgoing_ind", "total_outgoing",
                   "sortants", "flux_sortants", "sorties_individus", "departs_individus"],
    # the file's own P-codes place a row directly (see sahelmap.pcodes for versions)
    "adm1_pcode": ["adm1_pcode", "admin1_pcode", "admin_1_pcode", "admin1pcode", "adm1_code",
                   "admin1_code", "admin_1_code", "pcode_adm1", "pcode_admin1",
                   "pcode_region", "code_region", "region_pcode", "region_code"],
    "adm2_pcode": ["adm2_pcode", "admin2_pcode", "admin_2_pcode", "admin2pcode", "adm2_code",
                   "admin2_code", "admin_2_code", "pcode_adm2", "pcode_admin2",
                   "pcode_cercle", "code_cercle", "cercle_pcode", "pcode_departement",
                   "code_departement"],
    "adm3_pcode": ["adm3_pcode", "admin3_pcode", "admin_3_pcode", "admin3pcode", "adm3_code",
                   "admin3_code", "admin_3_code", "pcode_adm3", "pcode_commune",
                   "code_commune", "commune_pcode"],
    # names below the commune (DTM's Admin 4, Admin 5): the place's label when lowest
    "admin4": ["admin4", "admin_4", "adm4", "adm4_name", "admin4_name", "village_quartier"],
    "admin5": ["admin5", "admin_5", "adm5", "adm5_name", "admin5_name"],
}
_DISPLACEMENT["place"] = _COMMON["place"] + [
    "flow_monitoring_point", "fmp", "fmp_name", "name_of_fmp", "point_de_suivi_des_flux",
    "nom_du_point", "nom_du_point_de_suivi", "site_assessed", "nom_du_site_evalue"]

_REFUGEES = ("refugees or asylum-seekers: not read; they are not IDPs and sahelmap has no "
             "refugee figure (arrivals, idps, returns, departures)")
#: Columns of DTM (and HAPI, UNHCR) files that are recognised and deliberately not read,
#: with the reason (folded header -> explanation), for :func:`sahelmap.inspect`.
NOT_READ = {
    "total_no_of_returnees_ind": "returnees present at the snapshot (a stock); not read: "
                                 "sahelmap's returns are return movements (a flow)",
    "total_number_of_returnees_ind": "returnees present (a stock); not read as returns "
                                     "(a flow)",
    "nombre_de_retournes_individus": "returnees present (a stock); not read as returns "
                                     "(a flow)",
    "total_no_of_returnees_hh": "households of returnees; households are not people",
    "total_no_of_returnees_hh_": "households of returnees; households are not people",
    "nombre_de_menages_retournes": "households of returnees; households are not people",
    "no_of_idps_ind_in_collective_settings": "part of the IDPs (those in collective "
                                             "settings); not added to them",
    "nombre_de_pdi_en_sites_collectifs": "part of the IDPs; not added to them",
    "main_displacement_start_date": "when the displacement began, not the report's date",
    "survey_date": "the day the figures were collected; the snapshot date is used",
    "lowest_admin_level": "the level of the row's unit (the P-codes and names say it)",
    "roundno": "the DTM round number", "round_no": "the DTM round number",
    "reporting_round": "the round number", "operation": "the DTM operation",
    "assessment_type": "the kind of DTM assessment (BA, SA...)",
    "admin_level": "the level of the row's unit (the P-codes say it)",
    "has_hrp": "a yes/no flag of the country", "in_gho": "a yes/no flag of the country",
    "country_of_origin_of_idp": "where the IDPs come from, not where they are",
    "admin_1_area_of_origin_of_idp": "where the IDPs come from, not where they are",
    "type_of_displacement": "a category of the row, not a figure",
    "provider_admin1_name": "the provider's spelling; admin1_name is used",
    "provider_admin2_name": "the provider's spelling; admin2_name is used",
    "admin_0_pcode": "the country's code (the country name is used)",
    "refugees": _REFUGEES, "refugies": _REFUGEES, "asylum_seekers": _REFUGEES,
    "demandeurs_d_asile": _REFUGEES, "refugees_under_unhcr_s_mandate": _REFUGEES,
    "hommes": "men among the people (a breakdown, not added)",
    "femmes": "women among the people (a breakdown, not added)",
    "enfants": "children among the people (a breakdown, not added)",
    "men": "men among the people (a breakdown, not added)",
    "women": "women among the people (a breakdown, not added)",
    "children": "children among the people (a breakdown, not added)",
    "admin_4_pcode": "a P-code below the commune; rows are placed by ADM1/ADM2 codes",
    "admin_5_pcode": "a P-code below the commune; rows are placed by ADM1/ADM2 codes",
}
_DISPLACEMENT["country"] = _COMMON["country"] + ["admin_0", "admin_0_pcode", "location_code",
                                                 "admin0_pcode", "pays_pcode"]

EVENT_FIELDS = ("date", "place", "lon", "lat", "country", "admin1", "admin2", "admin3",
                "event_type", "sub_event_type", "actor1", "actor2", "fatalities", "source",
                "notes", "is_synthetic", "event_id", "inter1")
DISPLACEMENT_FIELDS = ("date", "period_end", "period", "place", "lon", "lat", "country",
                       "admin1", "admin2", "admin3", "figure_type", "count", "households",
                       "source", "notes", "is_synthetic") + FIGURE_TYPES + (
                       "adm1_pcode", "adm2_pcode", "adm3_pcode", "admin4", "admin5")

# HXL: (tag, attributes that must all be present, field). The first rule that fits wins;
# within one field the earlier rule outranks the later when two columns compete. A rule
# whose field is None recognises a tag on purpose and uses the column for nothing (ACLED's
# ``#date+year`` must not become the date, ``#group+name+first+assoc`` not the actor).
_HXL_COMMON: list[tuple[str, set[str], str | None]] = [
    ("#loc", {"name"}, "place"), ("#loc", set(), "place"),
    ("#geo", {"lon"}, "lon"), ("#geo", {"lat"}, "lat"),
    ("#country", {"name"}, "country"), ("#country", set(), "country"),
    ("#adm1", {"name"}, "admin1"), ("#adm1", set(), "admin1"),
    ("#adm2", {"name"}, "admin2"), ("#adm2", set(), "admin2"),
    ("#adm3", {"name"}, "admin3"), ("#adm3", set(), "admin3"),
    ("#meta", {"source", "scale"}, None),
    ("#meta", {"source"}, "source"), ("#source", set(), "source"),
    ("#meta", {"synthetic"}, "is_synthetic"),
    ("#description", set(), "notes"), ("#meta", {"notes"}, "notes"),
]
_HXL_EVENT: list[tuple[str, set[str], str | None]] = [
    ("#date", {"year"}, None), ("#date", {"timestamp"}, None),
    ("#date", {"occurred"}, "date"), ("#date", {"start"}, "date"),
    ("#date", set(), "date"),
    # ACLED on HDX: #event+code is event_id_cnty, #event+id event_id_no_cnty
    ("#event", {"code"}, "event_id"), ("#event", {"id"}, "event_id"),
    ("#event", {"type", "sub"}, "sub_event_type"), ("#event", {"subtype"}, "sub_event_type"),
    ("#event", {"type"}, "event_type"), ("#event", set(), "event_type"),
    ("#affected", {"killed"}, "fatalities"), ("#affected", {"dead"}, "fatalities"),
    ("#group", {"assoc"}, None), ("#group", {"interaction"}, None),
    ("#group", {"type", "first"}, "inter1"), ("#group", {"type"}, None),
    ("#group", {"name", "first"}, "actor1"), ("#group", {"name", "second"}, "actor2"),
    ("#actor", {"secondary"}, "actor2"), ("#actor", {"target"}, "actor2"),
    ("#actor", set(), "actor1"),
]
_HXL_PCODES = [
    ("#adm1", {"code"}, "adm1_pcode"), ("#adm2", {"code"}, "adm2_pcode"),
    ("#adm3", {"code"}, "adm3_pcode"),
]
_HXL_DISPLACEMENT = [
    ("#population", set(), "count"),
    ("#date", {"end"}, "period_end"), ("#date", {"start"}, "date"),
    ("#date", {"reported"}, "date"), ("#date", set(), "date"),
    ("#indicator", {"value"}, "count"), ("#indicator", {"num"}, "count"),
    ("#indicator", set(), "figure_type"),
    ("#affected", {"idps", "hh"}, "households"), ("#affected", {"hh"}, "households"),
    ("#affected", {"idps"}, "idps"), ("#affected", {"returnees"}, "returns"),
    ("#affected", {"returns"}, "returns"), ("#affected", {"arrivals"}, "arrivals"),
    ("#affected", {"arrived"}, "arrivals"), ("#affected", {"departures"}, "departures"),
    ("#affected", {"departed"}, "departures"),
    ("#affected", set(), "count"),
]


def detect_layout(headers: Sequence[object]) -> str:
    """Tell which known layout a table's header follows (a key of :data:`~sahelmap.vocab.LAYOUTS`).

    Examples
    --------
    >>> detect_layout(["Snapshot Date", "Admin 1 pcode", "Total No# of IDPs Ind#"])
    'dtm-baseline'
    >>> detect_layout(["location_code", "admin1_code", "population",
    ...                "reference_period_start"])
    'hapi-idps'
    >>> detect_layout(["date", "lieu", "PDI"])
    'generic'
    """
    folded = {fold(h, sep="_") for h in headers}
    if {"event_id_cnty", "event_type", "fatalities"} <= folded:
        return "acled"
    if {"population", "reference_period_start"} <= folded and (
            "admin1_code" in folded or "location_code" in folded):
        return "hapi-idps"
    flow = {"incoming", "outgoing", "flow_monitoring_point", "fmp", "fmp_name",
            "point_de_suivi_des_flux", "incoming_individuals", "outgoing_individuals",
            "entrants", "sortants", "flux_entrants", "flux_sortants"}
    if folded & flow:
        return "dtm-flow"
    if folded & {"refugees", "asylum_seekers", "refugies", "demandeurs_d_asile"}:
        return "unhcr"
    dtm = {"snapshot_date", "total_no_of_idps_ind", "total_number_of_idps_ind",
           "lowest_admin_level", "roundno", "total_no_of_idps_hh", "nombre_de_pdi_individus",
           "nombre_de_menages_pdi", "date_de_l_evaluation", "no_of_idps_ind_in_collective_settings"}
    if folded & dtm:
        coordinates = folded & {"latitude", "longitude", "lat", "lon", "gps_latitude",
                                "gps_longitude", "coord_x", "coord_y"}
        site = folded & {"site", "site_name", "nom_du_site", "site_assessed", "site_id",
                         "nom_du_site_evalue", "type_de_site", "site_type"}
        return "dtm-site" if coordinates or site else "dtm-baseline"
    return "generic"


def _fold_tag(text: object) -> tuple[str, frozenset[str]] | None:
    tag = re.sub(r"\s+", "", str(text)).lower()
    if not re.fullmatch(r"#[a-z][a-z0-9_]*(\+[a-z][a-z0-9_]*)*", tag):
        return None
    name, *attrs = tag.split("+")
    return name, frozenset(attrs)


def is_hxl_row(cells: Sequence[object]) -> bool:
    """True when a row reads as an HXL hashtag row.

    Examples
    --------
    >>> is_hxl_row(["#date", "#loc+name", "", "#affected+killed"])
    True
    >>> is_hxl_row(["2022-09-12", "Gao", "#hashtag in a note", "3"])
    False
    """
    filled = [c for c in cells if c is not None and str(c).strip() not in ("", "nan")]
    if not filled:
        return False
    tags = sum(_fold_tag(c) is not None for c in filled)
    return tags * 2 > len(filled)


@dataclass
class ColumnMap:
    """The file column behind each field.

    Attributes
    ----------
    fields : dict
        ``{field: column}`` for every recognised field (figure types included).
    how : dict
        ``{field: "mapping" | "hxl" | "header"}``.
    unmapped : list
        Columns that no field claimed.
    flags : list
        Columns read as 0/1 flags of a reason for displacement (never figures).
    layout : str
        The layout recognised (a key of :data:`sahelmap.vocab.LAYOUTS`).
    """

    fields: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    layout: str = "generic"

    def get(self, name: str) -> str | None:
        """The column of field ``name``, or None."""
        return self.fields.get(name)


def _synonyms(kind: Kind) -> dict[str, list[str]]:
    table = dict(_COMMON)
    table.update(_EVENT if kind == "events" else _DISPLACEMENT)
    return table


def known_fields(kind: Kind) -> tuple[str, ...]:
    """The fields a mapping may name for ``kind``."""
    return EVENT_FIELDS if kind == "events" else DISPLACEMENT_FIELDS


def recognise_columns(headers: Sequence[str], *, kind: Kind,
                      hxl_tags: Sequence[object] | None = None,
                      mapping: Mapping[str, str | None] | None = None) -> ColumnMap:
    """Match a file's columns to fields.

    Parameters
    ----------
    headers : sequence of str
        Column names as in the file.
    kind : {"events", "displacement"}
        Which field set applies.
    hxl_tags : sequence, optional
        The HXL hashtag of each column (same length as ``headers``), when the file has them.
    mapping : mapping, optional
        ``{file column or hashtag: field or None}``; wins over everything else.

    Returns
    -------
    ColumnMap

    Raises
    ------
    KeyError
        A mapping key that names no column (message: the key).
    OptionError
        A mapping value that is not a field.

    Examples
    --------
    >>> cm = recognise_columns(["event_date", "location", "fatalities", "Remarques"],
    ...                        kind="events")
    >>> cm.fields
    {'date': 'event_date', 'place': 'location', 'fatalities': 'fatalities', 'notes': 'Remarques'}
    >>> recognise_columns(["Jour", "Où"], kind="events", mapping={"Où": "place"}).fields
    {'place': 'Où', 'date': 'Jour'}
    """
    headers = [str(h) for h in headers]
    allowed = known_fields(kind)
    result = ColumnMap()
    taken: set[str] = set()
    ignored: set[str] = set()
    for key, target in (mapping or {}).items():
        column = _find_column(str(key), headers, hxl_tags)
        if column is None:
            raise KeyError(str(key))
        if target is None:
            ignored.add(column)
            continue
        if target not in allowed:
            raise OptionError(
                f"columns= maps {key!r} to {target!r}, which is not a field; "
                f"the fields are: {', '.join(allowed)} (the mapping goes "
                "{file column: field})")
        result.fields[target] = column
        result.how[target] = "mapping"
        taken.add(column)
    candidates: dict[str, list[tuple[int, int, str, str]]] = {}
    rules = (_HXL_COMMON + _HXL_EVENT if kind == "events"
             else _HXL_PCODES + _HXL_COMMON + _HXL_DISPLACEMENT)
    synonyms = _synonyms(kind)
    lookup = {syn: (name, rank) for name, syns in synonyms.items()
              for rank, syn in enumerate(syns)}
    for position, column in enumerate(headers):
        if column in taken or column in ignored:
            continue
        tag = _fold_tag(hxl_tags[position]) if hxl_tags is not None else None
        if tag is not None:
            hit = next(((rank, target) for rank, (name, attrs, target) in enumerate(rules)
                        if tag[0] == name and attrs <= tag[1]), None)
            if hit is not None:
                if hit[1] is not None:
                    candidates.setdefault(hit[1], []).append((0, hit[0], column, "hxl"))
                continue
        hit = lookup.get(fold(column, sep="_"))
        if hit is not None:
            candidates.setdefault(hit[0], []).append((1, hit[1], column, "header"))
    for target, found in candidates.items():
        if target in result.fields:
            continue
        found.sort(key=lambda c: (c[0], c[1]))
        result.fields[target] = found[0][2]
        result.how[target] = found[0][3]
        taken.add(found[0][2])
        for other in found[1:]:
            logger.info("column %r also looks like %r; using %r", other[2], target,
                        found[0][2])
    result.unmapped = [c for c in headers if c not in taken and c not in ignored]
    return result


def _find_column(key: str, headers: Sequence[str],
                 hxl_tags: Sequence[object] | None) -> str | None:
    if key in headers:
        return key
    folded = fold(key, sep="_")
    for column in headers:
        if fold(column, sep="_") == folded and folded:
            return column
    tag = _fold_tag(key)
    if tag is not None and hxl_tags is not None:
        for column, other in zip(headers, hxl_tags):
            if _fold_tag(other) == tag:
                return column
    return None
