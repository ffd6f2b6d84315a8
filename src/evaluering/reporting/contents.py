"""The report's table of contents: filled in from the report's own section headings.

The notebook shows a placeholder (:data:`TOC_PLACEHOLDER`, from
:meth:`evaluering.yearly.YearlyReport.contents`); the HTML export gives every ``<h2>`` a
stable id (``afsnit-1``, ``afsnit-2``, ...) and fills the placeholder with one link per
section. The PDF export prints twice: the first print's outline says on which page each
section starts, and :func:`with_page_numbers` writes those numbers into the contents of
the copy that is printed the second time (the HTML on disk stays without page numbers,
so it is the same for the same inputs).

>>> html = TOC_PLACEHOLDER + "<h2>1. Sammenfatning</h2><p>x</p><h2>2. Data &amp; metode</h2>"
>>> out = add_contents(html)
>>> '<a href="#afsnit-2">2. Data &amp; metode</a>' in out and '<h2 id="afsnit-1">' in out
True
>>> 'data-page="afsnit-1">3<' in with_page_numbers(out, {"1. Sammenfatning": 3})
True
>>> 'data-page="afsnit-2">4<' in with_page_numbers(out, {"2. Data & metode2. Data": 4})
True
"""

from __future__ import annotations

import html as _html
import re

__all__ = ["TOC_PLACEHOLDER", "add_contents", "headings", "with_page_numbers", "heading_text"]

#: what the notebook's contents cell shows; the export replaces the empty list
TOC_PLACEHOLDER = ('<nav class="ev-toc ev-page-after" aria-label="Indhold"><p class="ev-toc-title"><b>Indhold</b></p>'
                   '<ol class="ev-toc-list"></ol></nav>')
_EMPTY_LIST = '<ol class="ev-toc-list"></ol>'
_H2 = re.compile(r"<h2(?P<attrs>[^>]*)>(?P<body>.*?)</h2>", re.S)
_TAGS = re.compile(r"<[^>]+>")


def heading_text(body: str) -> str:
    """The visible text of a heading's HTML (tags dropped, entities decoded, spaces joined).

    >>> heading_text('2. Data <a class="anchor-link" href="#x">¶</a>')
    '2. Data'
    """
    body = re.sub(r'<a class="anchor-link".*?</a>', "", body, flags=re.S)
    return " ".join(_html.unescape(_TAGS.sub("", body)).split())


def headings(html: str) -> list[tuple[str, str]]:
    """``(id, text)`` of every ``<h2>`` of ``html`` that has an ``afsnit-`` id."""
    out = []
    for m in _H2.finditer(html):
        ident = re.search(r'id="(afsnit-\d+)"', m.group("attrs"))
        if ident:
            out.append((ident.group(1), heading_text(m.group("body"))))
    return out


def add_contents(html: str) -> str:
    """Give each ``<h2>`` an id and fill the contents placeholder (if there is one)."""
    if _EMPTY_LIST not in html:
        return html
    count = 0
    items = []

    def number(m: re.Match) -> str:
        nonlocal count
        count += 1
        ident = f"afsnit-{count}"
        attrs = re.sub(r'\s*id="[^"]*"', "", m.group("attrs"))
        items.append((ident, heading_text(m.group("body"))))
        return f'<h2 id="{ident}"{attrs}>{m.group("body")}</h2>'

    start = html.index(_EMPTY_LIST)
    head, tail = html[:start], html[start:]
    tail = _H2.sub(number, tail)
    lis = "".join(f'<li><a href="#{i}">{_html.escape(t, quote=False)}</a>'
                  f'<span class="ev-toc-page" data-page="{i}"></span></li>' for i, t in items)
    return head + tail.replace(_EMPTY_LIST, f'<ol class="ev-toc-list">{lis}</ol>', 1)


def _key(text: str) -> str:
    """Heading text without any white space: a PDF outline joins wrapped lines without one."""
    return re.sub(r"\s+", "", text)


def with_page_numbers(html: str, pages: dict[str, int]) -> str:
    """``html`` with the page of each section (by heading text) written into the contents."""
    by_key = {}
    for title, page in pages.items():
        by_key.setdefault(_key(title), page)

    def page_of(title: str):
        key = _key(title)
        if key in by_key:
            return by_key[key]
        # Chromium's outline sometimes repeats a long heading's text ("2.3 X2.3 X"): a prefix match
        return next((pg for k, pg in by_key.items() if k.startswith(key)), None)

    by_id = {i: page_of(t) for i, t in headings(html)}

    def fill(m: re.Match) -> str:
        page = by_id.get(m.group(1))
        return f'<span class="ev-toc-page" data-page="{m.group(1)}">{page if page else ""}</span>'

    return re.sub(r'<span class="ev-toc-page" data-page="(afsnit-\d+)"></span>', fill, html)
