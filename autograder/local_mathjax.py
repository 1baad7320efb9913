"""MathJax from the grader's own environment, never from a CDN (no network on any page).

nbconvert's templates load MathJax from cdnjs. The course renders math with two local copies,
each installed by a pinned PyPI package of the grader distribution (`pyproject.toml`):

- **The Formgrader's submission view** is served by the instructor's Jupyter server, which also
  serves `jupyter-server-mathjax` (Jupyter's own MathJax 2 server extension, enabled by
  installing it) at `<base_url>/static/jupyter_server_mathjax/`. The course's formgrade template
  (`nbconvert_templates/formgrade/lrlab.html.j2`) loads `FORMGRADER_MATHJAX_URL` from there,
  with nbconvert's TeX configuration and the `Safe` extension; the package ships the STIX-Web
  fonts only, and the template's configuration selects them.
- **A feedback page** is a single HTML file that travels alone (nbgrader's exchange copies only
  the `.html`) and is opened from disk or in JupyterLab's HTML viewer, under a strict
  Content-Security-Policy. It carries MathJax 3 inline — the one-file build `tex-svg-full.js`
  of `django-static-mathjax` (it draws math as SVG, so it needs no font files and loads
  nothing), with MathJax's `ui/safe` component in the same script (no `javascript:` links,
  styles or classes from TeX) — and the page's policy allows exactly these scripts by their
  SHA-256 hashes.
  `feedback_head` writes the policy and the scripts; the feedback template calls it through
  the `inline_mathjax` filter (`nbgrader_config.py`).
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib import resources
from pathlib import Path

from markupsafe import Markup

__all__ = ["FORMGRADER_MATHJAX_URL", "FEEDBACK_POLICY", "feedback_head", "feedback_scripts",
           "inline_mathjax", "script_hash", "mathjax3_file", "mathjax2_folder"]

FORMGRADER_MATHJAX_URL = ("/static/jupyter_server_mathjax/MathJax.js"
                          "?config=TeX-AMS-MML_HTMLorMML-full,Safe")
"""Where the submission view loads MathJax from, under the Jupyter server's base URL."""

_MATHJAX3_CONFIG = """window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
        displayMath: [['$$', '$$'], ['\\\\[', '\\\\]']],
        processEscapes: true, processEnvironments: true, packages: {'[-]': ['require']}},
  svg: {fontCache: 'global'},
  options: {enableMenu: false},
  startup: {typeset: true}
};"""
"""The feedback page's MathJax 3 settings: nbconvert's delimiters; no `\\require` (it would
load a script) and no menu (it loads components on demand)."""

FEEDBACK_POLICY = ("default-src 'none'; script-src {scripts}; img-src data:; "
                   "style-src 'unsafe-inline'; font-src data:; base-uri 'none'; "
                   "form-action 'none'")
"""The feedback page's Content-Security-Policy: only the inline MathJax scripts named by hash,
images only inside the page (the figures), inline styles (the template's and MathJax's), no
frames, objects, forms, `<base>` or connections."""


def mathjax3_file(name: str) -> Path:
    """A file of MathJax 3's `es5` build in `django-static-mathjax`."""
    return Path(str(resources.files("mathjax"))) / "static" / "mathjax" / "es5" / name


def mathjax2_folder() -> Path:
    """The MathJax 2 tree `jupyter-server-mathjax` serves."""
    return Path(str(resources.files("jupyter_server_mathjax"))) / "static"


def script_hash(source: str) -> str:
    """The CSP source expression that allows an inline script with exactly this text."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _embeddable(source: str, name: str) -> str:
    if "</script" in source.lower():
        raise RuntimeError(f"MathJax's {name} cannot be inlined: it contains a </script> tag.")
    return source


@cache
def feedback_scripts() -> tuple[str, ...]:
    """The feedback page's inline scripts, in order: the settings, then MathJax with its `Safe`
    filter. The filter is in MathJax's script, not one of its own: MathJax sets up its
    document handler as soon as its script has run, before a next script could extend it (a
    separate `ui/safe` script would come too late, and a student's `\\href{javascript:…}`
    would become a link)."""
    mathjax = _embeddable(mathjax3_file("tex-svg-full.js").read_text(encoding="utf-8"),
                          "tex-svg-full.js")
    safe = _embeddable(mathjax3_file("ui/safe.js").read_text(encoding="utf-8"), "ui/safe.js")
    return (_MATHJAX3_CONFIG, mathjax + "\n;\n" + safe)


@cache
def feedback_head() -> Markup:
    """What the feedback page's `<head>` gets where nbconvert would load MathJax from a CDN:
    its Content-Security-Policy, then the scripts it allows."""
    scripts = feedback_scripts()
    policy = FEEDBACK_POLICY.format(scripts=" ".join(script_hash(s) for s in scripts))
    parts = [f'<meta http-equiv="Content-Security-Policy" content="{policy}">']
    parts.extend(f"<script>{source}</script>" for source in scripts)
    return Markup("\n".join(parts))  # noqa: S704 - our policy and the packaged MathJax only


def inline_mathjax(_component: str = "tex-svg-full") -> Markup:
    """The Jinja filter `inline_mathjax` (`{{ "tex-svg-full" | inline_mathjax }}` in
    `nbconvert_templates/feedback/mathjax.html.j2`): `feedback_head()`. Its argument names the
    build for the reader of the template; only `tex-svg-full` is shipped."""
    if _component != "tex-svg-full":
        raise ValueError("Only MathJax's tex-svg-full build is inlined into feedback pages.")
    return feedback_head()
