"""The feedback page without Bootstrap's icon font.

nbgrader's feedback template inlines `bootstrap.min.css`, whose `@font-face` rule for the
Glyphicons icon font points at `../fonts/glyphicons-halflings-regular.*` beside the page. A
feedback page travels alone (nbgrader's exchange copies only the `.html`) and its
Content-Security-Policy allows fonts only from `data:` URLs, so a browser that wants the font
(the page shows no icon, but Chrome fetches it for the `.glyphicon` rules) is refused and logs an
error. The page needs no icon: `without_icon_font` removes that one rule, nothing else.
"""

from __future__ import annotations

import re

from markupsafe import Markup

__all__ = ["without_icon_font"]

ICON_FONT_RULE = re.compile(r"@font-face\s*\{\s*font-family:\s*['\"]?Glyphicons Halflings['\"]?"
                            r"[^{}]*\}")
"""Bootstrap 3's `@font-face { font-family: 'Glyphicons Halflings'; src: url(...) … }`."""


def without_icon_font(html: str) -> Markup:
    """The Jinja filter `without_icon_font` (`{{ super() | without_icon_font }}` around the
    feedback page's `<head>` in `nbconvert_templates/feedback/lrlab.html.j2`): `html` without
    Bootstrap's icon-font rule. The `<head>` it is given is the template's own, so it stays
    markup.

    >>> str(without_icon_font("a{b:c}@font-face{font-family:'Glyphicons Halflings';"
    ...                       "src:url(../fonts/g.eot)}d{e:f}"))
    'a{b:c}d{e:f}'
    """
    return Markup(ICON_FONT_RULE.sub("", str(html)))  # noqa: S704 - the template's own head
