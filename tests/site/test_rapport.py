"""``regiobench rapport`` without Chromium, and the PDF reader the report tests use (quick: no browser)."""

from __future__ import annotations

import zlib

from pipelines.site.rapport import footer
from tests.site.pdf_text import page_texts, pages, squeeze
from tests.support import run_cli


def test_without_chromium_the_report_says_in_dutch_how_to_get_it(tmp_path):
    done = run_cli("rapport", "--out", str(tmp_path / "uit"), "--chromium", str(tmp_path / "geen-chromium"))
    assert done.returncode != 0
    assert "Chromium ontbreekt" in done.stderr
    assert "apt install chromium" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_footer_names_region_wave_publication_date_and_pages():
    f = footer("Groningen", "VR01", 2025, "06-12-2026")
    assert "Regiorapport Groningen (VR01) · peiljaar 2025 · gegevens gepubliceerd op 06-12-2026" in f
    assert 'class="pageNumber"' in f and 'class="totalPages"' in f
    assert "<script" not in footer("<script>", "VR01", 2025, "06-12-2026")


def _pdf(tmp_path, page_texts_: list[str]):
    """A PDF as Chromium writes it: Type0 font with a ToUnicode CMap, compressed content, glyph codes in hex."""
    chars = sorted({c for t in page_texts_ for c in t})
    code = {c: i + 3 for i, c in enumerate(chars)}
    cmap = (
        "beginbfchar\n"
        + "".join(f"<{code[c]:04X}> <{ord(c):04X}>\n" for c in chars)
        + "endbfchar\n"
        + "beginbfrange\n<0100> <0101> <0041>\nendbfrange\n"
    ).encode()
    objs: dict[int, bytes] = {}
    kids = []
    for k, text in enumerate(page_texts_):
        content = zlib.compress(b"BT /F4 9 Tf [<" + "".join(f"{code[c]:04X}" for c in text).encode() + b">] TJ ET")
        n = 10 + 2 * k
        objs[n] = b"<</Filter /FlateDecode /Length %d>> stream\n" % len(content) + content + b"\nendstream"
        objs[n + 1] = b"<</Type /Page /Resources <</Font <</F4 4 0 R>>>> /Contents %d 0 R>>" % n
        kids.append(b"%d 0 R" % (n + 1))
    objs[4] = b"<</Type /Font /Subtype /Type0 /ToUnicode 5 0 R>>"
    objs[5] = b"<</Length %d>> stream\n" % len(cmap) + cmap + b"\nendstream"
    objs[2] = b"<</Type /Pages /Count %d /Kids [" % len(kids) + b" ".join(kids) + b"]>>"
    objs[1] = b"<</Type /Catalog /Pages 2 0 R>>"
    blob = b"%PDF-1.4\n" + b"".join(b"%d 0 obj\n" % n + body + b"\nendobj\n" for n, body in objs.items())
    path = tmp_path / "t.pdf"
    path.write_bytes(blob)
    return path


def test_the_pdf_reader_finds_the_pages_and_their_text(tmp_path):
    path = _pdf(tmp_path, ["Eerste pagina: vlaggen", "Tweede · spine chart", "Derde: chau\ufb00eur"])
    assert len(pages(path)) == 3
    texts = page_texts(path)
    assert [squeeze(t) for t in texts] == ["Eerstepagina:vlaggen", "Tweede·spinechart", "Derde:chauffeur"]
