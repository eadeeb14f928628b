"""The curated data (``data/``, cited in ``SOURCES.md``) and the code that keeps it, one room per concern:

* :mod:`geodata.storage` — the store contract (:func:`geodata.storage.open_store`), its
  GeoPackage and PostGIS backends, schema migrations and the SQL push-down;
* :mod:`geodata.ingest` — reading files, mapping headers, coercion, validation, import planning;
* :mod:`geodata.stewardship` — commits with backup and audit, undo, editor accounts, goals, the demand pool;
* :mod:`geodata.reports` — the store snapshot, planning figures, overview and exports;
* :mod:`geodata.synthetic` — synthetic inventories for tests and benchmarks only.
"""
