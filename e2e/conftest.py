"""Browser journeys: Playwright drives Debian's Chromium (Playwright cannot download browsers here)
against Django's live server, and axe-core checks every page a journey visits."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
# data are synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if executable is None:
        pytest.fail("Chromium is not installed: run scripts/install-system-deps.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # bypass_csp lets the test inject axe-core; the pages themselves keep their policy.
    context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


def check_accessibility(page: Page) -> None:
    """Run axe-core (WCAG 2.2 A and AA rules) on the page, failing on serious or critical problems,
    and check the page reflows at 320px (`check_reflow`)."""
    check_reflow(page)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {
             runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}
           })"""
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    assert not bad, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in bad
    )


def check_reflow(page: Page) -> None:
    """WCAG 1.4.10 reflow: at 320 CSS pixels wide the page must not scroll sideways.

    The viewport is narrowed, the widest element measured, and the old size restored, so a journey
    can call this on every page it visits without changing what it sees next."""
    old = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        overflow = page.evaluate(
            """() => {
                 const width = document.documentElement.clientWidth;
                 const wide = [];
                 for (const el of document.body.querySelectorAll('*')) {
                   const box = el.getBoundingClientRect();
                   if (box.width > 0 && box.right > width + 1) {
                     wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
                               `${el.className && typeof el.className === 'string'
                                   ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}` +
                               ` (right edge ${Math.round(box.right)}px)`);
                   }
                 }
                 return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
               }"""
        )
    finally:
        if old is not None:
            page.set_viewport_size(old)
    assert overflow["scroll"] <= overflow["width"], (
        f"{page.url}: scrolls sideways at 320px (page {overflow['scroll']}px wide): "
        + "; ".join(overflow["wide"])
    )
