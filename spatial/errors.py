"""The project's one exception module.

Every error the product raises on purpose derives from :class:`SpaceMapError`, so the
CLI and the app can turn it into a clear message instead of a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


class SpaceMapError(Exception):
    """Base class of every deliberate error in the project."""


class CRSError(SpaceMapError):
    """A layer has no CRS, the wrong CRS, or coordinates that contradict its CRS."""


class StoreError(SpaceMapError):
    """The store cannot be created, opened or written."""


class StoreBusyError(StoreError):
    """Another process is writing to the store."""


class ConflictError(StoreError):
    """Somebody else changed the rows since the writer read them (row versions differ).

    ``conflicts`` lists ``{"id", "expected", "current"}`` per row; nothing was written.
    """

    def __init__(self, message: str, conflicts: list[dict]):
        super().__init__(message)
        self.conflicts = conflicts


class UnknownLayerError(SpaceMapError):
    """A layer key that the catalogue does not know."""


@dataclass(frozen=True)
class Problem:
    """One validation finding: which layer, which feature, which field, what value, why."""

    layer: str
    feature_id: str | None
    field: str | None
    value: object
    message: str

    def __str__(self) -> str:
        where = self.layer
        if self.feature_id is not None:
            where += f" id={self.feature_id}"
        if self.field is not None:
            where += f" field={self.field}"
        return f"{where}: {self.message} (value: {self.value!r})"

    def as_dict(self) -> dict:
        """Return the problem as a JSON-ready dict."""
        value = self.value
        if not isinstance(value, (str, int, float, bool, type(None))):
            value = str(value)
        return {
            "layer": self.layer,
            "id": self.feature_id,
            "field": self.field,
            "value": value,
            "message": self.message,
        }


class ValidationError(SpaceMapError):
    """Raised once with every problem a validator collected."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        head = f"{len(self.problems)} validation problem(s)"
        body = "; ".join(str(p) for p in self.problems[:5])
        more = "" if len(self.problems) <= 5 else f"; … and {len(self.problems) - 5} more"
        super().__init__(f"{head}: {body}{more}")
