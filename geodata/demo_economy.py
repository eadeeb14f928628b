"""The demo store's economy: synthetic enterprises with messy register addresses, their figures by
year and where each is placed (by the same placement code real imports use), every row synthetic.
Only :func:`geodata.demo_market.build_demo_store` calls it: never the bundled or a real store."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import geopandas as gpd
import pandas as pd

from geodata.ingest.schema import coerce_frame
from geodata.synthetic_economy import synthetic_economy
from layers.catalogue import get_layer
from spatial.placement import place_enterprises

DEMO_ENTERPRISES = 300


def demo_economy(carriers: gpd.GeoDataFrame, *, seed: int, today: date,
                 n_enterprises: int = DEMO_ENTERPRISES) -> dict[str, pd.DataFrame]:
    """``{"enterprises", "enterprise_years", "placements"}`` for the demo store (the last three full years)."""
    years = tuple(range(today.year - 3, today.year))
    enterprises, figures, _ = synthetic_economy(carriers, n_enterprises=n_enterprises, years=years, seed=seed,
                                                today=today)
    placed = place_enterprises(enterprises[["id", "name", "address", "lon", "lat"]], carriers)
    stamp = datetime.combine(today, time(), timezone.utc).isoformat(timespec="seconds")
    placed = placed.assign(id=placed["enterprise_id"], placed_at=stamp, placed_by=None, synthetic=True)
    out = {}
    for key, frame in (("enterprises", enterprises), ("enterprise_years", figures), ("placements", placed)):
        spec = get_layer(key)
        typed, problems = coerce_frame(frame.reindex(columns=spec.field_names), spec)
        if problems:
            raise ValueError(f"demo {key}: {problems[0]}")
        out[key] = typed[list(spec.field_names)]
    return out


def add_demo_economy(location, *, seed: int, today: date) -> dict[str, int]:
    """Add the synthetic economy to the demo store at ``location`` (refused for a store that is not a demo)."""
    from geodata.storage import open_store
    from layers.catalogue import CARRIER_LAYERS
    from spatial.carriers import combine_carriers
    from spatial.errors import StoreError

    store = open_store(location)
    label = (store.read_meta() or {}).get("demo")
    if not label:
        raise StoreError("the synthetic economy goes into a demo store only (python cli.py demo)")
    carriers = combine_carriers({k: store.read_layer(k) for k in CARRIER_LAYERS}, CARRIER_LAYERS)
    frames = demo_economy(carriers, seed=seed, today=today)
    frames["enterprises"] = pd.concat([store.read_layer("enterprises").drop(columns=["row_version"], errors="ignore"),
                                       frames["enterprises"]], ignore_index=True)
    store.write_meta({"demo": f"{label} (incomplete)"})
    store.replace_layers(frames)
    store.write_meta({"demo": label})
    return {k: len(v) for k, v in frames.items()}
