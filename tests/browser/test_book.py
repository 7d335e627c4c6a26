"""The built book in a real browser, offline: every page of outputs/book/ opened in headless Chromium.

Every request that leaves the built folder is blocked (and fails the test), as on a USB stick or
behind a firewall. Each page must load without a console error, a failed request, a missing
image or a broken internal link, and with every equation typeset by MathJax (no raw TeX left).
Search must answer from the built folder, and every notebook must offer its ``.ipynb`` for
download. Screenshots of the landing page and of notebook 02 go to outputs/.

Run by ``make test-book`` (after ``make book``) and by CI; needs Debian's Chromium
(``apt-get install chromium``): Playwright drives it, and downloads no browser of its own.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tools import REPO_ROOT

BOOK = REPO_ROOT / "outputs" / "book"
SCREENSHOTS = {"index.html": REPO_ROOT / "outputs" / "book_landing.png",
               "notebooks/02_cam.html": REPO_ROOT / "outputs" / "book_02_cam.png"}
NOTEBOOKS = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Chromium's own background traffic would be refused by a closed network; switch it off.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# TeX that MathJax did not typeset: a math element without MathJax's output, or TeX in the text.
RAW_TEX = re.compile(r"\\(frac|sum|operatorname|mathbb|tilde|sqrt|cdot|left|right|times|in|le|ge)\b|\$[^$\s][^$]*\$")
# Everything a page can show, gathered in the page once MathJax has finished.
PAGE_FACTS_JS = """() => {
  const visible = (root) => {
    const copy = root.cloneNode(true);
    copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
    return copy.textContent;
  };
  return {
    images: [...document.images].map(i => ({src: i.currentSrc || i.src, ok: i.complete && i.naturalWidth > 0})),
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    untypeset: [...document.querySelectorAll('.math')].filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 80)),
    mathErrors: [...document.querySelectorAll('mjx-merror')].map(e => e.textContent.slice(0, 80)),
    typeset: document.querySelectorAll('mjx-container').length,
    text: visible(document.querySelector('main') || document.body),
  };
}"""


@dataclass
class PageReport:
    """What one page did in the browser."""

    page: str
    console_errors: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    facts: dict = field(default_factory=dict)


def _pages() -> list[str]:
    return sorted(str(path.relative_to(BOOK)) for path in BOOK.rglob("*.html") if not path.relative_to(BOOK).parts[0].startswith("_"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.fail("Chromium not found. Install Debian's package: sudo apt-get install chromium (CI's .ci/run does).")
    if not (BOOK / "index.html").is_file():
        pytest.fail(f"No book in {BOOK}: run `make book` first (`make test-book` does).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _visit(browser: Browser, page_path: str, root: Path = BOOK) -> PageReport:
    """Open one page of ``root`` with every request outside it blocked; wait for MathJax; gather its facts."""
    report = PageReport(page_path)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    inside = root.resolve().as_uri() + "/"

    def route(request_route, request) -> None:  # type: ignore[no-untyped-def]
        if request.url.startswith(inside) or request.url.startswith("data:"):
            request_route.continue_()
        else:
            report.blocked.append(request.url)
            request_route.abort()

    context.route("**/*", route)
    page: Page = context.new_page()
    page.on("console", lambda message: report.console_errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: report.console_errors.append(f"uncaught: {error}"))
    page.on("requestfailed", lambda request: report.failed.append(f"{request.url} ({request.failure})"))
    page.goto((root / page_path).resolve().as_uri(), wait_until="load")
    page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
    page.wait_for_load_state("networkidle")
    report.facts = page.evaluate(PAGE_FACTS_JS)
    if root == BOOK and page_path in SCREENSHOTS:
        page.screenshot(path=str(SCREENSHOTS[page_path]), full_page=False)
    context.close()
    return report


@pytest.fixture(scope="module")
def reports(browser: Browser) -> dict[str, PageReport]:
    return {page: _visit(browser, page) for page in _pages()}


def _broken_links(page: str, links: list[str], ids_of: dict[str, set[str]], root: Path = BOOK) -> list[str]:
    """The internal links of ``page`` whose file or anchor does not exist."""
    broken = []
    for link in links:
        parts = urlsplit(link)
        if parts.scheme in {"http", "https", "mailto"} or link.startswith("javascript:"):
            continue
        target = (root / page).parent / unquote(parts.path) if parts.path else root / page
        target = target.resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file() or not target.is_relative_to(root.resolve()):
            broken.append(f"{link} (no file {target})")
        elif parts.fragment and target.suffix == ".html":
            anchors = ids_of.get(str(target.relative_to(root.resolve())))
            if anchors is not None and unquote(parts.fragment) not in anchors:
                broken.append(f"{link} (no anchor #{parts.fragment})")
    return broken


def test_the_book_has_a_landing_page_a_course_page_and_every_notebook() -> None:
    pages = _pages()
    assert {"index.html", "course.html", "search.html"} <= set(pages)
    assert [page for page in pages if page.startswith("notebooks/")] == [f"notebooks/{name}.html" for name in NOTEBOOKS]


def test_no_request_leaves_the_built_folder(reports: dict[str, PageReport]) -> None:
    blocked = {page: report.blocked for page, report in reports.items() if report.blocked}
    assert not blocked, f"pages that asked for something outside the book (blocked): {blocked}"


def test_no_request_fails_and_no_console_error(reports: dict[str, PageReport]) -> None:
    failed = {page: report.failed for page, report in reports.items() if report.failed}
    errors = {page: report.console_errors for page, report in reports.items() if report.console_errors}
    assert not failed, f"failed requests (missing scripts, stylesheets, fonts or images): {failed}"
    assert not errors, f"console errors: {errors}"


def test_every_image_loads(reports: dict[str, PageReport]) -> None:
    missing = {page: [image["src"] for image in report.facts["images"] if not image["ok"]] for page, report in reports.items()}
    assert not {page: srcs for page, srcs in missing.items() if srcs}, f"images that did not load: {missing}"
    figures = sum(len(reports[f"notebooks/{name}.html"].facts["images"]) for name in NOTEBOOKS)
    assert figures >= 3 * len(NOTEBOOKS), f"only {figures} images on the notebook pages: the figures are missing"


def test_every_internal_link_and_anchor_exists(reports: dict[str, PageReport]) -> None:
    ids_of = {page: set(report.facts["ids"]) for page, report in reports.items()}
    broken = {page: _broken_links(page, report.facts["links"], ids_of) for page, report in reports.items()}
    assert not {page: links for page, links in broken.items() if links}, f"broken internal links: {broken}"


def test_every_equation_is_typeset(reports: dict[str, PageReport]) -> None:
    for name in ("02_cam", "03_slic_worked_example", "04_secam"):
        assert reports[f"notebooks/{name}.html"].facts["typeset"] >= 10, f"{name}: MathJax typeset almost nothing"
    problems = {}
    for page, report in reports.items():
        raw = sorted({match.group(0)[:60] for match in RAW_TEX.finditer(report.facts["text"])})
        if report.facts["untypeset"] or report.facts["mathErrors"] or raw:
            problems[page] = {"untypeset": report.facts["untypeset"], "MathJax errors": report.facts["mathErrors"], "raw TeX": raw}
    assert not problems, f"equations left as raw TeX or failed: {problems}"


def test_every_notebook_can_be_downloaded(reports: dict[str, PageReport]) -> None:
    """Each notebook page offers its own .ipynb, and the landing page offers all of them."""
    for name in NOTEBOOKS:
        links = reports[f"notebooks/{name}.html"].facts["links"]
        assert any(link.endswith(f"{name}.ipynb") and "_sources" in link for link in links), f"{name}: no download link"
    landing = [link for link in reports["index.html"].facts["links"] if link.startswith("_downloads/")]
    assert sorted(Path(link).stem for link in landing) == NOTEBOOKS
    assert all((BOOK / link).is_file() for link in landing)


def test_search_answers_offline(browser: Browser) -> None:
    context = browser.new_context()
    context.route("**/*", lambda route, request: route.continue_() if request.url.startswith("file:") else route.abort())
    page = context.new_page()
    page.goto((BOOK / "search.html").resolve().as_uri() + "?q=superpixel")
    page.wait_for_selector("#search-results ul.search li", timeout=20_000)
    found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.getAttribute('href'))")
    context.close()
    assert any("03_slic_worked_example" in link for link in found) and any("04_secam" in link for link in found), found


def test_screenshots_are_saved(reports: dict[str, PageReport]) -> None:
    for path in SCREENSHOTS.values():
        assert path.is_file() and path.stat().st_size > 10_000, path


BROKEN_PAGE = """<!DOCTYPE html><html><head><script src="https://cdn.example.org/lib.js"></script>
<script src="missing.js"></script></head><body><main>
<img src="missing.png"><a href="other.html">gone</a><a href="page.html#nowhere">no anchor</a>
<p>Raw TeX: $M_c(x, y)$ and \\frac{1}{Z}.</p><span class="math">\\(x\\)</span>
<script>console.error("boom")</script></main></body></html>"""


def test_the_checks_catch_each_kind_of_defect(browser: Browser, tmp_path: Path) -> None:
    """A page with one defect of each kind: every check above must see it (so they can fail)."""
    (tmp_path / "page.html").write_text(BROKEN_PAGE, encoding="utf-8")
    report = _visit(browser, "page.html", root=tmp_path)
    assert report.blocked == ["https://cdn.example.org/lib.js"]
    assert any("missing.js" in failure for failure in report.failed) and any("missing.png" in f for f in report.failed)
    assert "boom" in report.console_errors
    assert [image["ok"] for image in report.facts["images"]] == [False]
    broken = _broken_links("page.html", report.facts["links"], {"page.html": set(report.facts["ids"])}, root=tmp_path)
    assert [link.split()[0] for link in broken] == ["other.html", "page.html#nowhere"]
    assert report.facts["untypeset"] == ["\\(x\\)"]
    assert {match.group(0) for match in RAW_TEX.finditer(report.facts["text"])} == {"$M_c(x, y)$", "\\frac"}
