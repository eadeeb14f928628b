"""Ingest: read a file (:mod:`~geodata.ingest.readers`), map its headers
(:mod:`~geodata.ingest.columns`), type its values (:mod:`~geodata.ingest.schema`), check it
(:mod:`~geodata.ingest.validate`) and plan an import against the store
(:mod:`~geodata.ingest.importer`); the bundled files under ``geodata/data`` are read by
:mod:`~geodata.ingest.bundled`. Nothing here writes: the store hands frames in."""
