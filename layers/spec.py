"""The shapes of the layer catalogue: a field, a style, a layer (see :mod:`layers.catalogue`)."""
from __future__ import annotations

from dataclasses import dataclass

from messages import pick


@dataclass(frozen=True)
class FieldSpec:
    """One attribute of a layer.

    ``dtype`` is one of ``str``, ``float``, ``int``, ``bool``, ``date``, ``codes`` (a
    ``;``-separated list of vocabulary codes) or ``code`` (one vocabulary code).
    """

    name: str
    dtype: str = "str"
    required: bool = False
    vocabulary: str | None = None
    nonnegative: bool = False
    title_zh: str = ""
    title_en: str = ""
    private: bool = False
    """True for a field only staff may read even in a public layer (who set a goal, and why)."""

    def title(self, lang: str) -> str:
        """Return the column title in ``lang``, falling back to the field name."""
        return pick(self.title_zh, self.title_en, lang) or self.name


@dataclass(frozen=True)
class Style:
    """How a layer is drawn."""

    color: str
    fill_color: str | None = None
    fill_opacity: float = 0.0
    weight: float = 2.0
    dash: str | None = None
    marker: str = "circle"


@dataclass(frozen=True)
class LayerSpec:
    """A layer: key, titles, geometry type, data file, fields, style."""

    key: str
    title_zh: str
    title_en: str
    geometry: str | None  # "Point", "MultiPolygon", or None for attribute tables
    file: str
    fields: tuple[FieldSpec, ...]
    style: Style | None = None
    role: str = "carrier"  # boundary | context | zone | carrier | table
    description_en: str = ""
    access: str = "public"
    """Who may read the layer: ``public`` (anyone, the portal and the OGC API), ``staff`` (logged-in
    staff: the demand pool, the audit log) or ``secret`` (never shown: accounts)."""

    @property
    def public(self) -> bool:
        """True when anonymous visitors may read the layer."""
        return self.access == "public"

    @property
    def public_fields(self) -> tuple[str, ...]:
        """The fields anonymous visitors may read (none for a layer that is not public)."""
        return tuple(f.name for f in self.fields if not f.private) if self.public else ()

    def title(self, lang: str) -> str:
        """Return the layer title in ``lang``."""
        return pick(self.title_zh, self.title_en, lang)

    @property
    def field_names(self) -> tuple[str, ...]:
        """The attribute names in catalogue order."""
        return tuple(f.name for f in self.fields)

    def field(self, name: str) -> FieldSpec:
        """Return the field spec called ``name``."""
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)
