"""The HTML bulletin in a real browser (headless Chromium through Selenium), run by `make test`.

For each language: axe-core's WCAG 2.0/2.1/2.2 A and AA rules find no violation; the page
loads nothing from the network; tabbing goes through every focusable element in reading
(DOM) order, starting with the skip link; the layout holds at 1280 and 390 pixels wide
(screenshots in $SCREENSHOT_DIR, to look at); the print style sheet lays out A4 pages.
BULLETIN_DIR is a folder written by `tally bulletin --format both` in both languages.
"""
import base64
import json
import os
import pathlib

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

import axe_playwright_python

BULLETIN_DIR = pathlib.Path(os.environ.get("BULLETIN_DIR", "out/bulletin")).resolve()
SHOTS = pathlib.Path(os.environ.get("SCREENSHOT_DIR", "out/browser")).resolve()
AXE = (pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LANGS = ["ko", "en"]


@pytest.fixture(scope="module")
def browser():
    options = webdriver.ChromeOptions()
    for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--lang=ko-KR"]:
        options.add_argument(arg)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
    driver.set_window_size(1280, 900)
    yield driver
    driver.quit()


def page(driver, lang, width=1280):
    driver.set_window_size(width, 900)
    path = BULLETIN_DIR / f"index-{lang}.html"
    assert path.is_file(), f"{path} missing: write the bulletin with --format html or both"
    driver.get(path.as_uri())
    return path


@pytest.mark.parametrize("lang", LANGS)
def test_axe_finds_no_wcag_a_or_aa_violation(browser, lang):
    page(browser, lang)
    browser.execute_script(AXE)
    browser.set_script_timeout(120)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))})), passes: r.passes.length}))"
        ".catch(e => done({error: String(e)}));", TAGS)
    assert "error" not in result, result
    assert result["violations"] == [], json.dumps(result["violations"], ensure_ascii=False, indent=1)
    # axe ran its rules: on this page colour contrast, tables, images and language are among them.
    assert result["passes"] >= 15


@pytest.mark.parametrize("lang", LANGS)
def test_language_structure_and_nothing_from_the_network(browser, lang):
    page(browser, lang)
    assert browser.execute_script("return document.documentElement.lang") == lang
    assert browser.execute_script("return document.scripts.length") == 0
    resources = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert all(r.startswith("file:") or r.startswith("data:") for r in resources), resources
    # Every chart is an image with a name and a description that the browser exposes.
    charts = browser.execute_script(
        "return [...document.querySelectorAll('svg.chart')].map(s => [s.getAttribute('role'),"
        " s.querySelector('title').textContent, s.querySelector('desc').textContent])")
    assert len(charts) >= 3
    for role, title, desc in charts:
        assert role == "img" and title.strip() and len(desc) > len(title)
    # Headings: one h1, then h2s (no level skipped).
    levels = browser.execute_script("return [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:])), levels
    # The other language's link says so.
    other = "en" if lang == "ko" else "ko"
    assert browser.execute_script(f"return document.querySelector('a[hreflang={other}]').lang") == other


def tab_order(driver, limit=400):
    """The elements focused by pressing Tab from the top of the page, until focus leaves the page or wraps."""
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    order = []
    for _ in range(limit):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        key = driver.execute_script(
            "const e = document.activeElement; if (!e || e === document.body) return null;"
            "return [...document.querySelectorAll('*')].indexOf(e)")
        if key is None or (order and key == order[0]):
            break
        order.append(key)
    return order


@pytest.mark.parametrize("lang", LANGS)
def test_keyboard_order_is_the_reading_order(browser, lang):
    page(browser, lang)
    expected = browser.execute_script(
        "const all = [...document.querySelectorAll('*')];"
        "return all.filter(e => e.matches('a[href], summary, [tabindex]:not([tabindex=\"-1\"]), button, input, select, textarea')"
        " && e.checkVisibility({visibilityProperty: true})).map(e => all.indexOf(e))")
    order = tab_order(browser)
    assert len(expected) > 30
    assert order == expected, "focus order differs from the reading order"
    first = browser.execute_script(f"return [...document.querySelectorAll('*')][{order[0]}].getAttribute('href')")
    assert first == "#main", "the first Tab reaches the skip link"
    # The skip link is visible when focused and takes the reader to the bulletin.
    browser.execute_script("window.scrollTo(0, 0)")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    box = browser.execute_script("const r = document.activeElement.getBoundingClientRect(); return [r.left, r.width]")
    assert box[0] >= 0 and box[1] > 0
    ActionChains(browser).send_keys(Keys.ENTER).perform()
    assert browser.execute_script("return document.activeElement.id") == "main"


def full_page(driver, path):
    height = driver.execute_script("return document.documentElement.scrollHeight")
    width = driver.execute_script("return document.documentElement.clientWidth")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 16000), "scale": 1}})
    path.write_bytes(base64.b64decode(shot["data"]))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("width", [1280, 390])
def test_layout_and_screenshots(browser, lang, width):
    page(browser, lang, width)
    SHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SHOTS / f"{lang}-{width}-top.png"))
    full_page(browser, SHOTS / f"{lang}-{width}-full.png")
    # Nothing but the tables' own scrolling regions is wider than the window.
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {width}px"
    # Charts scale to the column.
    widths = browser.execute_script("return [...document.querySelectorAll('svg.chart')].map(s => s.getBoundingClientRect().width)")
    column = browser.execute_script("return document.querySelector('main').getBoundingClientRect().width")
    assert all(0.9 * column <= w <= column + 1 for w in widths), (widths, column)


@pytest.mark.parametrize("lang", LANGS)
def test_print_style_sheet_lays_out_a4_pages(browser, lang):
    page(browser, lang)
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": False})
    data = base64.b64decode(pdf["data"])
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"print-{lang}.pdf").write_bytes(data)
    import pikepdf
    with pikepdf.open(SHOTS / f"print-{lang}.pdf") as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
        assert abs(box[2] - 595.3) < 1.5 and abs(box[3] - 841.9) < 1.5, box   # A4 in points
        assert len(doc.pages) >= 5
