"""Finding the returns of each wave under ``data/raw/``.

A wave is a folder named by its year (``data/raw/2024/``). Inside it, only
regular files directly in the folder are considered:

* ``<code>*.xlsx`` whose name starts with a region code from the reference
  (the longest code that matches, followed by a non-alphanumeric character or
  the end of the stem) is a regional workbook;
* ``<module>.csv`` is a survey-tool export of that module;
* everything else is ignored and reported: hidden files (``.DS_Store``),
  Excel's lock files (``~$VR13.xlsx``), symbolic links (never followed, so
  nothing outside the raw folder is ever read), sub-folders, and names that fit
  neither form.

A workbook or export that is too large, or that cannot be read (a file swapped
for a link or a pipe after it was listed, no permission), keeps its kind but
gets a ``reason`` and no hash: the ingest rejects it, so that the region's
earlier data stays in use (an ignored file would make the region *missing*).
A name that is not valid UTF-8 or holds control or bidirectional characters is
shown escaped (``VR13_\\xe2.xlsx``) everywhere, with a warning. So is a name
holding an e-mail address, phone number or BSN: it is shown with these
replaced (``VR13_[e-mailadres verwijderd].xlsx``), see :func:`private_name`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract.codebook import MODULES
from pipelines.core import portability
from pipelines.core.privacy import redact_name
from pipelines.core.problems import WARNING, Problem
from pipelines.ingest.readers import DEFAULT_LIMITS, Limits

WAVE_RE = re.compile(r"^\d{4}$")
#: A folder name that starts with a year (``2025 (kopie)``, ``2023 ``): not a wave, but it looks like one.
NEAR_WAVE_RE = re.compile(r"^\s*(\d{4})(?!\d)")
#: The first year that can be a wave; the last is the current year + WAVES_AHEAD (see :func:`wave_range`).
FIRST_WAVE = 2000
WAVES_AHEAD = 1
WORKBOOK = "werkboek"
EXPORT = "export"
IGNORED = "genegeerd"


@dataclass(frozen=True)
class RawFile:
    path: Path
    rel: str  # relative to the raw root, with forward slashes: how the file is named everywhere
    wave: int
    kind: str  # WORKBOOK, EXPORT or IGNORED
    size: int
    sha256: str | None = None
    region_code: str | None = None
    module: str | None = None
    reason: str | None = None


def sha256_of(path: Path) -> str:
    """The file's SHA-256; a link is never followed and a pipe never waited on (OSError instead)."""
    h = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | portability.O_NOFOLLOW | portability.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError("geen gewoon bestand")
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def wave_range(today: dt.date | None = None) -> tuple[int, int]:
    """The years a wave folder may have: FIRST_WAVE up to and including the current year + WAVES_AHEAD."""
    return FIRST_WAVE, (today or dt.date.today()).year + WAVES_AHEAD


@dataclass(frozen=True)
class FolderNote:
    """Something directly under the raw root that is not a wave: reported by name, never read."""

    name: str  # as shown (escaped like a file name)
    reason: str  # Dutch
    year: int | None = None  # the wave it looks like, if it looks like one

    def problem(self) -> Problem:
        return Problem(f"{self.name}/", "map.geen_peiljaar", f"niet gelezen: {self.reason}", WARNING)


def scan_root(raw_root: Path, today: dt.date | None = None) -> tuple[list[int], list[FolderNote]]:
    """The waves under the raw root, and a note for every other entry there.

    A wave is a folder (not a link) named by exactly four digits whose year lies
    in :func:`wave_range`. Everything else is a note: ``2025 (kopie)``, ``2023 ``
    (trailing space), ``0224``, ``oud``, ``2099``, files and links. Nothing here
    raises for a strange name.
    """
    raw_root = Path(raw_root)
    if not raw_root.is_dir():
        return [], []
    first, last = wave_range(today)
    waves, notes = [], []
    year: int | None  # a wave's year, or the year a folder name that looks like one points at
    with os.scandir(raw_root) as it:
        entries = sorted(it, key=lambda e: e.name)
    for entry in entries:
        shown = display_name(entry.name)[0]
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_link = entry.is_symlink()
        except OSError:
            is_dir, is_link = False, False
        if is_link:
            notes.append(FolderNote(shown, "symbolische koppeling in data/raw: wordt niet gevolgd"))
            continue
        if not is_dir:
            if not entry.name.startswith("."):
                notes.append(
                    FolderNote(
                        shown, "een bestand direct in data/raw hoort in de map van een peiljaar (data/raw/<jaar>/)"
                    )
                )
            continue
        if WAVE_RE.match(entry.name):
            year = int(entry.name)
            if entry.name.startswith("0") or not first <= year <= last:
                notes.append(
                    FolderNote(
                        shown,
                        f"'{shown}' is geen peiljaar: een peiljaar is een jaartal van {first} "
                        f"tot en met {last}; de map is niet geladen",
                        None,
                    )
                )
                continue
            waves.append(year)
            continue
        m = NEAR_WAVE_RE.match(entry.name)
        year = int(m.group(1)) if m and first <= int(m.group(1)) <= last else None
        if year is not None:
            held = not (raw_root / str(year)).is_dir()
            notes.append(
                FolderNote(
                    shown,
                    f"de mapnaam '{shown}' is geen peiljaar (alleen een map die precies "
                    f"'{year}' heet, wordt gelezen)"
                    + (
                        f"; er is geen map '{year}', dus wat eerder voor peiljaar {year} was "
                        f"geladen blijft in gebruik: hernoem de map naar '{year}', of haal "
                        f"hem weg uit data/raw om peiljaar {year} te verwijderen"
                        if held
                        else f"; de map '{year}' wordt gelezen, deze niet: haal hem weg uit data/raw"
                    ),
                    year,
                )
            )
        else:
            notes.append(
                FolderNote(
                    shown,
                    f"de map '{shown}' is geen peiljaar (een peiljaar heet {first} tot en met {last}); niet gelezen",
                )
            )
    return sorted(set(waves)), notes


def held_waves(waves: list[int], notes: list[FolderNote]) -> list[int]:
    """Waves without their folder but with a folder that looks like it (``2025 (kopie)``): their earlier data stays."""
    return sorted({n.year for n in notes if n.year is not None and n.year not in waves})


def list_waves(raw_root: Path) -> list[int]:
    """The waves present: year-named folders directly under the raw root (links are not followed).

    Only a four-digit year in :func:`wave_range`; see :func:`scan_root` for everything else.
    """
    return scan_root(raw_root)[0]


#: Characters that change how surrounding text is shown: shown escaped in a file name.
_BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def display_name(name: str) -> tuple[str, bool]:
    """A file name as it is shown and stored, and whether it needed no escaping.

    Bytes that are not UTF-8 (``os`` gives them as surrogates), control and
    bidirectional characters and, in such a name, the backslash are escaped:
    the result can always be stored and printed, and two names never give the
    same result.
    """
    if not any(unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI for c in name):
        return name, True
    out = []
    for c in name:
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:  # a byte that is not UTF-8
            out.append(f"\\x{o - 0xDC00:02x}")
        elif unicodedata.category(c) in ("Cc", "Cs") or c in _BIDI:
            out.append(f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}")
        elif c == "\\":
            out.append("\\\\")
        else:
            out.append(c)
    return "".join(out), False


def private_name(shown: str, used: set[str]) -> str:
    """``shown`` with personal data replaced (:func:`pipelines.core.privacy.redact_name`), unique among ``used`` (updated).

    Two names that redact to the same text get `` (2)``, `` (3)``… before the extension, in the folder's order.
    """
    name = redact_name(shown)
    if name != shown:
        stem, dot, ext = name.rpartition(".")
        base, n = (stem, "." + ext) if dot else (name, ""), 2
        while name in used:
            name = f"{base[0]} ({n}){base[1]}"
            n += 1
    used.add(name)
    return name


def match_region(stem: str, region_codes: list[str]) -> str | None:
    """The region code a workbook's file name starts with, if any."""
    upper = stem.upper()
    for code in sorted(region_codes, key=len, reverse=True):
        if upper.startswith(code.upper()):
            rest = stem[len(code) :]
            if rest == "" or not rest[0].isalnum():
                return code
    return None


def classify(name: str, region_codes: list[str]) -> tuple[str, str | None, str | None, str | None]:
    """(kind, region_code, module, reason) of a file name."""
    if name.startswith("~$"):
        return IGNORED, None, None, "tijdelijk bestand van Excel (het werkboek is nog geopend)"
    if name.startswith("."):
        return IGNORED, None, None, "verborgen bestand"
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower() if dot else ""
    if ext == "xlsx":
        code = match_region(stem, region_codes)
        if code:
            return WORKBOOK, code, None, None
        return IGNORED, None, None, "de naam van het werkboek begint niet met een bekende regiocode"
    if ext == "csv":
        module = stem.strip().lower()
        if module in MODULES:
            return EXPORT, None, module, None
        return IGNORED, None, None, f"een export heet <module>.csv met module een van: {', '.join(MODULES)}"
    if ext in ("xls", "xlsm", "xlsb", "ods", "numbers"):
        # Named for a region: that region's return in a form not read; the ingest keeps its earlier data.
        return (
            IGNORED,
            match_region(stem, region_codes),
            None,
            f"bestandsvorm .{ext} wordt niet gelezen; lever een .xlsx-werkboek (Excel: Opslaan als .xlsx)",
        )
    if ext in ("txt", "tsv"):
        return IGNORED, None, None, f"bestandsvorm .{ext} wordt niet gelezen; lever .xlsx of .csv"
    return IGNORED, None, None, "geen werkboek (.xlsx) of export (.csv)"


def discover_wave(
    raw_root: Path, wave: int, region_codes: list[str], limits: Limits = DEFAULT_LIMITS
) -> tuple[list[RawFile], list[Problem]]:
    """The files of one wave, hashed, and a warning for each file that is ignored."""
    raw_root = Path(raw_root)
    folder = raw_root / str(wave)
    files: list[RawFile] = []
    problems: list[Problem] = []
    root_real = raw_root.resolve()
    with os.scandir(folder) as it:
        entries = sorted(it, key=lambda e: e.name)
    used: set[str] = set()
    reason: str | None  # why a file is ignored or rejected; None when it is read
    for entry in entries:
        shown, clean = display_name(entry.name)
        rel = f"{wave}/{private_name(shown, used)}"
        if rel != f"{wave}/{shown}":
            problems.append(
                Problem(
                    rel,
                    "bestand.naam_persoonsgegevens",
                    "de bestandsnaam bevat een e-mailadres, "
                    "telefoonnummer of BSN; zo getoond. Geef het bestand een naam zonder persoonsgegevens",
                    WARNING,
                )
            )
        if not clean:
            problems.append(
                Problem(
                    rel,
                    "bestand.naam",
                    "de bestandsnaam bevat tekens die geen tekst zijn (geen UTF-8, "
                    "stuur- of richtingstekens); zo getoond, met \\x.. voor elk zo'n teken",
                    WARNING,
                )
            )
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError as exc:
            reason = f"het bestand kan niet worden bekeken ({exc.strerror or type(exc).__name__})"
            files.append(RawFile(Path(entry.path), rel, wave, IGNORED, 0, reason=reason))
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
            continue
        reason = None
        if stat.S_ISLNK(st.st_mode):
            reason = "symbolische koppeling: wordt om veiligheidsredenen niet gevolgd"
        elif stat.S_ISDIR(st.st_mode):
            reason = "map binnen een peiljaar: alleen bestanden direct in de map van het peiljaar worden gelezen"
        elif not stat.S_ISREG(st.st_mode):
            reason = "geen gewoon bestand"
        elif not Path(entry.path).resolve().is_relative_to(root_real):
            reason = "bestand ligt buiten de map data/raw"
        if reason:
            files.append(RawFile(Path(entry.path), rel, wave, IGNORED, 0, reason=reason))
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
            continue
        kind, code, module, reason = classify(shown, region_codes)
        digest = None
        if kind == IGNORED:
            problems.append(Problem(rel, "bestand.genegeerd", f"genegeerd: {reason}", WARNING))
        elif st.st_size > limits.max_file_bytes:  # rejected by the ingest (see the module's docstring)
            reason = f"het bestand is {st.st_size / 1024 / 1024:.0f} MB; de grens is {limits.max_file_bytes / 1024 / 1024:.0f} MB"
        else:
            try:
                digest = sha256_of(Path(entry.path))
            except OSError as exc:  # rejected by the ingest
                reason = f"het bestand kan niet worden gelezen ({exc.strerror or exc})"
        files.append(RawFile(Path(entry.path), rel, wave, kind, st.st_size, digest, code, module, reason))
    if not any(f.kind in (WORKBOOK, EXPORT) for f in files):
        problems.append(
            Problem(
                f"{wave}/",
                "peiljaar.leeg",
                f"de map van peiljaar {wave} bevat geen werkboek (.xlsx) of export (.csv): elke regio "
                f"telt als ontbrekend en de site opent niet op dit peiljaar",
                WARNING,
            )
        )
    return files, problems


def fingerprint(files: list[RawFile], context: str = "") -> str:
    """One hash over the names and contents of a wave's files (what 'unchanged' means).

    Ignored files count by name, kind and size (they are never read): adding an ``.xlsm`` beside
    an unchanged wave is a change, so the run reads the wave again and reports the file.
    ``context`` adds what else decides the outcome (the region set, the rules' version).
    """
    h = hashlib.sha256(context.encode())
    for f in sorted(files, key=lambda f: f.rel):
        if f.kind != IGNORED:
            h.update(f"{f.rel}\0{f.sha256}\n".encode())
        else:
            h.update(f"{f.rel}\0{IGNORED}\0{f.size}\n".encode())
    return h.hexdigest()


def snapshot(raw_root: Path, previous: dict | None = None) -> dict[str, dict[str, list]]:
    """Every regular file of every wave: ``{wave: {name: [sha256, size, mtime_ns]}}``.

    A file whose size and modification time equal those in ``previous`` keeps
    its recorded hash instead of being read again, so a sensor can look often.
    Links and sub-folders are listed by name only (they are never read).
    """
    previous = previous or {}
    out: dict[str, dict[str, list]] = {}
    for wave in list_waves(raw_root):
        key = str(wave)
        before = previous.get(key, {})
        files: dict[str, list] = {}
        used: set[str] = set()
        with os.scandir(Path(raw_root) / key) as it:
            for entry in sorted(it, key=lambda e: e.name):
                name = private_name(display_name(entry.name)[0], used)
                try:
                    st = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(st.st_mode):
                        files[name] = ["-", 0, 0]
                        continue
                    old = before.get(name)
                    if old and old[1] == st.st_size and old[2] == st.st_mtime_ns:
                        files[name] = old
                    else:
                        files[name] = [sha256_of(Path(entry.path)), st.st_size, st.st_mtime_ns]
                except OSError:  # gone, swapped or unreadable: changed, the run will say more
                    files[name] = ["?", 0, 0]
        out[key] = files
    return out


def changed_waves(before: dict, after: dict) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """(affected waves still present, waves whose folder is gone, what changed per wave, in words)."""
    affected, changes = [], {}
    for wave, files in after.items():
        old = before.get(wave, {})
        added = sorted(set(files) - set(old))
        removed = sorted(set(old) - set(files))
        changed = sorted(n for n in set(files) & set(old) if files[n][0] != old[n][0])
        if added or removed or changed:
            affected.append(wave)
            changes[wave] = (
                [f"nieuw: {n}" for n in added]
                + [f"gewijzigd: {n}" for n in changed]
                + [f"verwijderd: {n}" for n in removed]
            )
    gone = sorted(set(before) - set(after))
    return sorted(affected), gone, changes
