"""The line in front of the pages (views.admission through chrome.admitted), in a real Streamlit server at
its websocket protocol: a visitor who has to wait sees their place in line at once instead of a blank page,
then their page; a staff member is not kept behind visitors (issue 20, goal 4)."""
from __future__ import annotations

import asyncio
import time

import pytest
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

from benchmarks.bench_pages import serve_bare
from benchmarks.load_protocol import rerun_request
from messages import t
from tests.e2e.server import stop_app

APP = '''import time
import streamlit as st
from views import chrome
q = st.query_params
with chrome.admitted(q.get("lang", "zh"), staff=q.get("staff") == "1"):
    time.sleep(float(q.get("slow", "0")))  # a page that holds its slot
    st.header("page " + q.get("name", ""))
'''


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    script = tmp_path_factory.mktemp("admission") / "line.py"
    script.write_text(APP)
    mp = pytest.MonkeyPatch()
    mp.setenv("SPACEMAP_PAGE_SLOTS", "1")  # one visitor at a time (staff: one more slot)
    try:
        proc, url = serve_bare(script)
    finally:
        mp.undo()
    yield url
    stop_app(proc)


async def _visit(url: str, query: str) -> dict:
    """Ask for the page; what arrived when: the notices (their text), the page's header, the end."""
    started, seen = time.perf_counter(), {"notices": [], "page": None, "end": None}
    async with connect(url.replace("http://", "ws://") + "/_stcore/stream", origin=url, subprotocols=["streamlit"],
                       max_size=None) as ws:
        await ws.send(rerun_request(url, f"?{query}"))
        async for raw in ws:
            msg = ForwardMsg.FromString(raw)
            kind = msg.WhichOneof("type")
            element = msg.delta.new_element if kind == "delta" else None
            if element is not None and element.WhichOneof("type") == "alert":
                seen["notices"].append((time.perf_counter() - started, element.alert.body))
            elif element is not None and element.WhichOneof("type") == "heading":
                seen["page"] = time.perf_counter() - started
            elif kind == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                assert msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
                seen["end"] = time.perf_counter() - started
                return seen
    raise AssertionError("the session closed before its page ended")


def test_line__a_waiting_visitor_sees_their_place_at_once_then_the_page(server):
    async def scenario():
        slow = asyncio.create_task(_visit(server, "slow=2.5&name=slow"))
        await asyncio.sleep(0.4)  # the slow page holds the only visitors' slot
        waiting = await _visit(server, "name=second&lang=en")
        return await slow, waiting

    slow, waiting = asyncio.run(scenario())
    assert slow["page"] is not None and not slow["notices"]  # admitted at once
    (when, text), *_ = waiting["notices"]
    assert text == t("busy_wait", "en", n=1)  # in the visitor's language, with their place
    assert when < 1.0  # within a second, not after the slow page
    assert waiting["page"] > 1.5 and waiting["page"] > when  # the page itself once the slot was free


def test_line__staff_are_not_kept_behind_waiting_visitors(server):
    async def scenario():
        slow = asyncio.create_task(_visit(server, "slow=2.5&name=slow"))
        await asyncio.sleep(0.4)
        visitors = [asyncio.create_task(_visit(server, f"name=v{i}&slow=0.3")) for i in range(3)]
        await asyncio.sleep(0.2)
        staff = await _visit(server, "staff=1&name=staff")
        return staff, await asyncio.gather(slow, *visitors)

    staff, others = asyncio.run(scenario())
    assert not staff["notices"] and staff["end"] < 1.0  # its own slot: no line
    assert all(v["notices"] for v in others[1:])  # while the visitors were still in line
