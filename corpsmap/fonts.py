"""The CJK font the briefing pack and its maps are set in: Noto Sans CJK SC from Debian's fonts-noto-cjk.

Found with fontconfig (`fc-match`), else at the paths Debian, Fedora and Arch install it to. Debian ships it as
a TrueType collection (.ttc) of CFF-outline faces; the face index picks Simplified Chinese out of it.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont, TTLibError

FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = "install Debian's fonts-noto-cjk (sudo apt-get install fonts-noto-cjk)"
# Where distributions put the collection (or the single Simplified Chinese face) when fontconfig is absent.
KNOWN_FILES = {
    "Regular": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
                "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf"),
    "Bold": ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Bold.otf"),
}


class FontMissing(RuntimeError):
    """No Noto Sans CJK SC on this machine."""


@dataclass(frozen=True)
class FontFace:
    """One face of a font file: `index` is its number in a .ttc collection (0 for a single font)."""

    path: Path
    index: int
    family: str
    style: str


def _fc_match(style: str) -> FontFace | None:
    """The face fontconfig picks, if it is really Noto Sans CJK SC (fc-match falls back to any font)."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "--format=%{file}\t%{index}\t%{family}\t%{style}", f"{FAMILY}:style={style}"],
                             capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, index, families, styles = [*out.split("\t"), "", "", ""][:4]
    if FAMILY not in families.split(",") or style not in styles.split(","):
        return None
    return FontFace(Path(path), int(index or 0), FAMILY, style)


def _face_index(path: Path) -> int | None:
    """The index of the Simplified Chinese face in `path` (0 for a plain font file holding it)."""
    try:
        if path.suffix.lower() in (".ttc", ".otc"):
            fonts = TTCollection(str(path), lazy=True).fonts
        else:
            fonts = [TTFont(str(path), lazy=True)]
    except (OSError, TTLibError):
        return None
    for i, font in enumerate(fonts):
        names = {font["name"].getDebugName(n) for n in (1, 16)}
        if FAMILY in names:
            return i
    return None


def _known_file(style: str) -> FontFace | None:
    for name in KNOWN_FILES[style]:
        path = Path(name)
        if path.is_file() and (index := _face_index(path)) is not None:
            return FontFace(path, index, FAMILY, style)
    return None


@lru_cache(maxsize=2)
def cjk_face(bold: bool = False) -> FontFace:
    """Noto Sans CJK SC, regular or bold; a missing bold falls back to the regular face.

    Raises FontMissing, saying what to install, when there is none.
    """
    style = "Bold" if bold else "Regular"
    face = _fc_match(style) or _known_file(style)
    if face is None and bold:
        return cjk_face(False)
    if face is None:
        raise FontMissing(f"no {FAMILY} font found (asked fc-match, looked in {', '.join(KNOWN_FILES[style])}): "
                          f"{INSTALL_HINT}")
    return face


_CURLY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})


def for_face(text: str, lang: str) -> str:
    """`text` as it should be set in Noto Sans CJK SC: its curly quotes are full-width, as Chinese sets them, so
    English text gets straight ones instead of a wide gap around every quotation."""
    return text.translate(_CURLY) if lang == "en" else text
