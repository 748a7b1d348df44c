"""Safe HTML for nbgrader's feedback pages and formgrader submission view.

Both pages are made by nbconvert's ``HTMLExporter`` with nbgrader's
``feedback`` and ``formgrade`` templates.  Those templates render a markdown
cell as ``cell.source | markdown2html`` and nothing more, so a learner's
``<script>`` or ``<img onerror=...>`` in a markdown cell runs in the
instructor's browser, on the Jupyter server's origin (formgrader) or wherever
the feedback file is opened.  nbconvert's own ``sanitize_html`` option does
not reach those template blocks, and the bleach allow-list it uses escapes
headings, paragraphs and images.

This module supplies the two Jinja filters the course's ``nbgrader_config.py``
puts in place of nbconvert's, and one preprocessor:

- :class:`SafeMarkdown` replaces ``markdown2html``: the exporter's own
  markdown rendering (math, attachments, code highlighting), then
  :func:`clean_html`;
- :func:`clean_html` replaces nbconvert's ``clean_html`` (used for raw cells
  and, with ``HTMLExporter.sanitize_html``, for HTML and markdown outputs);
- :class:`ShowSubmittedCells` drops the learner-writable cell metadata that
  makes nbconvert leave a cell out of the page (``transient.remove_source``),
  so a submission cannot hide its code or the grader's verdict.

:func:`clean_html` keeps formatting, tables, links and images, and removes
scripts, event handlers, ``<style>``, ``<iframe>``, forms, ``javascript:``
and other non-image ``data:`` URLs.  It also keeps learner content from
posing as the page around it: element ids and in-page links are prefixed
(formgrader finds its score boxes by ids such as ``test_mse``, which a
heading of that name would otherwise shadow) and only class names used for
code highlighting and Jupyter's alert boxes are kept (not, say, Bootstrap's
``navbar-fixed-top``, which would lay a fake banner over the page).
"""
from __future__ import annotations

import re

import bleach
from bleach.css_sanitizer import CSSSanitizer
from jinja2 import pass_context
from nbconvert.preprocessors import Preprocessor
from nbconvert.utils.base import NbConvertBase

__all__ = ["ID_PREFIX", "SafeMarkdown", "ShowSubmittedCells", "clean_html"]

#: Prefix given to every id (and in-page link) in learner content.
ID_PREFIX = "user-content-"

_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u",
    "ul", "var",
})
_COMMON = ["class", "id", "title", "style", "lang", "dir"]
_ATTRIBUTES = {
    "*": _COMMON,
    "a": _COMMON + ["href"],
    "img": _COMMON + ["src", "alt", "width", "height"],
    "ol": _COMMON + ["start", "type"],
    "td": _COMMON + ["colspan", "rowspan", "align"],
    "th": _COMMON + ["colspan", "rowspan", "align", "scope"],
    "col": _COMMON + ["span"],
    "colgroup": _COMMON + ["span"],
    "details": _COMMON + ["open"],
}
# Properties that change how learner text looks, none that move it out of its
# own box (no position, margin, transform, z-index).
_CSS = CSSSanitizer(allowed_css_properties=frozenset({
    "color", "background-color", "font-style", "font-weight", "font-size", "font-family",
    "text-align", "text-decoration", "vertical-align", "white-space", "border-collapse",
    "width", "height",
}))
# Images may be inline only as images (nbconvert inlines attachments this way).
_IMAGE_DATA = re.compile(r"data:image/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/=\s]*\Z", re.I)
# Pygments' token classes are one to three letters and digits; the rest are
# Jupyter's own markdown idioms.
_CLASS_TOKEN = re.compile(r"[a-z][a-z0-9]{0,2}\Z")
_CLASSES = frozenset({"highlight", "anchor-link", "alert", "alert-block", "alert-info",
                      "alert-success", "alert-warning", "alert-danger"})


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if name not in _ATTRIBUTES.get(tag, _COMMON):
        return False
    if re.sub(r"[\x00-\x20]", "", value).lower().startswith("data:"):
        return tag == "img" and name == "src" and bool(_IMAGE_DATA.match(value.strip()))
    return True


class _ConfineToOwnBox:
    """html5lib token filter run after bleach: prefix ids and in-page links, keep safe classes."""

    def __init__(self, source):
        self.source = source

    def __iter__(self):
        for token in self.source:
            if token["type"] in ("StartTag", "EmptyTag") and token.get("data"):
                data = dict(token["data"])
                for key, value in list(data.items()):
                    name = key[1]
                    if name == "id" and not value.startswith(ID_PREFIX):
                        data[key] = ID_PREFIX + value
                    elif (name == "href" and value.startswith("#")
                          and not value.startswith("#" + ID_PREFIX) and len(value) > 1):
                        data[key] = "#" + ID_PREFIX + value[1:]
                    elif name == "class":
                        kept = [c for c in value.split() if c in _CLASSES or _CLASS_TOKEN.match(c)]
                        if kept:
                            data[key] = " ".join(kept)
                        else:
                            del data[key]
                token = {**token, "data": data}
            yield token


_CLEANER = bleach.Cleaner(
    tags=_TAGS,
    attributes=_allowed_attribute,
    protocols={"http", "https", "mailto", "data"},
    strip=False,  # a refused tag shows as text, so the instructor sees what was tried
    strip_comments=True,
    css_sanitizer=_CSS,
    filters=[_ConfineToOwnBox],
)


def clean_html(html) -> str:
    """Sanitise an HTML fragment written or produced by a learner.

    Parameters
    ----------
    html : str or bytes
        The fragment (rendered markdown, a raw cell, an HTML output).

    Returns
    -------
    str
        The fragment with everything that could run script, load a page or
        leave its own box removed; tags not allowed are shown escaped.

    Examples
    --------
    >>> clean_html('<h2>Result</h2><img src=x onerror="alert(1)">')
    '<h2>Result</h2><img src="x">'
    >>> clean_html('<script>alert(1)</script>')
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    return _CLEANER.clean(str(html))


class SafeMarkdown(NbConvertBase):
    """Jinja filter ``markdown2html`` that renders as the exporter does, then sanitises.

    nbconvert instantiates it with the exporter as ``parent`` when it is named
    in ``HTMLExporter.filters``; the exporter's own ``markdown2html`` keeps
    math, attachments, heading anchors and code highlighting.

    Examples
    --------
    In ``nbgrader_config.py``::

        c.HTMLExporter.filters = {
            "markdown2html": "anncourse.grading.feedback_html.SafeMarkdown",
            "clean_html": "anncourse.grading.feedback_html.clean_html",
        }
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        render = getattr(self.parent, "markdown2html", None)
        if render is None:
            raise TypeError("SafeMarkdown is a filter for nbconvert's HTMLExporter: its parent "
                            f"{type(self.parent).__name__} has no markdown2html")
        self._render = render
        pass_context(self)  # Jinja passes the template context (the cell, for attachments)

    def __call__(self, context, source):
        return clean_html(self._render(context, source))


class ShowSubmittedCells(Preprocessor):
    """Drop cell metadata with which a submission could leave cells out of the page.

    nbconvert's templates omit a cell whose metadata says
    ``transient: {remove_source: true}``.  In formgrader that hides the
    learner's answer with its score and comment boxes, or a test cell with its
    verdict.  Transient metadata is never meant to be saved in a file.

    Examples
    --------
    ``c.HTMLExporter.preprocessors = ["anncourse.grading.feedback_html.ShowSubmittedCells"]``
    """

    def preprocess_cell(self, cell, resources, index):
        cell.metadata.pop("transient", None)
        return cell, resources
