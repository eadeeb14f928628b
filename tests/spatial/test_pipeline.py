"""Properties of the stage machine (:mod:`spatial.pipeline`), checked on random walks and pairs."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layers.vocab import CLOSE_REASONS
from spatial.pipeline import (CLOSED, ENDS, STAGES, Lease, TransitionError, allowed_moves, check_move, due_at,
                              reached)

ALL = (*STAGES, CLOSED)
LEASE = Lease("carrier-1", ("U1",), 120.0, date(2025, 7, 1), date(2027, 6, 30), 95.0)


def _what_it_needs(to: str) -> dict:
    """What a move to ``to`` must record."""
    return {CLOSED: {"reason": "price"}, "shortlisted": {"units": ["U1"]}, "signed": {"lease": LEASE}}.get(to, {})


@given(st.data())
def test_random_walk__stages_in_order_one_at_a_time_and_nothing_leaves_an_end(data):
    stage, visited = "received", ["received"]
    while allowed_moves(stage):
        to = data.draw(st.sampled_from(allowed_moves(stage)))
        check_move(stage, to, **_what_it_needs(to))
        if to != CLOSED:
            assert STAGES.index(to) == STAGES.index(stage) + 1
        stage = to
        visited.append(stage)
    assert stage in ENDS
    assert allowed_moves(stage) == ()
    path = [s for s in visited if s != CLOSED]
    assert tuple(path) == STAGES[:len(path)]
    assert visited.count(CLOSED) <= 1 and (CLOSED not in visited or visited[-1] == CLOSED)
    closed_from = visited[-2] if stage == CLOSED else None
    assert reached(stage, closed_from) == tuple(path)


@given(st.sampled_from(ALL), st.sampled_from(ALL))
def test_check_move__refuses_every_pair_not_allowed(current, to):
    if to in allowed_moves(current):
        check_move(current, to, **_what_it_needs(to))
    else:
        with pytest.raises(TransitionError):
            check_move(current, to, **_what_it_needs(to))


@given(st.sampled_from(ENDS), st.sampled_from(ALL))
def test_ends__nothing_leaves_moved_in_or_closed(end, to):
    with pytest.raises(TransitionError, match="cannot move"):
        check_move(end, to, reason="price", units=["U1"], lease=LEASE)


@given(st.sampled_from(STAGES[:-2]))
def test_allowed_moves__the_next_stage_and_closed(stage):
    assert allowed_moves(stage) == (STAGES[STAGES.index(stage) + 1], CLOSED)


def test_allowed_moves__a_signed_lease_moves_in_and_is_not_closed():
    assert allowed_moves("signed") == ("moved_in",)
    with pytest.raises(TransitionError, match="cannot move"):
        check_move("signed", CLOSED, reason="price")


@given(st.sampled_from(STAGES[:-2]), st.one_of(st.none(), st.text(max_size=12)))
def test_close__needs_a_reason_code_of_the_vocabulary(stage, reason):
    if reason in CLOSE_REASONS:
        check_move(stage, CLOSED, reason=reason)
    else:
        with pytest.raises(TransitionError, match="reason"):
            check_move(stage, CLOSED, reason=reason)


def test_shortlist__needs_a_unit():
    with pytest.raises(TransitionError, match="at least one unit"):
        check_move("screened", "shortlisted", units=[])
    check_move("screened", "shortlisted", units=("C-7",))


def test_sign__needs_a_lease():
    with pytest.raises(TransitionError, match="records the lease"):
        check_move("offer", "signed")
    check_move("offer", "signed", lease=LEASE)


@given(st.dates(date(2000, 1, 1), date(2100, 1, 1)), st.integers(-3650, 3650))
def test_sign__a_lease_ending_before_or_when_it_starts_refused(start, days):
    lease = Lease("carrier-1", (), 50.0, start, start + timedelta(days=days))
    if days > 0:
        check_move("offer", "signed", lease=lease)
    else:
        with pytest.raises(TransitionError, match="before or when it starts"):
            check_move("offer", "signed", lease=lease)


@given(st.floats(max_value=0.0, allow_nan=False))
def test_sign__area_must_be_above_zero(area):
    with pytest.raises(TransitionError, match="area above 0"):
        check_move("offer", "signed", lease=Lease("carrier-1", (), area, date(2025, 1, 1)))


def test_sign__needs_a_carrier():
    with pytest.raises(TransitionError, match="carrier"):
        check_move("offer", "signed", lease=Lease("", ("U1",), 50.0, date(2025, 1, 1)))


@given(st.sampled_from(ALL), st.sampled_from(STAGES))
def test_reached__a_prefix_of_the_stages(stage, closed_from):
    path = reached(stage, closed_from)
    assert path == STAGES[:len(path)]
    if stage in STAGES:
        assert path[-1] == stage
    else:
        assert path[-1] == closed_from


def test_reached__closed_without_knowing_from_where_is_nothing():
    assert reached(CLOSED) == ()


def test_unknown_stage__refused():
    with pytest.raises(TransitionError, match="unknown stage"):
        allowed_moves("lost")
    with pytest.raises(TransitionError, match="unknown stage"):
        check_move("received", "approved")


@given(st.sampled_from(ALL), st.datetimes(datetime(2000, 1, 1), datetime(2100, 1, 1)))
def test_due_at__none_at_an_end_later_otherwise(stage, since):
    due = due_at(stage, since)
    if stage in ENDS:
        assert due is None
    else:
        assert due > since
    if stage == "received":
        assert due == since + timedelta(days=3)


@pytest.mark.parametrize("area", [float("nan"), float("inf")])
def test_sign__area_must_be_a_finite_number(area):
    with pytest.raises(TransitionError):
        check_move("offer", "signed", lease=Lease("carrier-1", (), area, date(2025, 1, 1)))


def test_sign__needs_a_start_date():
    with pytest.raises(TransitionError):
        check_move("offer", "signed", lease=Lease("carrier-1", (), 50.0, None))
