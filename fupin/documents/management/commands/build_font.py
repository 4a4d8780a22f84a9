"""``fupin build_font``: rebuild the CJK font the PDF documents print with (fupin/documents/fonts/).

The font is a subset of Noto Sans CJK SC (SIL OFL 1.1), face 2 of Debian's NotoSansCJK-Regular.ttc
(package fonts-noto-cjk), made with fontTools' subsetter. It covers every character GBK can encode
(21,886: GB2312 plus the rarer characters of names, 镕 喆 堃 玥 垚 …), ASCII, Latin-1, general and CJK
punctuation and the full-width forms. Kept as OTF (CFF outlines): Typst reads OTF/TTF, not WOFF2.

Without layout features the subset keeps ~22,000 glyphs (5 MB); the face's full feature set (vertical
forms, the JP/KR/TC ``locl`` variants) would pull in 40,000 glyphs (11 MB) that a horizontal Chinese
document never shows. Hinting is dropped: the font is for print and PDF viewers, not screens.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

from fupin.documents import render

DEBIAN_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
#: Face 2 of the collection is the Simplified Chinese one; checked against the name table below.
SC_FACE = 2
SC_FAMILY = "Noto Sans CJK SC"
#: Layout features kept: kerning and ligatures of Latin text, proportional / half-width punctuation.
FEATURES = ["kern", "liga", "palt", "halt"]
#: Blocks added to GBK whole, so that typographic characters never depend on GBK's choice.
EXTRA_RANGES = [
    (0x20, 0x7E),      # ASCII
    (0xA0, 0xFF),      # Latin-1: · ° ± × ÷ …
    (0x2000, 0x206F),  # general punctuation: — … ‰ ‘ ’ “ ”
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〇《》「」【】
    (0xFF01, 0xFF5E),  # full-width forms: ，：；（）％
    (0xFFE0, 0xFFE6),  # full-width signs: ￠ ￡ ￥
]


def charset() -> list[int]:
    """The code points of the subset: every character GBK encodes plus EXTRA_RANGES."""
    points = set()
    for cp in range(0x20, 0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        if not chr(cp).isprintable():  # DEL and the like: nothing to draw
            continue
        try:
            chr(cp).encode("gbk")
        except UnicodeEncodeError:
            continue
        points.add(cp)
    for lo, hi in EXTRA_RANGES:
        points.update(range(lo, hi + 1))
    return sorted(points)


def sc_face(path: str) -> int:
    """The index of the Simplified Chinese face, checked by its family name (ID 1)."""
    fonts = TTCollection(path).fonts
    if SC_FACE < len(fonts) and fonts[SC_FACE]["name"].getDebugName(1) == SC_FAMILY:
        return SC_FACE
    for i, font in enumerate(fonts):
        if font["name"].getDebugName(1) == SC_FAMILY:
            return i
    raise CommandError(f"{path} has no face named {SC_FAMILY!r}")


class Command(BaseCommand):
    help = "重新生成 PDF 文书所用的中文字体子集（Noto Sans CJK SC，GBK 全部字符）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--source", default=DEBIAN_TTC, help=f"Noto Sans CJK 字体集（默认 {DEBIAN_TTC}）")
        parser.add_argument("--output", default=str(render.FONT_FILE), help="输出的 OTF 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        source, output = options["source"], Path(options["output"])
        if not Path(source).exists():
            raise CommandError(f"找不到 {source}：请先安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）")
        face = sc_face(source)
        points = charset()
        opts = subset.Options()
        opts.font_number = face
        opts.layout_features = FEATURES
        opts.name_IDs = ["*"]  # keep the copyright (0) and licence (13, 14) records
        opts.name_languages = ["*"]
        opts.hinting = False
        opts.notdef_outline = True
        font = subset.load_font(source, opts)
        subsetter = subset.Subsetter(options=opts)
        subsetter.populate(unicodes=points)
        subsetter.subset(font)
        output.parent.mkdir(parents=True, exist_ok=True)
        subset.save_font(font, str(output), opts)
        cmap = TTFont(str(output))["cmap"].getBestCmap()
        missing = [cp for cp in points if cp not in cmap and chr(cp).isprintable()]
        self.stdout.write(f"{output}: {output.stat().st_size / 1e6:.1f} MB, {len(cmap):,} characters "
                          f"(face {face}, {SC_FAMILY}); not in the source font: "
                          + (" ".join(f"U+{cp:04X}" for cp in missing) or "none"))
