"""Unit attachments (both backends): real PNG, JPEG and PDF files round-trip with their SHA-256;
anything else (markup, a PDF named .png, oversize, an eleventh file) is refused with the reason;
removal and undo; the bytes are checked again when read."""
from __future__ import annotations

import base64
import hashlib
import io
import struct
import zlib

import pandas as pd
import pytest

from geodata.stewardship import accounts
from geodata.stewardship.commits import undo_last
from geodata.stewardship.units import (MAX_FILE_NAME_CHARS, add_attachment, attachments_of, clean_file_name,
                                       read_attachment, remove_attachment, undo_attachment_change)
from geodata.storage import open_store
from layers.market_catalogue import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS
from spatial.errors import SpaceMapError
from tests.geodata.test_units import OTHER, OWN, make_units
from tests.helpers import fingerprint


def png(width: int = 2, height: int = 2, shade: int = 0) -> bytes:
    """A real RGB PNG (signature, IHDR, IDAT with zlib-compressed scanlines, IEND; CRCs right)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([shade % 256, 128, 255 - shade % 256]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def pdf() -> bytes:
    """A minimal valid one-page PDF, with a cross-reference table whose offsets are right."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 32 + b"\xff\xd9"


@pytest.fixture
def unit(store_copy, tmp_path) -> str:
    """A unit of the operator's carrier (and one of another carrier) in a private store."""
    return make_units(store_copy, tmp_path)[0]


def test_fixtures__the_png_and_pdf_are_real_files():
    from PIL import Image  # a Streamlit dependency: only to prove the hand-made PNG decodes

    image = Image.open(io.BytesIO(png(3, 2)))
    assert image.size == (3, 2) and image.mode == "RGB" and image.getpixel((0, 0)) == (0, 128, 255)
    data = pdf()
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data.startswith(b"%PDF-1.4") and data[start:start + 4] == b"xref" and data.endswith(b"%%EOF\n")
    first_object = int(data[start:].split(b"\n")[3][:10])
    assert data[first_object:first_object + 7] == b"1 0 obj"


def test_add_attachment__png_jpeg_pdf_round_trip_with_sha256_and_audit(store_copy, unit):
    files = {"photo.png": png(), "view.JPG": JPEG, "plan.pdf": pdf()}
    added = {name: add_attachment(unit, name, data, who="op", account=accounts.account("op", store_copy),
                                  location=store_copy) for name, data in files.items()}
    assert {n: a["mime"] for n, a in added.items()} == {"photo.png": "image/png", "view.JPG": "image/jpeg",
                                                        "plan.pdf": "application/pdf"}
    for name, data in files.items():
        assert added[name]["sha256"] == hashlib.sha256(data).hexdigest() and added[name]["size_bytes"] == len(data)
        meta, back = read_attachment(added[name]["id"], store_copy)
        assert back == data and meta["mime"] == added[name]["mime"] and meta["file_name"] == name
    listed = attachments_of([unit], store_copy)
    assert [a["file_name"] for a in listed] == list(files)
    assert set(listed[0]) == {"id", "unit_id", "file_name", "mime", "size_bytes"}  # never who added it
    assert attachments_of([unit], store_copy, staff=True)[0]["added_by"] == "op"
    entry = open_store(store_copy).read_layer("audit_log").iloc[-1]
    assert (entry["who"], entry["action"], entry["layer"], entry["file_name"]) == ("op", "attach", "unit_attachments",
                                                                                   "plan.pdf")
    assert entry["sha256"] == hashlib.sha256(pdf()).hexdigest()
    with pytest.raises(SpaceMapError, match="already has this file"):
        add_attachment(unit, "again.png", png(), who="op", location=store_copy)


POLYGLOT = b"<html><body><script>alert(1)</script></body></html>%PDF-1.4\n"
REFUSED = [
    ("page.png", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "is markup (HTML, SVG or XML)"),
    ("floor.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "only photos"),
    ("floor.png", b'\xef\xbb\xbf  <svg xmlns="http://www.w3.org/2000/svg"/>', "is markup"),
    ("polyglot.pdf", POLYGLOT, "is markup"),
    ("plan.png", pdf(), "is a PDF document but its name says PNG image (.png)"),
    ("photo.pdf", png(), "is a PNG image but its name says PDF document (.pdf)"),
    ("photo.jpeg", png(), "is a PNG image but its name says JPEG image (.jpeg)"),
    ("notes.jpg", b"just some text", "is not a PNG, JPEG or PDF file"),
    ("photo", png(), "without an extension"),
    ("empty.png", b"", "is empty"),
    ("index.html", b"<html></html>", "only photos (.png, .jpg, .jpeg) and floor plans (.pdf) are accepted"),
]


def test_add_attachment__wrong_content_refused_with_the_reason_and_nothing_written(store_copy, unit):
    before = fingerprint(store_copy)
    for name, data, reason in REFUSED:
        with pytest.raises(SpaceMapError, match=reason.replace("(", r"\(").replace(")", r"\)")):
            add_attachment(unit, name, data, who="ed", location=store_copy)
    assert fingerprint(store_copy) == before and attachments_of([unit], store_copy) == []


def test_add_attachment__at_most_10_mb(store_copy, unit):
    too_big = png() + b"\x00" * (MAX_ATTACHMENT_BYTES + 1 - len(png()))
    assert len(too_big) == 10 * 1024 * 1024 + 1
    with pytest.raises(SpaceMapError, match="is 10,485,761 bytes; the limit is 10,485,760 bytes"):
        add_attachment(unit, "huge.png", too_big, who="ed", location=store_copy)
    exactly = pdf() + b"%" * (MAX_ATTACHMENT_BYTES - len(pdf()))
    done = add_attachment(unit, "big-plan.pdf", exactly, who="ed", location=store_copy)
    meta, back = read_attachment(done["id"], store_copy)
    assert meta["size_bytes"] == MAX_ATTACHMENT_BYTES and back == exactly


def test_add_attachment__the_eleventh_is_refused_until_one_is_removed(store_copy, unit):
    ids = [add_attachment(unit, f"p{i}.png", png(shade=i), who="ed", location=store_copy)["id"]
           for i in range(MAX_ATTACHMENTS)]
    assert len(attachments_of([unit], store_copy)) == MAX_ATTACHMENTS == 10
    with pytest.raises(SpaceMapError, match="has 10 attachments, the most it may have"):
        add_attachment(unit, "p10.png", png(shade=10), who="ed", location=store_copy)
    remove_attachment(ids[0], who="ed", location=store_copy)
    assert add_attachment(unit, "p10.png", png(shade=10), who="ed", location=store_copy)["id"] == "att-000011"


def test_remove_attachment__audited_and_undone_then_the_addition_undone(store_copy, unit):
    first = add_attachment(unit, "photo.png", png(), who="ed", location=store_copy)
    removed = remove_attachment(first["id"], who="ed", reason="blurred", location=store_copy)
    assert removed["removed"] is True and attachments_of([unit], store_copy) == []
    with pytest.raises(SpaceMapError, match="no attachment"):
        read_attachment(first["id"], store_copy)
    with pytest.raises(SpaceMapError, match="already removed"):
        remove_attachment(first["id"], who="ed", location=store_copy)
    entry = open_store(store_copy).read_layer("audit_log").iloc[-1]
    assert (entry["action"], entry["reason"]) == ("detach", "blurred")
    assert undo_attachment_change(who="ed", location=store_copy)["action"] == "detach"
    assert read_attachment(first["id"], store_copy)[1] == png()
    undone = undo_last(who="ed", path=store_copy)  # the general undo: the addition, list entry and bytes
    assert (undone["action"], undone["layer"]) == ("attach", "unit_attachments")
    store = open_store(store_copy)
    assert len(store.read_layer("unit_attachments")) == 0 and len(store.read_layer("attachment_blobs")) == 0


def test_attachments__operator_only_on_its_own_carriers_units(store_copy, tmp_path):
    own, other = make_units(store_copy, tmp_path)
    op = accounts.account("op", store_copy)
    done = add_attachment(own, "photo.png", png(), who="op", account=op, location=store_copy)
    with pytest.raises(SpaceMapError, match=f"may not change the units of carrier {OTHER}"):
        add_attachment(other, "photo.png", png(), who="op", account=op, location=store_copy)
    theirs = add_attachment(other, "plan.pdf", pdf(), who="ed", account=accounts.account("ed", store_copy),
                            location=store_copy)
    with pytest.raises(SpaceMapError, match=f"carrier {OTHER}"):
        remove_attachment(theirs["id"], who="op", account=op, location=store_copy)
    assert remove_attachment(done["id"], who="op", account=op, location=store_copy)["unit_id"] == own
    with pytest.raises(SpaceMapError, match="no unit 'unit-none'"):
        add_attachment("unit-none", "photo.png", png(), who="ed", location=store_copy)
    assert OWN in own


def test_read_attachment__bytes_changed_behind_its_back_are_not_served(store_copy, unit):
    done = add_attachment(unit, "photo.png", png(), who="ed", location=store_copy)
    store = open_store(store_copy)
    for forged in (b"<html><script>alert(1)</script></html>", png(shade=99)):  # other type; same type, other bytes
        blob = pd.DataFrame([{"id": done["id"], "content_b64": base64.b64encode(forged).decode("ascii")}])
        store.change_rows({"attachment_blobs": (blob, [])})  # as an outside tool could
        with pytest.raises(SpaceMapError, match="failed its check"):
            read_attachment(done["id"], store_copy)


@pytest.mark.parametrize("given, kept", [
    ("../../etc/photo.png", "photo.png"),
    ("C:\\Users\\li\\plan.pdf", "plan.pdf"),
    ("evil\u202egnp.pdf", "evilgnp.pdf"),
    ("tab\tand\x00nul\x1b.png", "tabandnul.png"),
    ('a<b>:"c"|?*.jpg', "a_b___c____.jpg"),
    ("长" * 200 + ".jpeg", "长" * (MAX_FILE_NAME_CHARS - 5) + ".jpeg"),
])
def test_clean_file_name__basename_no_control_or_bidi_at_most_120(given, kept):
    assert clean_file_name(given) == kept and len(clean_file_name(given)) <= MAX_FILE_NAME_CHARS


@pytest.mark.parametrize("given", ["", "..", "dir/", "\u202e\u2066"])
def test_clean_file_name__nothing_usable_refused(given):
    with pytest.raises(SpaceMapError, match="not a usable file name"):
        clean_file_name(given)
