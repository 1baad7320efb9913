"""What HTML and SVG written by a student may keep on a page: text, structure, inline images.

Everything a student puts in a notebook — a written answer in Markdown, an HTML, Markdown or SVG
output — is rendered into the feedback page the student receives and into the Formgrader page
the instructor grades in (the instructor's browser, logged in to Jupyter). Nothing of it may
run, load or navigate by itself there:

- `clean_html` keeps an allow-list of tags (headings, paragraphs, lists, tables, code, links,
  images) and attributes; every other tag — `<script>`, `<iframe>`, `<object>`, `<embed>`,
  `<svg>`, `<meta>`, `<base>`, `<form>`, `<style>`, … — is escaped, so it shows as the text the
  student wrote. No `on*` handler, `style`, `id` or `name` survives; a link goes to http(s),
  mailto or the page itself; an image shows only from an inline `data:image/…` URL (a figure),
  never from another site. `class` stays when it is a code-highlighting one.
- `clean_svg` removes scripts, handlers, foreign objects and outside references from an SVG
  figure (pages show SVG through `<img>`, where scripts do not run anyway).

The HTML sanitiser is bleach's, the one nbconvert's own `clean_html` filter uses, with a
stricter policy than nbconvert's (which escapes `<p>` and `<img>` and keeps every `id`).
"""

from __future__ import annotations

import re
from xml.etree import ElementTree

import bleach
from defusedxml import ElementTree as SafeElementTree

__all__ = ["clean_html", "clean_svg", "ALLOWED_TAGS", "is_inline_image_url"]

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
})
_COMMON_ATTRIBUTES = frozenset({"title", "lang", "class"})
_TAG_ATTRIBUTES = {
    "a": {"href"}, "img": {"src", "alt", "width", "height"}, "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"}, "ol": {"start", "type"}, "col": {"span"},
    "colgroup": {"span"}, "details": {"open"},
}
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# Class names code highlighting writes (pygments' short token classes, its wrapper, the
# Markdown renderer's heading anchor): enough for code to keep its colours, never a page
# layout class (`navbar-fixed-top`, `modal`, …) that would let an answer cover the page.
_HIGHLIGHT_CLASSES = re.compile(r"(?:[a-z]{1,3}\d?|highlight|hl-[a-z0-9_-]+|anchor-link)")
_NUMBER = re.compile(r"\d{1,5}%?")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f]+")  # what browsers drop or trim inside a URL
_INLINE_IMAGE = re.compile(r"data:image/(?:png|jpeg|gif|webp|svg\+xml)[;,]")


def _scheme(url: str) -> str | None:
    """The URL's scheme as a browser reads it (whitespace and controls dropped), or None."""
    match = _SCHEME.match(_URL_IGNORED.sub("", url).lower())
    return match.group(1) if match else None


def is_inline_image_url(url: str) -> bool:
    """Whether `url` is an image carried in the page itself (`data:image/png;base64,…`)."""
    return _INLINE_IMAGE.match(_URL_IGNORED.sub("", url).lower()) is not None


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in _COMMON_ATTRIBUTES and name not in _TAG_ATTRIBUTES.get(tag, ()):
        return False
    if name == "class":
        return all(_HIGHLIGHT_CLASSES.fullmatch(token) for token in value.split())
    if name == "href":
        return _scheme(value) in _LINK_SCHEMES | {None}
    if name == "src":
        return is_inline_image_url(value)
    if name in {"width", "height", "span", "colspan", "rowspan", "start"}:
        return _NUMBER.fullmatch(value.strip()) is not None
    return True


_CLEANER = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=_LINK_SCHEMES | {"data"},  # data: only passes _allowed_attribute on an <img>
    strip=False,  # a forbidden tag is shown as text, so the reader sees what was written
    strip_comments=True,
)


def clean_html(html: str | bytes) -> str:
    """`html` with only inert content left (see the module docstring).

    >>> clean_html('<p onclick="x()">Hi <script>alert(1)</script></p>')
    '<p>Hi &lt;script&gt;alert(1)&lt;/script&gt;</p>'
    >>> clean_html('<a href=" jav&#x09;ascript:alert(1)">x</a> <img src="https://t.example/p.png">')
    '<a>x</a> <img>'
    """
    text = html.decode("utf-8", "replace") if isinstance(html, bytes) else str(html)
    return _CLEANER.clean(text)


_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
ElementTree.register_namespace("", _SVG)  # serialise as <svg xmlns=…>, not <ns0:svg>
ElementTree.register_namespace("xlink", _XLINK)
_SVG_FORBIDDEN = frozenset({
    "script", "foreignObject", "iframe", "object", "embed", "handler", "listener", "set",
    "animate", "animateMotion", "animateTransform", "discard",
})
_SVG_REFERENCES = frozenset({"href", f"{{{_XLINK}}}href"})
_CSS_OUTSIDE = re.compile(r"@import|url\(\s*['\"]?\s*[^#\s'\")]", re.IGNORECASE)


def _local_name(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _refers_outside(name: str, value: str) -> bool:
    """An SVG attribute that runs code or points anywhere but inside the figure itself."""
    if _local_name(name).lower().startswith("on"):
        return True
    if name in _SVG_REFERENCES:
        return not (value.strip().startswith("#") or is_inline_image_url(value))
    return _CSS_OUTSIDE.search(value) is not None


def _clean_svg_element(element: ElementTree.Element) -> None:
    for child in list(element):
        if not isinstance(child.tag, str) or _local_name(child.tag) in _SVG_FORBIDDEN:
            element.remove(child)
        else:
            _clean_svg_element(child)
    for name in [n for n, value in element.attrib.items() if _refers_outside(n, value)]:
        del element.attrib[name]
    if _local_name(element.tag) == "style" and _CSS_OUTSIDE.search(element.text or ""):
        element.text = ""


def clean_svg(svg: str) -> str | None:
    """The SVG without scripts, event handlers, foreign content, animations or references
    outside itself; None when it is not a well-formed SVG document (or declares entities).

    >>> clean_svg('<svg xmlns="http://www.w3.org/2000/svg" onload="x()"><script>x()</script>'
    ...           '<rect width="2" height="2"/></svg>')
    '<svg xmlns="http://www.w3.org/2000/svg"><rect width="2" height="2" /></svg>'
    """
    try:
        root = SafeElementTree.fromstring(svg)
    except Exception:  # noqa: BLE001 - any parse failure (syntax, entities, DTD): no figure
        return None
    if root.tag != f"{{{_SVG}}}svg":
        return None
    _clean_svg_element(root)
    return ElementTree.tostring(root, encoding="unicode")
