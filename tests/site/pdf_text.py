"""Just enough of a PDF reader for the report tests: the pages of a PDF that headless Chromium printed, and the
text on each (no PDF library is a dependency of the project).

Chromium writes plain objects (no object streams), content streams compressed with FlateDecode, and text as
two-byte glyph codes of Type0 fonts whose ToUnicode CMap gives the characters. Whitespace is not reliable
(Chromium positions words instead of writing spaces): compare text with :func:`squeeze`.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from pathlib import Path

OBJ = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
REF = re.compile(rb"(\d+) 0 R")


def _objects(blob: bytes) -> dict[int, bytes]:
    return {int(n): body for n, body in OBJ.findall(blob)}


def _stream(body: bytes) -> bytes:
    m = re.search(rb"stream\r?\n(.*)\r?\nendstream", body, re.S)
    if not m:
        return b""
    data = m.group(1)
    return zlib.decompress(data) if b"/FlateDecode" in body[: m.start()] else data


def _cmap(data: bytes) -> dict[int, str]:
    out: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(dst, 16)
            for k, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(start + k)
    return out


def pages(path: Path) -> list[bytes]:
    """The page objects in reading order (from the page tree's /Kids)."""
    objs = _objects(Path(path).read_bytes())
    kids: list[bytes] = []

    def walk(n: int) -> None:
        body = objs[n]
        if re.search(rb"/Type\s*/Pages\b", body):
            m = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S)
            for k in REF.findall(m.group(1) if m else b""):
                walk(int(k))
        else:
            kids.append(body)

    root = next(n for n, b in objs.items() if re.search(rb"/Type\s*/Catalog\b", b))
    walk(int(re.search(rb"/Pages (\d+) 0 R", objs[root]).group(1)))
    return kids


def page_texts(path: Path) -> list[str]:
    """The text of each page, in the order the content stream shows it."""
    objs = _objects(Path(path).read_bytes())
    out = []
    for page in pages(path):
        fonts: dict[bytes, dict[int, str]] = {}
        fm = re.search(rb"/Font\s*<<(.*?)>>", page, re.S)
        for name, ref in re.findall(rb"/(\w+)\s+(\d+) 0 R", fm.group(1) if fm else b""):
            tu = re.search(rb"/ToUnicode (\d+) 0 R", objs[int(ref)])
            fonts[name] = _cmap(_stream(objs[int(tu.group(1))])) if tu else {}
        cm = re.search(rb"/Contents\s*(\[.*?\]|\d+ 0 R)", page, re.S)
        content = b"".join(_stream(objs[int(r)]) for r in REF.findall(cm.group(1))) if cm else b""
        text, cmap = [], {}
        for tok in re.finditer(rb"/(\w+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>|(T[Jj]|ET)", content):
            if tok.group(1) is not None:
                cmap = fonts.get(tok.group(1), {})
            elif tok.group(2) is not None:
                h = tok.group(2).decode()
                text.extend(cmap.get(int(h[i : i + 4], 16), "") for i in range(0, len(h) - 3, 4))
            elif tok.group(3) == b"ET":
                text.append(" ")
        out.append("".join(text))
    return out


def squeeze(s: str) -> str:
    """Text without whitespace and with ligatures spelled out (Chromium prints 'ff' as one glyph, U+FB00),
    to find a sentence whatever the spacing of the PDF."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))
