"""Sphinx configuration for the gdtutor site.

The site is built offline-first: KaTeX (from the repository's node_modules, installed by
``npm ci``) renders the math to HTML while Sphinx builds, so pages ship its stylesheet and
fonts but no math JavaScript; pages that would load scripts from a CDN are not generated, and
intersphinx is not used (no network at build time).
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import urlparse

import joblib
import matplotlib
from packaging.requirements import Requirement
from sphinx.application import Sphinx

matplotlib.use("Agg")
# The MyST pages run in Jupyter kernels, which inherit this environment: a MPLBACKEND set
# for the build (nox sets Agg) would replace the kernels' inline backend, and the pages
# would show no figures. sphinx-gallery picks its own backend.
os.environ.pop("MPLBACKEND", None)
# sphinx-gallery's backreference scan reads attributes of every global of an example,
# including .grad of non-leaf tensors, which the lessons create on purpose.
GRAD_OF_NON_LEAF = "The .grad attribute of a Tensor that is not a leaf"
warnings.filterwarnings("ignore", message=GRAD_OF_NON_LEAF)
#: sphinx-gallery runs the lessons this many at a time, each in a process of its own
#: (joblib's, which counts the CPUs this process may use); those processes take their
#: warning filters from the environment (see setup()).
GALLERY_JOBS = min(4, joblib.cpu_count())
LESSONS_WARNINGS = f"ignore:{GRAD_OF_NON_LEAF}:UserWarning"

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE / "_ext"))

import gdtutor

project = "gdtutor"
author = "the gdtutor developers"
copyright = "2026, the gdtutor developers"
release = version = gdtutor.__version__
#: Where the site is published (Read the Docs passes its own address); the install page
#: gives the wheel's address under it.
SITE_URL = os.environ.get("READTHEDOCS_CANONICAL_URL", "https://gdtutor.readthedocs.io/en/latest/")

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "myst_nb",
    "sphinx_gallery.gen_gallery",
    "sphinxcontrib.katex",
    "sphinx_copybutton",
    "notfound.extension",
    "sphinxext.opengraph",
    "sphinx_sitemap",
    "gdtutor_site",
    "site_assets",
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
#: The oldest torch that gdtutor's metadata accepts ("torch>=2.1" gives "2.1").
_TORCH_NEEDED = next(
    (
        spec.version
        for dep in importlib.metadata.requires("gdtutor") or []
        if (req := Requirement(dep)).name == "torch"
        for spec in req.specifier
        if spec.operator == ">="
    ),
    None,
)
if _TORCH_NEEDED is None:
    raise RuntimeError(
        "pyproject.toml gives torch no lower bound (torch>=...): the install page names it"
    )
myst_substitutions = {
    "version": version,
    "torch": importlib.metadata.version("torch").split("+")[0],
    "torch_needed": _TORCH_NEEDED,
    "wheel": _WHEEL,
    "wheel_url": SITE_URL + "dist/" + _WHEEL,
    # The wheel and sdist are published at dist/ by docs/_ext/gdtutor_site.py (html_extra_path).
    "wheel_link": f'<a class="reference download" href="dist/{_WHEEL}">{_WHEEL}</a>',
    "sdist_link": f'<a class="reference download" href="dist/{_SDIST}">{_SDIST}</a>',
    "sdist": _SDIST,
    "sdist_folder": _SDIST.removesuffix(".tar.gz"),
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
    "parallel": GALLERY_JOBS,
    # Every figure also at twice the resolution, for high-density screens.
    "image_srcset": ["2x"],
    # The site's figure style (docs/matplotlibrc) for every lesson; see _ext/site_assets.py.
    "reset_modules": ("matplotlib", "site_assets.figure_style"),
    # matplotlib's scraper, failing the build on a title cut off or overlapping another.
    "image_scrapers": ("site_assets.checked_matplotlib_scraper",),
}

# -- HTML ----------------------------------------------------------------------------------
html_baseurl = SITE_URL
html_theme = "pydata_sphinx_theme"
html_title = "gdtutor"
html_favicon = "_static/favicon.svg"
html_static_path = ["_static"]
# The wheel and sdist built by docs/_ext/gdtutor_site.py, published as dist/ at the root.
html_extra_path = ["auto_dist"]
html_css_files = ["gdtutor.css"]
html_js_files = [("gdtutor.js", {"defer": "defer"})]
# Light or dark as the reader's system is; the switch in the header overrides it.
html_context = {"default_mode": "auto"}
html_theme_options = {
    "navbar_align": "left",
    # The search icon: the search field's button names itself "Search" but shows "Ctrl+K"
    # too, which screen readers' voice control cannot match.
    "navbar_persistent": ["search-button"],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
# The "Show source" link of each page leads to its source text.
html_show_sourcelink = True
html_copy_source = True
# Stand-alone pages have no section to navigate: drop the empty left sidebar there.
html_sidebars = {page: [] for page in ("index", "idea", "install", "exercises")}
html_last_updated_fmt = None
# Rank lessons and theory pages above the API pages that merely mention a word.
html_search_scorer = str(HERE / "_ext" / "search_scorer.js")

# -- Math: KaTeX, rendered while the site is built ------------------------------------------
# Node runs KaTeX from node_modules (``npm ci``); the pages get its stylesheet and fonts,
# bundled into _static/katex by site_assets, and no math JavaScript.
html_math_renderer = "katex"
katex_prerender = True
katex_js_path = str(ROOT / "node_modules" / "katex" / "dist" / "katex.min.js")
katex_css_path = "katex/katex.min.css"

# -- Reader conveniences ------------------------------------------------------------------
# Copy only the code: no ">>> " or "$ " prompts, no doctest output, no output blocks.
copybutton_selector = ":not(.sphx-glr-script-out, .output) > div.highlight pre"
copybutton_exclude = ".linenos, .gp, .go"
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
# The 404 page links to the site's root wherever the reader mistyped an address, and, in
# its text, to the main pages and the search (the theme's own search box is in the drawer
# on a phone).
notfound_urls_prefix = urlparse(html_baseurl).path
notfound_context = {
    "title": "Page not found",
    "body": f"""
<h1>Page not found</h1>
<p>No page of this site has that address: it may have moved, or been mistyped. From here:</p>
<ul>
<li><a href="{notfound_urls_prefix}index.html">the start page</a></li>
<li><a href="{notfound_urls_prefix}auto_examples/index.html">the lessons</a></li>
<li><a href="{notfound_urls_prefix}exercises.html">the exercises</a></li>
<li><a href="{notfound_urls_prefix}install.html">installing gdtutor</a></li>
</ul>
<form class="gdtutor-404-search" action="{notfound_urls_prefix}search.html" method="get"
      role="search">
<label for="search-404">Or search the site:</label>
<input type="search" id="search-404" name="q">
<button type="submit">Search</button>
</form>
""",
}
# Social cards: each page's own title, description and first figure; pages without a
# figure show the skewed valley's thumbnail. No card images are generated or fetched.
ogp_site_url = html_baseurl
ogp_use_first_image = True
ogp_image = html_baseurl + "_images/sphx_glr_plot_04_skewed_valley_thumb.png"
ogp_image_alt = "Gradient descent zig-zagging down a narrow, skewed valley"
ogp_social_cards = {"enable": False}
sitemap_url_scheme = "{link}"


_callers_warnings: dict[str, str | None] = {}


def _filter_the_lessons_warnings(app: Sphinx) -> None:
    """The lessons' processes get this build's filter, after the caller's (it wins)."""
    _callers_warnings["PYTHONWARNINGS"] = caller = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, [caller, LESSONS_WARNINGS]))


def _leave_warnings_to_the_pages(app: Sphinx) -> None:
    """Once the lessons have run, the MyST pages' kernels get the caller's filters back."""
    if "PYTHONWARNINGS" not in _callers_warnings:
        return
    caller = _callers_warnings.pop("PYTHONWARNINGS")
    if caller is None:
        os.environ.pop("PYTHONWARNINGS", None)
    else:
        os.environ["PYTHONWARNINGS"] = caller


def setup(app: Sphinx) -> None:
    # sphinx-gallery runs the lessons on builder-inited at the default priority (500): the
    # filter is there for them only.
    app.connect("builder-inited", _filter_the_lessons_warnings, priority=499)
    app.connect("builder-inited", _leave_warnings_to_the_pages, priority=501)
