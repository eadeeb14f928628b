"""The load benchmarks' client (issue 20): what a browser tab does over Streamlit's websocket protocol, and
the figures kept of each visit (see :mod:`benchmarks.bench_load` for the protocol's description)."""
from __future__ import annotations

import asyncio
import os
import re
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException

GOAL = 0.5
PAGES = {"map": "", "match": "match", "match_result": "match", "tally": "tally", "progress": "progress",
         "overview": "overview"}
"""The public pages: name -> what the client asks for (url path, optionally ``?query``). ``match_result``: the
Match page, then its form sent as it is (the default match: every criterion "any"), as one visit."""
SUBMIT = {"match_result"}
"""Pages whose visit also presses the page's form submit button (a second run of the same session)."""
MARKERS = {"bare": "bare page", "map": "streamlit_folium.st_folium"}
"""What must be in a delta of the page's run: the bare header, the map component's name; or a message of
:mod:`messages` in Chinese (the default language), its first characters (the rest may be formatted):"""
MESSAGE_MARKERS = {"match": "m_submit", "match_result": "m_summary", "tally": "tl_conserved", "progress": "p_reported",
                   "overview": "overview_intro"}
MAX_SIGN = 8


@dataclass
class Run:
    """One session's visit: ``error`` None when the page ran; seconds from connecting to its end."""
    latency: float
    end: float
    error: str | None = None
    deltas: int = 0
    nbytes: int = 0


def marker_text(name: str) -> str:
    """The text that shows page ``name`` ran (a message key is looked up in Chinese)."""
    if name in MESSAGE_MARKERS:
        from messages import t
        text = t(MESSAGE_MARKERS[name], "zh")  # unformatted: its longest fixed part, its first characters
        return max(re.split(r"\{[^}]*\}", text), key=len)[:MAX_SIGN]
    return MARKERS.get(name, "")


def rerun_request(url: str, path: str, *, page_hash: str = "", trigger: str | None = None) -> bytes:
    """The BackMsg a browser sends on opening ``url``/``path`` (path: url path relative to the app, ``?query``);
    with ``page_hash`` and ``trigger`` (a button's widget id), the one it sends when that button is pressed."""
    page_name, _, query = path.lstrip("/").partition("?")
    msg = BackMsg()
    state = msg.rerun_script
    state.page_script_hash = page_hash
    state.page_name = page_name
    if trigger is not None:
        state.widget_states.widgets.add(id=trigger, trigger_value=True)
    state.query_string = query
    info = state.context_info
    info.timezone, info.timezone_offset, info.locale = "Asia/Shanghai", -480, "zh-CN"
    info.url, info.is_embedded, info.color_scheme = f"{url.rstrip('/')}/{path.lstrip('/')}", False, "light"
    return msg.SerializeToString()


def _delta_problem(delta) -> str | None:
    if delta.WhichOneof("type") != "new_element":
        return None
    kind = delta.new_element.WhichOneof("type")
    if kind == "exception":
        return "exception"
    if kind == "alert" and delta.new_element.alert.format == Alert.ERROR:
        return "error_alert"
    return None


async def visit(url: str, path: str, marker: str, *, timeout: float = 180.0, close_early: bool = False,
                submit: bool = False) -> Run:
    """One visitor: open the websocket, ask for ``path``, read until ``script_finished``; what it saw. With
    ``submit``, it then presses the page's form submit button and reads until that run's end as well (the
    marker must be in the second run)."""
    parts = urlsplit(url)
    ws_url = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}{parts.path.rstrip('/')}/_stcore/stream"
    sign, started = marker.encode(), time.perf_counter()
    seen, error, deltas, nbytes = False, None, 0, 0
    page_hash, button = "", None

    def done(problem: str | None) -> Run:
        now = time.perf_counter()
        return Run(now - started, now, problem, deltas, nbytes)

    try:
        async with asyncio.timeout(timeout):
            async with connect(ws_url, origin=f"{parts.scheme}://{parts.netloc}", subprotocols=["streamlit"],
                               max_size=None, ping_interval=None, open_timeout=timeout, compression=None if os.environ.get("NOCOMP") else "deflate") as ws:
                await ws.send(rerun_request(url, path))
                if close_early:
                    return done(None)
                async for raw in ws:
                    nbytes += len(raw)
                    msg = ForwardMsg.FromString(raw)
                    kind = msg.WhichOneof("type")
                    if kind == "delta":
                        deltas += 1
                        seen = seen or sign in raw
                        error = error or _delta_problem(msg.delta)
                        element = msg.delta.new_element
                        if (submit and element.WhichOneof("type") == "button" and element.button.is_form_submitter
                                and msg.metadata.delta_path[:1] == [0]):  # in the page, not the sidebar's login
                            button = button or element.button.id
                    elif kind == "navigation":
                        page_hash = msg.navigation.page_script_hash
                    elif kind == "page_not_found":
                        error = error or "page_not_found"
                    elif kind == "session_event" and msg.session_event.WhichOneof("type") == "script_compilation_exception":
                        error = error or "compile_error"
                    elif kind == "script_finished":
                        status = msg.script_finished
                        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue
                        if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                            error = error or ForwardMsg.ScriptFinishedStatus.Name(status).lower()
                        if submit and not error:  # the form, as the visitor would send it
                            if button is None:
                                return done("no_form")
                            await ws.send(rerun_request(url, path, page_hash=page_hash, trigger=button))
                            submit, seen = False, False
                            continue
                        return done(error or (None if seen else "no_marker"))
                return done("closed_before_finished")
    except TimeoutError:
        return done("timeout")
    except InvalidStatus as exc:
        return done(f"http_{exc.response.status_code}")
    except (OSError, WebSocketException) as exc:
        return done(f"connection:{type(exc).__name__}")


async def burst(url: str, path: str, marker: str, sessions: int, timeout: float, *,
                submit: bool = False) -> tuple[list[Run], float]:
    """``sessions`` visitors arriving at once; their runs and the wall time until the last one ended."""
    started = time.perf_counter()
    runs = await asyncio.gather(*(visit(url, path, marker, timeout=timeout, submit=submit) for _ in range(sessions)))
    return runs, max(r.end for r in runs) - started


def rss_mb(pid: int | None) -> float | None:
    """The resident memory of process ``pid`` in MB (``VmRSS`` of /proc), None when unknown."""
    if not pid:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) of ``values`` (nearest rank); nan when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def errors_text(runs: list[Run]) -> str:
    kinds = Counter(r.error for r in runs if r.error)
    return str(sum(kinds.values())) + (" (" + ", ".join(f"{k}×{n}" for k, n in kinds.most_common()) + ")" if kinds else "")


def path_of(name: str) -> str:
    return "" if name == "bare" else PAGES.get(name, name)
