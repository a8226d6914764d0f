"""Each page's own content (its HTML as a host serves it, gzipped, and its images at their
high-density size, without the theme's shared assets) stays light: at most 400 KB, except
the page of the animation, whose frames are embedded in it."""

from __future__ import annotations

import pytest

from benchmarks.bench_docs import OWN_BYTES_TARGET, own_bytes
from tests.site.conftest import HTML, site_pages

PAGES = site_pages()
ANIMATED = [p for p in PAGES if "_anim_img" in (HTML / p).read_text(encoding="utf-8")]


@pytest.mark.parametrize("page_path", [p for p in PAGES if p not in ANIMATED])
def test_page_own_content_is_light(page_path: str) -> None:
    _, packed, images = own_bytes(HTML, page_path)
    assert packed + images <= OWN_BYTES_TARGET, (
        f"{page_path}: {packed} B of gzipped HTML and {images} B of images"
    )


def test_own_bytes_count_the_figures_at_2x() -> None:
    """A lesson's own weight includes its figures, at their high-density size."""
    lesson = next(p for p in PAGES if p.startswith("auto_examples/plot_") and p not in ANIMATED
                  and "_2_00x.png" in (HTML / p).read_text(encoding="utf-8"))  # fmt: skip
    *_, images = own_bytes(HTML, lesson)
    doubles = sorted((HTML / "_images").glob(f"sphx_glr_{lesson.split('/')[-1][:-5]}_*_2_00x.png"))
    assert doubles and images >= sum(f.stat().st_size for f in doubles)


def test_the_animation_page_is_the_only_exception() -> None:
    assert len(ANIMATED) == 1
