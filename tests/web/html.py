"""Reading rendered pages the way a person (or a browser) would: form values, errors by field, rows."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _PageParser(HTMLParser):
    """Collects the page's forms (with the values a browser would submit), the error texts inside
    each ``<div class="field">`` keyed by the name of the input in that block, and non-field errors."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.field_errors: dict[str, list[str]] = {}
        self.nonfield_errors: list[str] = []
        self._form: dict | None = None
        self._select: dict | None = None
        self._textarea: str | None = None
        self._divs: list[dict | None] = []  # one entry per open <div>; a dict for a field block
        self._err: list[str] | None = None
        self._nonfield = False
        self._li: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._structure(tag, a, (a.get("class") or "").split())
        name = a.get("name")
        if tag in ("input", "select", "textarea") and name:
            block = self._block()
            if block is not None and block["name"] is None:
                block["name"] = name
        if self._form is not None:
            self._form_value(tag, a, name)

    def _structure(self, tag, a, classes):
        """Forms, field blocks, labels and error lists."""
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
        elif tag == "div":
            self._divs.append({"for": None, "name": None, "errors": []} if "field" in classes else None)
        elif tag == "label" and a.get("for"):
            block = self._block()
            if block is not None and block["for"] is None:
                block["for"] = a["for"]
        elif tag == "span" and "err" in classes:
            self._err = []
        elif tag == "ul" and "nonfield" in classes:
            self._nonfield = True
        elif tag == "li" and self._nonfield:
            self._li = []

    def _form_value(self, tag, a, name):
        """What the browser would submit for this element."""
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image", "file"):
                self._form["fields"].append((name, a.get("value", "")))
        elif tag == "select" and name and "disabled" not in a:
            self._select = {"name": name, "first": None, "chosen": None}
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in a:
                self._select["chosen"] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "div" and self._divs:
            block = self._divs.pop()
            if block is not None and (block["name"] or block["for"]):
                key = block["name"] or block["for"].removeprefix("id_")
                self.field_errors.setdefault(key, []).extend(block["errors"])
        elif tag == "span" and self._err is not None:
            block = self._block()
            if block is not None:
                block["errors"].append("".join(self._err).strip())
            self._err = None
        elif tag == "ul" and self._nonfield:
            self._nonfield = False
        elif tag == "li" and self._li is not None:
            self.nonfield_errors.append("".join(self._li).strip())
            self._li = None
        elif tag == "select" and self._select is not None:
            value = self._select["chosen"] if self._select["chosen"] is not None else self._select["first"]
            if value is not None and self._form is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._err is not None:
            self._err.append(data)
        if self._li is not None:
            self._li.append(data)
        if self._textarea is not None and self._form is not None:
            name, value = self._form["fields"][-1]
            self._form["fields"][-1] = (name, value + data)

    def _block(self) -> dict | None:
        for block in reversed(self._divs):
            if block is not None:
                return block
        return None


def parse(content: bytes | str) -> _PageParser:
    parser = _PageParser()
    parser.feed(content.decode() if isinstance(content, bytes) else content)
    parser.close()
    return parser


def edit_form_values(content: bytes | str) -> dict[str, str | list[str]]:
    """What the browser would submit from the page's main form (the one without an ``action``:
    the header's language and logout forms have one). Repeated names become lists."""
    forms = [f for f in parse(content).forms if "action" not in f["attrs"]]
    assert len(forms) == 1, [f["attrs"] for f in parse(content).forms]
    out: dict[str, str | list[str]] = {}
    for name, value in forms[0]["fields"]:
        if name in out:
            previous = out[name]
            out[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[name] = value
    return out


def field_errors(content: bytes | str) -> dict[str, list[str]]:
    """Error texts shown inside each field's block, keyed by field name (with any form prefix)."""
    return {name: errors for name, errors in parse(content).field_errors.items() if errors}


def nonfield_errors(content: bytes | str) -> list[str]:
    return parse(content).nonfield_errors


# The list's rows open with the bulk-action checkbox (issue 12 #16), then the number.
ROW_RE = re.compile(r'<tr>\s*(?:<td class="pick">[^\n]*?</td>\s*)?<td><a href="/households/(\d+)/">([^<]+)</a>')


def listed_numbers(content: bytes | str) -> list[str]:
    """Household numbers in the results table, in the order shown."""
    text = content.decode() if isinstance(content, bytes) else content
    return [number for _pk, number in ROW_RE.findall(text)]
