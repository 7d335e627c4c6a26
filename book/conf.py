"""Sphinx configuration of the book: the committed notebooks as a website that reads offline.

`make book` copies README.md, images/SOURCES.md, book/*.md and the committed notebooks into
outputs/.book-src/ (the repository's layout, so README's links to notebooks/*.ipynb work in both
places; README and the photo credits are pages of the book too) with
MathJax from book/node_modules, and builds outputs/book/ with this file. Nothing is executed:
the pages show the outputs committed in the notebooks.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the maintainers' tools/, beside book/
from tools.launch import BRANCH, repository  # noqa: E402

project = "CAM and SeCAM, step by step"
author = "the CAM and SeCAM tutorial maintainers"
copyright = "the CAM and SeCAM tutorial maintainers, MIT licence"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon"]
# The API page (api.md) is made from the helpers' docstrings: Google-style sections, the
# order of each module's __all__, and an Attributes section as fields (no second copy of each).
autodoc_default_options = {"members": True, "member-order": "bysource"}
autodoc_typehints = "description"
autodoc_class_signature = "separated"
napoleon_use_ivar = True
exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]  # shown by readme.md, under its own title
# The course page includes README's course section, whose ### headings follow the page's # title.
suppress_warnings = ["myst.header"]
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3  # README's "#the-notebooks"-style links resolve inside the book

# The notebooks are committed executed; the book shows those outputs and never runs them.
nb_execution_mode = "off"
# No widget JavaScript from a CDN: the explorers need a running kernel, and `_widget_notes`
# replaces each one with a sentence saying so.
nb_ipywidgets_js: dict[str, dict[str, str]] = {}

# Every script, stylesheet and font is served from the built folder: MathJax 3 comes from
# npm (book/package.json), copied to _static/mathjax by `make book`.
mathjax_path = "mathjax/tex-chtml.js"
html_css_files = ["custom.css"]  # book/custom.css, staged into _static

html_theme = "sphinx_book_theme"
# The theme's empty default colour mode logs a console error on every page; name one.
html_context = {"default_mode": "light"}
html_title = project
html_last_updated_fmt = ""
html_show_sourcelink = False
html_copy_source = True  # the theme's download button serves each page's .ipynb from _sources
html_theme_options: dict[str, Any] = {
    "repository_url": repository(),
    "repository_branch": BRANCH,
    "path_to_docs": "",
    "use_download_button": True,
    "use_repository_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com", "notebook_interface": "jupyterlab"},
    "show_toc_level": 2,
    "home_page_in_toc": True,
}

WIDGET_NOTE = ("An interactive explorer (ipywidgets) stands here. It needs a running Python kernel: "
               "open the notebook in Jupyter or Colab to use it.")


def _widget_notes(app: Sphinx, doctree: nodes.document) -> None:
    """Replace each ipywidgets view, which a static page cannot run, with :data:`WIDGET_NOTE`."""
    for node in list(doctree.findall(nodes.raw)):
        if "application/vnd.jupyter.widget-view+json" in node.astext():
            note = nodes.note("", nodes.paragraph(text=WIDGET_NOTE))
            node.replace_self(note)


def _serve_staged_static(app: Sphinx, config: Any) -> None:
    """Serve the staged sources' ``_static`` (MathJax); Sphinx reads that setting relative to this folder."""
    config.html_static_path = [str(Path(app.srcdir) / "_static")]


def setup(app: Sphinx) -> None:
    app.connect("config-inited", _serve_staged_static)
    app.connect("doctree-read", _widget_notes)
