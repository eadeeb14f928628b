"""views.admission: a few page runs at once, the rest in line, staff first (issue 20, goal 4)."""
from __future__ import annotations

import threading

from views.admission import STAFF, VISITOR, Gate


def test_gate__admits_up_to_its_slots_then_keeps_arrivals_in_line_in_order():
    gate = Gate(slots=2, staff_reserve=0)
    a, b, c, d = (gate.enter(VISITOR) for _ in range(4))
    assert a.admitted.is_set() and b.admitted.is_set()
    assert not c.admitted.is_set() and not d.admitted.is_set()
    assert (gate.position(c), gate.position(d), gate.waiting()) == (1, 2, 2)
    gate.leave()
    assert c.admitted.is_set() and not d.admitted.is_set() and gate.position(c) == 0
    gate.leave()
    assert d.admitted.is_set() and gate.busy == 2


def test_gate__staff_go_before_visitors_and_have_a_slot_of_their_own():
    gate = Gate(slots=1, staff_reserve=1)
    gate.enter(VISITOR)
    waiting = [gate.enter(VISITOR) for _ in range(3)]
    staff = gate.enter(STAFF)
    assert staff.admitted.is_set()  # the crowd's slot is taken: staff use their own at once
    later_staff = gate.enter(STAFF)
    assert not later_staff.admitted.is_set() and gate.position(later_staff) == 1  # ahead of every visitor
    gate.leave()  # one run ends
    assert later_staff.admitted.is_set() and not any(w.admitted.is_set() for w in waiting)
    gate.leave()
    gate.leave()  # both staff runs end: the visitors' one slot goes to the first of them
    assert waiting[0].admitted.is_set() and not waiting[1].admitted.is_set()


def test_gate__a_visitor_who_leaves_the_line_frees_their_place_and_a_late_admission_is_handed_on():
    gate = Gate(slots=1, staff_reserve=0)
    gate.enter(VISITOR)
    gone, next_one = gate.enter(VISITOR), gate.enter(VISITOR)
    gate.cancel(gone)
    assert gate.position(next_one) == 1
    gate.leave()
    assert next_one.admitted.is_set()
    gate.cancel(next_one)  # admitted, then closed before the page ran: the slot is passed on, not lost
    assert gate.busy == 0
    assert gate.enter(VISITOR).admitted.is_set()


def test_gate__threads_never_exceed_the_slots():
    gate = Gate(slots=3, staff_reserve=0)
    lock, running, peak = threading.Lock(), [0], [0]

    def page():
        ticket = gate.enter(VISITOR)
        assert gate.wait(ticket, 10)
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.01)
        with lock:
            running[0] -= 1
        gate.leave()

    threads = [threading.Thread(target=page) for _ in range(30)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(10)
    assert peak[0] == 3 and gate.busy == 0 and gate.waiting() == 0
