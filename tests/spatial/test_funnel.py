from datetime import date

import pandas as pd
import pytest

from spatial.errors import SpaceMapError
from spatial.funnel import funnel
from spatial.pipeline import STAGES


def _walk(enquiry_id: str, start: str, stages: list[str], gap_days: list[float], close_reason=None):
    """Events moving one enquiry along ``stages`` (then closing it if a reason is given)."""
    at = pd.Timestamp(start)
    rows, previous = [], "received"
    for stage, gap in zip(stages, gap_days):
        at += pd.Timedelta(days=gap)
        rows.append({"enquiry_id": enquiry_id, "at": at.isoformat(), "from_stage": previous, "to_stage": stage,
                     "undone_by": None})
        previous = stage
    if close_reason:
        rows.append({"enquiry_id": enquiry_id, "at": (at + pd.Timedelta(days=1)).isoformat(),
                     "from_stage": previous, "to_stage": "closed", "undone_by": None})
    return rows


def _data():
    enquiries = pd.DataFrame([
        # id, submitted, stage now, close reason, channel
        ("Q1", "2025-03-01T09:00:00", "visited", None, "portal"),
        ("Q2", "2025-03-02T09:00:00", "closed", "price", "portal"),
        ("Q3", "2025-03-03T09:00:00", "screened", None, "staff"),
        ("Q4", "2025-03-04T09:00:00", "received", None, None),
        ("Q5", "2025-04-10T09:00:00", "moved_in", None, "staff"),
    ], columns=["id", "submitted_at", "stage", "close_reason", "channel"])
    events = pd.DataFrame(
        _walk("Q1", "2025-03-01T09:00:00", ["screened", "shortlisted", "visit_arranged", "visited"], [2, 4, 1, 3])
        + _walk("Q2", "2025-03-02T09:00:00", ["screened", "shortlisted"], [1, 6], close_reason="price")
        + _walk("Q3", "2025-03-03T09:00:00", ["screened"], [3])
        + _walk("Q5", "2025-04-10T09:00:00", list(STAGES[1:]), [1, 1, 1, 1, 1, 1, 1]))
    return enquiries, events


def _counts(result):
    return {s["name"]: s["count"] for s in result["stages"]}


def test_counts__closed_enquiry_reached_the_stages_up_to_where_it_closed():
    enquiries, events = _data()
    result = funnel(enquiries, events, start=date(2025, 3, 1), end=date(2025, 3, 31))
    assert result["total"] == 4
    assert _counts(result) == {"received": 4, "screened": 3, "shortlisted": 2, "visit_arranged": 1, "visited": 1,
                               "offer": 0, "signed": 0, "moved_in": 0}
    closed = {c["reason"]: c["count"] for c in result["closed"]}
    assert closed["price"] == 1 and sum(closed.values()) == 1


def test_conversion__share_of_previous_stage_none_after_zero():
    enquiries, events = _data()
    stages = funnel(enquiries, events, start=date(2025, 3, 1), end=date(2025, 3, 31))["stages"]
    assert [s["conversion"] for s in stages] == [None, 0.75, pytest.approx(2 / 3), 0.5, 1.0, 0.0, None, None]


def test_median_days__between_entering_a_stage_and_the_next():
    enquiries, events = _data()
    stages = funnel(enquiries, events, start=date(2025, 3, 1), end=date(2025, 3, 31))["stages"]
    medians = {s["name"]: s["median_days"] for s in stages}
    # received → screened: 2, 1 and 3 days; screened → shortlisted: 4 and 6; then Q1 alone
    assert medians["received"] == 2.0
    assert medians["screened"] == 5.0
    assert medians["shortlisted"] == 1.0 and medians["visit_arranged"] == 3.0
    assert medians["visited"] is None and medians["moved_in"] is None


def test_period__inclusive_and_open_ended():
    enquiries, events = _data()
    assert funnel(enquiries, events, start=date(2025, 3, 2), end=date(2025, 3, 3))["total"] == 2
    assert funnel(enquiries, events, start=date(2025, 4, 10), end=None)["total"] == 1
    everything = funnel(enquiries, events, start=None, end=None)
    assert everything["total"] == 5 and _counts(everything)["moved_in"] == 1


def test_undone_events__are_ignored():
    enquiries, events = _data()
    wrong = {"enquiry_id": "Q4", "at": "2025-03-05T09:00:00", "from_stage": "received", "to_stage": "screened",
             "undone_by": "EV-99"}
    march = {"start": date(2025, 3, 1), "end": date(2025, 3, 31)}
    result = funnel(enquiries, pd.concat([events, pd.DataFrame([wrong])]), **march)
    assert _counts(result)["screened"] == 3
    kept = funnel(enquiries, pd.concat([events, pd.DataFrame([{**wrong, "undone_by": None}])]), **march)
    assert _counts(kept)["screened"] == 4


def test_groups__one_funnel_per_value_blank_as_none_last():
    enquiries, events = _data()
    result = funnel(enquiries, events, start=None, end=None, by="channel")
    assert [g["group"] for g in result["groups"]] == ["portal", "staff", "(none)"]
    by = {g["group"]: g for g in result["groups"]}
    assert by["portal"]["total"] == 2 and _counts(by["portal"])["shortlisted"] == 2
    assert _counts(by["staff"])["moved_in"] == 1 and _counts(by["staff"])["screened"] == 2
    assert by["(none)"]["total"] == 1 and _counts(by["(none)"])["screened"] == 0
    assert {c["reason"]: c["count"] for c in by["portal"]["closed"]}["price"] == 1
    assert sum(c["count"] for c in by["staff"]["closed"]) == 0
    assert by["staff"]["stages"][0]["median_days"] == 2.0  # Q3: 3 days, Q5: 1 day
    assert sum(g["total"] for g in result["groups"]) == result["total"]


def test_groups__unknown_column_refused():
    enquiries, events = _data()
    with pytest.raises(SpaceMapError, match="no such column"):
        funnel(enquiries, events, start=None, end=None, by="sector")


def test_current_stage__counts_when_history_is_missing():
    enquiries, _ = _data()
    result = funnel(enquiries, None, start=None, end=None)
    assert _counts(result)["visited"] == 2 and _counts(result)["moved_in"] == 1  # Q1 (visited), Q5 (moved in)
    assert _counts(result)["shortlisted"] == 2  # Q2, closed without a history, reached received only
    assert all(s["median_days"] is None for s in result["stages"])


def test_empty_period__zero_counts_no_conversion():
    enquiries, events = _data()
    result = funnel(enquiries, events, start=date(2030, 1, 1), end=None, by="channel")
    assert result["total"] == 0 and result["groups"] == []
    assert [s["count"] for s in result["stages"]] == [0] * len(STAGES)
    assert all(s["conversion"] is None and s["median_days"] is None for s in result["stages"])


def test_labels__bilingual_from_the_vocabulary():
    enquiries, events = _data()
    result = funnel(enquiries, events, start=None, end=None)
    assert result["stages"][0]["zh"] == "已收到" and result["stages"][0]["en"] == "Received"
    price = next(c for c in result["closed"] if c["reason"] == "price")
    assert (price["zh"], price["en"]) == ("价格", "Price")


def test_close_event__names_the_stage_it_closed_from():
    # an enquiry imported with only its closing step: it reached the stages up to the one it closed from
    enquiries = pd.DataFrame([("Q9", "2025-05-01T09:00:00", "closed", "location")],
                             columns=["id", "submitted_at", "stage", "close_reason"])
    events = pd.DataFrame([{"enquiry_id": "Q9", "at": "2025-06-01T09:00:00", "from_stage": "offer",
                            "to_stage": "closed", "undone_by": ""}])
    counts = _counts(funnel(enquiries, events, start=None, end=None))
    assert counts == {"received": 1, "screened": 1, "shortlisted": 1, "visit_arranged": 1, "visited": 1,
                      "offer": 1, "signed": 0, "moved_in": 0}
