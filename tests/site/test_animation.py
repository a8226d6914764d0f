"""The optimizer race animation plays in the browser with the site offline."""

from __future__ import annotations

import json

from tests.site.conftest import HTML

PAGE = "auto_examples/plot_07_optimizers_race.html"


def test_animation_is_embedded_without_a_player_from_outside() -> None:
    text = (HTML / PAGE).read_text(encoding="utf-8")
    assert "_anim_img" in text, "no embedded animation on the race page"
    assert "https://" not in text.split("_anim_img", 1)[1].split("</script>", 1)[0]


def test_no_picture_moves_until_a_reader_plays_it() -> None:
    """Every image the site ships is still: the race's thumbnail (on the lessons' index and
    the API pages that list the lessons using an object) is its last frame, not a GIF that
    would loop, with no way to stop it, beside what a reader is reading."""
    from PIL import Image

    pictures = [p for p in HTML.rglob("*") if p.suffix.lower() in {".gif", ".png", ".webp"}]
    moving = []
    for path in pictures:
        with Image.open(path) as image:
            if getattr(image, "n_frames", 1) > 1:
                moving.append(path.relative_to(HTML).as_posix())
    assert len(pictures) > 20 and moving == []
    index = (HTML / "auto_examples" / "index.html").read_text(encoding="utf-8")
    assert 'src="../_images/sphx_glr_plot_07_optimizers_race_thumb.png"' in index


def test_animation_plays(browser, site_url: str) -> None:  # type: ignore[no-untyped-def]
    outside: list[str] = []
    context = browser.new_context()
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith((site_url, "data:"))
            else (outside.append(route.request.url), route.abort())
        ),
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{site_url}/{PAGE}", wait_until="load")
    frame = page.locator("img[id^=_anim_img]").first
    slider = page.locator(".animation input[type=range]").first
    first_src, first_value = frame.get_attribute("src"), int(slider.input_value())
    page.locator(".animation button[title='Play']").first.click()
    page.wait_for_function(
        "([img, start]) => document.querySelector(img).src !== start",
        arg=[f"img#{frame.get_attribute('id')}", first_src],
        timeout=10_000,
    )
    # Paused before it is read: a looping player would come back to its first frame.
    page.locator(".animation button[title='Pause']").first.click()
    assert int(slider.input_value()) > first_value
    # The slider says which frame it shows, with the step its title names, as the player
    # moves it and as a reader does.
    frames = int(slider.get_attribute("max") or 0) + 1
    titles = json.loads(frame.get_attribute("data-frame-titles") or "[]")
    assert len(titles) == frames and titles[-1] == "Rosenbrock from (-1.2, 1): step 1000 of 1000"
    shown = int(slider.input_value())
    assert slider.get_attribute("aria-valuetext") == (
        f"{titles[shown]}, frame {shown + 1} of {frames}"
    )
    slider.focus()
    page.keyboard.press("End")
    assert slider.get_attribute("aria-valuetext") == (
        f"Rosenbrock from (-1.2, 1): step 1000 of 1000, frame {frames} of {frames}"
    )
    assert frame.get_attribute("src") != first_src
    context.close()
    assert outside == [] and errors == []
