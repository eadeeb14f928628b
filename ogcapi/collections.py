"""The collections of the OGC API: one per public catalogue layer, and the public economic indicators
by level when the store holds enterprise figures. Everything a client reads about a collection —
titles in Chinese and English, description, fields with their titles, licence — comes from the layer
catalogue (:mod:`layers.catalogue`) and the message catalogue (:mod:`messages`); nothing is written
here per layer. Pure: no I/O.
"""
from __future__ import annotations

from dataclasses import dataclass

from layers.catalogue import LAYERS, PUBLIC_LAYERS
from layers.spec import LayerSpec
from messages import Pair, pair, t

__all__ = ["Field", "Collection", "layer_collections", "indicator_collections", "INDICATOR_LEVELS",
           "INDICATOR_FIELDS", "indicator_key", "JSON_TYPES"]

JSON_TYPES = {"float": "number", "int": "integer", "bool": "boolean"}
"""Catalogue dtype → JSON Schema type (every other dtype — text, dates, codes — is a string)."""
INDICATOR_LEVELS = ("carrier", "cluster", "subdistrict", "district")
"""The levels served as collections. Hetao is not: its "outside Hetao" row has no geometry of its own."""
INDICATOR_FIELDS = ("enterprises", "high_tech", "specialised", "employees", "revenue_cny", "tax_cny", "rd_cny",
                    "patents", "floor_area_m2", "tax_per_m2", "revenue_per_m2", "occupancy", "tax_yoy", "revenue_yoy")
"""The public indicators (:data:`geodata.reports.economy.FIELDS`), each titled ``ind_<field>`` in the catalogue."""
_INTEGER_INDICATORS = ("enterprises", "high_tech", "specialised", "patents")


@dataclass(frozen=True)
class Field:
    """One property of a collection: name, JSON Schema type, titles."""

    name: str
    kind: str
    title: Pair

    def schema(self) -> dict:
        """The JSON Schema of the property (pygeoapi's ``fields`` entry): type, title, description."""
        return {"type": self.kind, "title": self.title.zh, "description": self.title.en}


@dataclass(frozen=True)
class Collection:
    """One collection: its id, the catalogue layer it publishes (None for indicators), titles,
    description, fields, geometry type (None: a table) and licence."""

    key: str
    layer: str | None
    title: Pair
    description: Pair
    fields: tuple[Field, ...]
    geometry: str | None
    licence: Pair
    level: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        """The property names, in order."""
        return tuple(f.name for f in self.fields)


def _licence(spec: LayerSpec) -> Pair:
    """Where a layer's data come from, by its kind: boundaries, sketched zones or public documents."""
    if spec.geometry == "MultiPolygon" and spec.role in ("boundary", "context"):
        return pair("api_lic_boundary")
    if spec.role == "zone":
        return pair("api_lic_sketched")
    return pair("api_lic_public")


def _description(spec: LayerSpec) -> Pair:
    title = Pair(spec.title_zh, spec.title_en)
    key = "api_desc_units" if spec.key == "units" else f"api_desc_{spec.role}"
    zh, en = (t(key, lang, title=title) for lang in ("zh", "en"))
    if spec.description_en:
        en = f"{en} {spec.description_en}."
    return Pair(zh, en)


def _fields(spec: LayerSpec) -> tuple[Field, ...]:
    public = set(spec.public_fields)
    return tuple(Field(f.name, JSON_TYPES.get(f.dtype, "string"), Pair(f.title_zh or f.name, f.title_en or f.name))
                 for f in spec.fields if f.name in public)


def layer_collections() -> tuple[Collection, ...]:
    """One collection per public layer of the catalogue, in catalogue order, with its public fields only.

    Units have no geometry of their own: they are placed at their carrier's position (a Point).
    """
    out = []
    for key in PUBLIC_LAYERS:
        spec = LAYERS[key]
        geometry = "Point" if key == "units" else spec.geometry
        out.append(Collection(key, key, Pair(spec.title_zh, spec.title_en), _description(spec), _fields(spec),
                              geometry, _licence(spec)))
    return tuple(out)


def indicator_key(level: str) -> str:
    """The collection id of the indicators by ``level``."""
    return f"indicators_{level}"


def indicator_collections(*, min_enterprises: int, dominance: float) -> tuple[Collection, ...]:
    """The public indicators, one collection per level of :data:`INDICATOR_LEVELS` (one row per unit
    and year), described with the disclosure rule in force."""
    out = []
    for level in INDICATOR_LEVELS:
        name = pair(f"ec_level_{level}")
        rule = {"level": name, "min": min_enterprises, "share": f"{dominance:.0%}"}
        fields = (Field("id", "string", pair("ind_unit_id")), Field("unit", "string", pair("ind_unit_id")),
                  Field("name_zh", "string", Pair("名称", "Name (zh)")),
                  Field("name_en", "string", Pair("英文名称", "Name (en)")),
                  Field("year", "integer", pair("api_field_year")),
                  *(Field(f, "integer" if f in _INTEGER_INDICATORS else "number", pair(f"ind_{f}"))
                    for f in INDICATOR_FIELDS),
                  Field("occupancy_basis", "string", pair("ind_occupancy_basis")),
                  Field("industries", "string", pair("ind_industries")),
                  Field("suppressed", "string", pair("ind_suppressed")))
        geometry = "Point" if level == "carrier" else "MultiPolygon"
        out.append(Collection(indicator_key(level), None, Pair(*(t("api_ind_title", lang, level=name)
                                                                  for lang in ("zh", "en"))),
                              Pair(*(t("api_desc_indicators", lang, **rule) for lang in ("zh", "en"))),
                              fields, geometry, pair("api_lic_computed"), level=level))
    return tuple(out)
