"""The demo store: the bundled data with synthetic units, enterprises, enquiries, events, leases and demo
screening rules (:mod:`geodata.synthetic_market`), in a store of its own that says it is a demo."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from geodata.synthetic_market import (DEFAULT_SEED, screening_rules_demo, synthetic_enterprises, synthetic_pipeline,
                                      synthetic_units)
from layers.catalogue import CARRIER_LAYERS
from spatial.errors import StoreError


def _refuse_real_store(location) -> None:
    """:class:`StoreError` unless ``location`` may take a demo: never the default store, and never the
    configured store or an existing store unless it already is a demo store."""
    import settings
    from geodata.storage import list_store_layers, read_meta, store_path

    def same(a, b) -> bool:
        return str(a) == str(b) if isinstance(a, str) or isinstance(b, str) else Path(a).resolve() == Path(b).resolve()

    if same(location, settings.DEFAULT_STORE):
        raise StoreError(f"refusing to write the demo into the default store {location}: choose another --out")
    exists = bool(list_store_layers(location)) if isinstance(location, str) else Path(location).exists()
    if (exists or same(location, store_path())) and not (exists and read_meta(location).get("demo")):
        raise StoreError(f"refusing to write the demo into {location}: it is the configured store or holds a store "
                         "that is not a demo (delete it yourself or choose another location)")


def build_demo_store(location, *, seed: int = DEFAULT_SEED, enquiries: int = 500, units_per_carrier: int = 20,
                     now: datetime | None = None) -> dict:
    """A separate demo store at ``location`` (.gpkg path or ``postgresql://`` URL): the bundled data and synthetic
    units (of operating carriers), enterprises, enquiries, events, leases and demo rules, validated, in one write;
    metadata ``demo`` = "synthetic seed N, generated <date>". Returns ``{"location", "demo", "counts"}``."""
    from geodata.storage import as_location, create_store, describe_store, open_store
    from spatial.carriers import combine_carriers

    location, now = as_location(location), (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    _refuse_real_store(location)
    label = f"synthetic seed {seed}, generated {now.date().isoformat()}"
    store = open_store(create_store(location, replace=True))
    store.write_meta({"demo": f"{label} (incomplete)"})  # marked at once: a failed run may be repeated here
    carriers = combine_carriers({k: store.read_layer(k) for k in CARRIER_LAYERS}, CARRIER_LAYERS)
    today, rules = now.date(), screening_rules_demo()
    units = synthetic_units(carriers.loc[carriers["status"] == "operating"], units_per_carrier, seed=seed, today=today)
    ents = synthetic_enterprises(max(20, enquiries // 3), seed=seed + 1, today=today)
    frames = {**synthetic_pipeline(ents, units, carriers, enquiries, seed=seed + 2, now=now, rules=rules),
              "enterprises": ents, "screening_rules": rules}
    store.replace_layers(frames)
    store.write_meta({"demo": label})
    return {"location": describe_store(location), "demo": label, "counts": {k: len(f) for k, f in frames.items()}}


def demo_label(meta: dict) -> str | None:
    """The ``demo`` metadata of a store (what the app's banner says), or None for a real store."""
    return (meta or {}).get("demo") or None
