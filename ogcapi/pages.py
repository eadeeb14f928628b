"""Answered pages kept per store revision: the same request on the same data gets the same bytes.

A GIS client reading a layer asks for the same pages as the one before it (QGIS users opening the
same layer, a GDAL job run every night); the pages of one store revision never change, so the
server keeps the latest ones (least recently used out first, :data:`MAX_BYTES` in all) and forgets
them all when the store's revision changes. A page is keyed by everything that shapes it: path,
query, and the ``Accept`` and ``Accept-Language`` headers. A kept page's ``timeStamp`` says when it was
made (its data are those of the current revision all the same).
"""
from __future__ import annotations

import threading
from collections import OrderedDict

__all__ = ["PageCache", "MAX_BYTES", "MAX_PAGE_BYTES"]

MAX_BYTES = 256 * 1024 * 1024
"""The most bytes of pages kept in all."""
MAX_PAGE_BYTES = 64 * 1024 * 1024
"""A page larger than this is not kept."""


class PageCache:
    """Pages (status, headers, body) by request key, valid for one store revision token."""

    def __init__(self, *, max_bytes: int = MAX_BYTES, max_page_bytes: int = MAX_PAGE_BYTES):
        self.max_bytes, self.max_page_bytes = max_bytes, max_page_bytes
        self._pages: OrderedDict[tuple, tuple[str, list, bytes]] = OrderedDict()
        self._bytes = 0
        self._token: object = None
        self._lock = threading.Lock()

    @staticmethod
    def key(environ) -> tuple:
        """The key of a request: path, query, and the headers that choose format and language."""
        return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), environ.get("HTTP_ACCEPT", ""),
                environ.get("HTTP_ACCEPT_LANGUAGE", ""))

    def get(self, token: object, key: tuple):
        """The page kept for ``key`` at revision ``token``, or None (a new token forgets every page)."""
        with self._lock:
            if token is not self._token:
                self._pages.clear()
                self._bytes, self._token = 0, token
                return None
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, token: object, key: tuple, status: str, headers: list, body: bytes) -> None:
        """Keep a page answered at revision ``token`` (nothing if the revision changed meanwhile)."""
        if len(body) > self.max_page_bytes:
            return
        with self._lock:
            if token is not self._token:
                return
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._pages[key] = (status, list(headers), body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._pages:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= len(dropped[2])

    def __len__(self) -> int:
        return len(self._pages)
