"""Sphinx configuration for the gdtutor site.

The site is built offline-first: math is rendered to MathML at build time (docs/_ext/mathml.py),
pages that would load scripts from a CDN are not generated, and intersphinx is not used (no
network at build time).
"""

from __future__ import annotations

import importlib.metadata
import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
# sphinx-gallery's backreference scan reads attributes of every global of an example,
# including .grad of non-leaf tensors, which the lessons create on purpose.
warnings.filterwarnings("ignore", message="The .grad attribute of a Tensor that is not a leaf")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

import gdtutor

project = "gdtutor"
author = "the gdtutor developers"
copyright = "2026, the gdtutor developers"
release = version = gdtutor.__version__
#: Where the site is published; the install page gives the wheel's address under it.
SITE_URL = "https://gdtutor.readthedocs.io/en/latest/"

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "gdtutor_site",
    "mathml",
    "explorer",
]

exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    # sphinx-gallery writes notebooks next to its pages; myst-nb must not read them again.
    "auto_examples/**.ipynb",
    "auto_examples/**.py",
    # Exercise files and the package's wheel and sdist are downloads, not pages.
    "auto_exercises/**",
    "auto_dist/**",
    "**.ipynb_checkpoints",
]
templates_path = ["_templates"]
nitpicky = True
# External types are not linked: the build must work without fetching intersphinx inventories.
nitpick_ignore_regex = [
    ("py:class", r"(numpy|np|torch|matplotlib|collections\.abc|typing|types|pathlib|os)\..*"),
    ("py:(meth|mod|func|obj)", r"(numpy|torch|matplotlib)(\..*)?"),
]

# -- MyST / myst-nb ------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
_WHEEL = f"gdtutor-{version}-py3-none-any.whl"
_SDIST = f"gdtutor-{version}.tar.gz"
myst_substitutions = {
    "version": version,
    "torch": importlib.metadata.version("torch").split("+")[0],
    "wheel": _WHEEL,
    "wheel_url": SITE_URL + "dist/" + _WHEEL,
    # The wheel and sdist are published at dist/ by docs/_ext/gdtutor_site.py (html_extra_path).
    "wheel_link": f'<a class="reference download" href="dist/{_WHEEL}">{_WHEEL}</a>',
    "sdist_link": f'<a class="reference download" href="dist/{_SDIST}">{_SDIST}</a>',
}
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_cache_path = str(HERE / "_build" / ".jupyter_cache")
nb_execution_raise_on_error = True
nb_execution_timeout = 120
nb_merge_streams = True

# -- doctest builder (nox -s doctests) --------------------------------------------------------
# Only the pages' explicit doctest directives: the docstrings' examples run under pytest.
doctest_test_doctest_blocks = ""

# -- autodoc -------------------------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_class_members_toctree = False

# -- sphinx-gallery ------------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": ["../gallery"],
    "gallery_dirs": ["auto_examples"],
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "download_all_examples": True,
    "backreferences_dir": "gen_modules/backreferences",
    "doc_module": ("gdtutor",),
    "abort_on_example_error": True,
    # The execution-times page pulls jQuery and DataTables from a CDN; leave it out.
    "write_computation_times": False,
    "matplotlib_animations": (True, "jshtml"),
    "first_notebook_cell": None,
    "show_signature": False,
    "image_srcset": [],
}

# -- HTML ----------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "gdtutor"
html_static_path = ["_static"]
# The wheel and sdist built by docs/_ext/gdtutor_site.py, published as dist/ at the root.
html_extra_path = ["auto_dist"]
html_css_files = ["gdtutor.css"]
html_context = {"default_mode": "light"}
html_theme_options = {
    "navbar_align": "left",
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    # Lessons are code-heavy: give them the full width instead of an in-page contents column.
    "secondary_sidebar_items": {"auto_examples/plot_*": []},
}
html_show_sourcelink = False
# Stand-alone pages have no section to navigate: drop the empty left sidebar there.
html_sidebars = {page: [] for page in ("index", "idea", "install", "exercises")}
html_last_updated_fmt = None

# Math is converted to MathML at build time (docs/_ext/mathml.py): no math JavaScript.
html_math_renderer = "mathml"
