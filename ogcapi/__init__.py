"""The public inventory as an OGC API – Features service (pygeoapi), read by QGIS, ArcGIS and GDAL.

- :mod:`ogcapi.collections` — which collections exist and what they say (titles, descriptions, fields,
  licence), generated from the layer catalogue and the message catalogue; pure.
- :mod:`ogcapi.published` — the published public view of the store: only public layers and public
  fields, in WGS-84, the indicators with the disclosure rule applied; rebuilt when the store's
  revision changes.
- :mod:`ogcapi.provider` — the pygeoapi feature provider that answers queries from that view
  (bbox, property filters, CQL2, sorting, paging).
- :mod:`ogcapi.config` — the pygeoapi configuration and OpenAPI document, generated at start.
- :mod:`ogcapi.server` — the WSGI application (read-only, CORS, HTML-safe JSON) served by waitress.

The API never reads a private table: the view is built from the public layers' public fields only
(``LayerSpec.public_fields``), so no enterprise, contact, enquiry, audit or account field can reach a
collection, a queryable or the OpenAPI document.
"""
