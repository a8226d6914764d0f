"""Tests of the site's own Sphinx extensions (docs/_ext): MathML rendering and the
re-execution of lessons when the package changes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("latex2mathml")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_ext"))

from gdtutor_site import invalidate_stale_outputs, source_hash
from mathml import to_mathml


def test_inline_formula_becomes_mathml_with_its_tex_kept():
    markup = to_mathml(r"\alpha < 2/\lambda_{\max}", "inline")
    assert markup.startswith("<math alttext=")
    assert 'display="inline"' in markup
    assert "&#x003B1;" in markup or "α" in markup
    assert r"\alpha &lt; 2/\lambda_{\max}" in markup  # the TeX, escaped, in alttext


def test_aligned_equations_become_a_two_column_table():
    markup = to_mathml(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", "block")
    assert "<mi>&</mi>" not in markup
    assert markup.count("<mtr>") == 2
    assert 'columnalign="right"' in markup and 'columnalign="left"' in markup


def test_matrices_convert():
    markup = to_mathml(r"\begin{pmatrix}20 & -30\\ -30 & 80\end{pmatrix}", "block")
    assert markup.count("<mtr>") == 2 and markup.count("<mtd") == 4


def test_formula_that_cannot_be_laid_out_is_refused():
    # An alignment environment latex2mathml does not know leaves a bare "&" behind.
    with pytest.raises(ValueError, match="could not lay out"):
        to_mathml(r"\begin{alignat}{2} a &= b \end{alignat}", "block")


def _tree(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "mod.py").write_text("x = 1\n")
    gallery = tmp_path / "auto_examples"
    gallery.mkdir()
    (gallery / "plot_a.py.md5").write_text("abc")
    cache = tmp_path / "jupyter_cache"
    cache.mkdir()
    (cache / "entry").write_text("cached")
    return package, gallery, cache, gallery / ".gdtutor-source-hash"


def test_first_build_and_changed_package_invalidate_outputs(tmp_path):
    package, gallery, cache, stamp = _tree(tmp_path)
    assert invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert not (gallery / "plot_a.py.md5").exists() and not cache.exists()
    assert stamp.read_text() == source_hash(package)

    (gallery / "plot_a.py.md5").write_text("abc")
    cache.mkdir()
    assert not invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert (gallery / "plot_a.py.md5").exists() and cache.exists()

    (package / "mod.py").write_text("x = 2\n")
    assert invalidate_stale_outputs(package, stamp, [gallery], cache)
    assert not (gallery / "plot_a.py.md5").exists()
