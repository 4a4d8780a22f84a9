"""Documents to print: a Typst template and its data → PDF, with the CJK font that ships with Fupin.

The one module every printed document goes through (户档案 now; notices, 明白卡 and reports later)::

    from fupin.documents.render import render_pdf
    pdf = render_pdf("household_record", data, labels={"members.*.name": "家庭成员姓名"})

* Templates are Typst markup files under ``fupin/documents/templates/`` (``<name>.typ``). The data is
  handed over as one JSON string in ``sys.inputs.data``; a template reads it with
  ``#let data = json(bytes(sys.inputs.data))`` (``_fupin.typ`` holds the shared page set-up). Values
  from the data are inserted as text, never evaluated as markup, so a name cannot change the document.
* Only the vendored font (``fonts/``, a GBK subset of Noto Sans CJK SC) is visible to Typst: no system
  or bundled fonts, so a PDF looks the same on every machine, and no package downloads.
* Before rendering, **every character of the data** is checked against the font's character map: a
  character the font lacks would print as an empty box, so it is refused with an error naming the
  field, the value and the character (``UnprintableText``, a ValidationError). Typst's own warnings
  are errors too (``DocumentError``): a document is either right or not produced.
"""

from __future__ import annotations

import datetime
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import typst
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent
TEMPLATE_DIR = HERE / "templates"
FONT_DIR = HERE / "fonts"
#: Rebuilt by ``fupin build_font``; its licence (SIL OFL 1.1) is fonts/OFL.txt.
FONT_FILE = FONT_DIR / "NotoSansCJKsc-Regular-GBK.otf"
FONT_FAMILY = "Noto Sans CJK SC"

#: Control characters that are layout, not glyphs: a line break in an address prints as one.
LAYOUT_CHARS = frozenset("\n\r\t")
_TEMPLATE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class DocumentError(RuntimeError):
    """A template could not be rendered cleanly (a Typst error or warning): a bug in the template or
    in the data it was given, never something a user can fix."""


@dataclass(frozen=True)
class Unprintable:
    """One character of the data the font cannot print."""

    path: str  # where in the data: "members.2.name"
    label: str  # the field's name for people: "家庭成员姓名"
    value: str
    char: str

    @property
    def message(self) -> str:
        return _("%(label)s“%(value)s”中的“%(char)s”（U+%(code)04X）不在打印字体中，打印出来会是空白方框。"
                 "请核对是否录入有误；确为生僻字的，请告知系统管理员。") % {
            "label": self.label, "value": self.value, "char": self.char, "code": ord(self.char)}


class UnprintableText(ValidationError):
    """The data holds characters the font cannot print; ``problems`` lists each (field, value, char)."""

    def __init__(self, problems: list[Unprintable]) -> None:
        self.problems = problems
        super().__init__([p.message for p in problems], code="unprintable")


@lru_cache(maxsize=1)
def printable() -> frozenset[int]:
    """The code points the shipped font has a glyph for (its cmap), read once per process."""
    with TTFont(str(FONT_FILE), lazy=True) as font:
        return frozenset(font.getBestCmap())


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(path, text) for every string in ``value``: dict keys' values, list items, scalars as text."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}.{i}")
    elif value is not None and not isinstance(value, bool):
        yield path, str(value)


def _label(path: str, labels: Mapping[str, str]) -> str:
    """The people's name of a data path: ``labels`` keys may use ``*`` for a list index
    ("members.*.name"); the item's place is added ("家庭成员姓名（第 3 项）")."""
    if path in labels:
        return str(labels[path])
    indexes = re.findall(r"\.(\d+)(?=\.|$)", path)
    pattern = re.sub(r"\.\d+(?=\.|$)", ".*", path)
    if pattern in labels:
        where = "".join(_("（第 %(n)s 项）") % {"n": int(i) + 1} for i in indexes)
        return str(labels[pattern]) + where
    return path


def check_printable(data: Any, *, labels: Mapping[str, str] | None = None) -> None:
    """Raise UnprintableText unless every character of every string in ``data`` is in the font.

    Each offending character is reported once per field, with the field's label from ``labels``
    (a data path such as "head.name" or "members.*.name" → the name people know), else its path."""
    chars = printable()
    problems = []
    for path, text in _strings(data, ""):
        seen = set()
        for char in text:
            if ord(char) in chars or char in LAYOUT_CHARS or char in seen:
                continue
            seen.add(char)
            problems.append(Unprintable(path=path, label=_label(path, labels or {}), value=text, char=char))
    if problems:
        raise UnprintableText(problems)


@lru_cache(maxsize=1)
def _fonts() -> typst.Fonts:
    # The vendored font only: a PDF must not depend on the fonts of the machine that renders it.
    return typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONT_DIR)])


_local = threading.local()


def _compiler() -> typst.Compiler:
    """One compiler per thread (it keeps a cache of the parsed templates and the loaded font)."""
    compiler = getattr(_local, "compiler", None)
    if compiler is None:
        # Templates import only each other (root: the templates folder); a Typst package import
        # ("@preview/…") would be downloaded, so none is used (tests/documents checks the sources).
        compiler = _local.compiler = typst.Compiler(root=str(TEMPLATE_DIR), font_paths=_fonts(),
                                                    ignore_system_fonts=True)
    return compiler


def template_path(name: str) -> Path:
    if not _TEMPLATE_NAME.match(name):
        raise ValueError(f"bad template name {name!r}")
    path = TEMPLATE_DIR / f"{name}.typ"
    if not path.is_file():
        raise ValueError(f"no template {path}")
    return path


def render_pdf(template_name: str, data: Mapping[str, Any], *, labels: Mapping[str, str] | None = None,
               when: datetime.datetime | None = None, tags: bool = True) -> bytes:
    """The PDF of template ``template_name`` (templates/<name>.typ) filled with ``data``.

    ``data`` must be JSON-serialisable; strings are printed as they are (format numbers and dates
    before). ``labels`` names the fields in the error when a character cannot be printed (see
    ``check_printable``). ``when`` is the PDF's creation date (now by default).

    Raises UnprintableText (a ValidationError: show it to the user) or DocumentError (a bug).

    Typst 0.14 writes tagged (accessible) PDF. ``tags=False`` leaves the tags out: for bulk runs (a
    village's 明白卡, hundreds of pages) where they cost time and size and nobody reads the file on screen.
    """
    path = template_path(template_name)
    check_printable(data, labels=labels)
    when = (when or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    inputs = {"data": json.dumps(data, ensure_ascii=False)}
    try:
        pdf, warnings = _compiler().compile_with_warnings(str(path), format="pdf", sys_inputs=inputs,
                                                          timestamp=when, pdf_tags=tags)
    except typst.TypstError as exc:
        raise DocumentError(f"{template_name}: {exc.message} {exc.hints} {exc.trace}") from exc
    if warnings:
        raise DocumentError(f"{template_name}: " + "; ".join(f"{w.message} {w.hints} {w.trace}" for w in warnings))
    return pdf


#: Joins rendered PDFs: each page of each part placed whole on a page of its own (``join_pdfs``).
_JOIN = """#set page(paper: "a4", margin: 0pt)
#let parts = json(bytes(sys.inputs.parts))
#for (i, part) in parts.enumerate() {
  for p in range(part.pages) {
    if i > 0 or p > 0 { pagebreak() }
    image(part.name, page: p + 1, width: 100%, height: 100%)
  }
}
"""


def join_pdfs(folder: Path, parts: list[tuple[str, int]], *, when: datetime.datetime | None = None) -> bytes:
    """One A4 PDF of the PDFs ``parts`` (file name in ``folder``, its page count), in order.

    Many cards in one Typst compile take memory in proportion (≈ 1 MB a page: 2 GB for 2,000 cards),
    so a county's cards are rendered a village at a time and joined here: Typst embeds each page as
    a vector image (text stays text, the fonts stay embedded), in a fraction of a second and a few
    tens of MB for hundreds of pages. No new dependency: the same Typst, rooted at ``folder``."""
    when = (when or datetime.datetime.now(datetime.UTC)).replace(microsecond=0)
    main = folder / "_join.typ"
    main.write_text(_JOIN, encoding="utf-8")
    inputs = {"parts": json.dumps([{"name": name, "pages": pages} for name, pages in parts], ensure_ascii=False)}
    try:
        compiler = typst.Compiler(root=str(folder), font_paths=_fonts(), ignore_system_fonts=True)
        pdf, warnings = compiler.compile_with_warnings(str(main), format="pdf", sys_inputs=inputs, timestamp=when,
                                                       pdf_tags=False)
    except typst.TypstError as exc:
        raise DocumentError(f"join: {exc.message} {exc.hints} {exc.trace}") from exc
    finally:
        main.unlink(missing_ok=True)
    if warnings:
        raise DocumentError("join: " + "; ".join(f"{w.message} {w.hints} {w.trace}" for w in warnings))
    return pdf
