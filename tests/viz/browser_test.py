#!/usr/bin/env python3
"""The `twinflow viz` HTML viewer in a real browser: headless Chromium driven by Selenium.

Makes each page, opens it from a file with the network disabled and checks what a user sees: the
drawing with its nodes, no script errors, no request leaving the page, a real click on a node
filling the side panel (name, op, parameter count), the search box highlighting the matching
node, and the zoom buttons, wheel and drag moving the drawing. Saves a screenshot and checks
that it holds a picture.

Two pages, one browser: `twinflow viz MODEL -o PAGE.html` (--twinflow), the real thing, and a
hand-written graph drawn by Graphviz's `dot -Tsvg` and written by twinflow_html_page_demo
(--demo), whose details hold what a model cannot: a node named like a script element, markup in
an op, a field the viewer does not know. A missing browser is a failure, not a skip: run
scripts/install-deps.sh (TWINFLOW_BROWSER_TESTS unset or 1).
"""

import argparse
import itertools
import json
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import time
import zlib

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL_HINT = ("install the Debian packages chromium chromium-driver python3-selenium "
                "(scripts/install-deps.sh does, unless TWINFLOW_BROWSER_TESTS=0)")

# Installed before the page's own scripts run: collects uncaught errors, rejected promises,
# console.error calls and Content-Security-Policy violations (a blocked fetch) in one array.
ERROR_COLLECTOR = """
window.__tfErrors = [];
const record = (what) => window.__tfErrors.push(String(what));
window.addEventListener('error', (e) => record('error: ' + e.message + ' at ' + e.filename +
                                               ':' + e.lineno));
window.addEventListener('unhandledrejection', (e) => record('unhandled rejection: ' + e.reason));
document.addEventListener('securitypolicyviolation',
    (e) => record('CSP blocked ' + e.blockedURI + ' (' + e.violatedDirective + ')'));
const consoleError = console.error;
console.error = function (...args) {
  record('console.error: ' + args.join(' '));
  consoleError.apply(console, args);
};
"""

NODES_JS = """
return Array.from(document.querySelectorAll('#tf-canvas svg g.node')).map((g) => {
  const r = g.getBoundingClientRect();
  return {id: g.querySelector(':scope > title').textContent, classes: Array.from(g.classList),
          left: r.left, top: r.top, right: r.right, bottom: r.bottom};
});
"""

KNOWN_FIELDS = {"name", "op", "attrs", "inputs", "outputs", "params", "shared"}
CURRENT_JS = "return document.querySelector('g.node.tf-current > title').textContent"


class TestFailure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise TestFailure(message)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", required=True, type=pathlib.Path,
                        help="where the page and the screenshot are written")
    parser.add_argument("--twinflow", help="the twinflow binary (page from `twinflow viz`)")
    parser.add_argument("--model", help="the model spec for `twinflow viz`")
    parser.add_argument("--demo", help="twinflow_html_page_demo (page from a hand-written graph)")
    parser.add_argument("--dot", default="/usr/bin/dot", help="Graphviz's dot, with --demo")
    parser.add_argument("--graph", help="the DOT file, with --demo")
    parser.add_argument("--details", help="the node details JSON, with --demo")
    args = parser.parse_args()
    if not args.twinflow and not args.demo:
        parser.error("give --twinflow, --demo or both")
    if args.twinflow and not args.model:
        parser.error("--twinflow needs --model")
    if args.demo and not (args.graph and args.details):
        parser.error("--demo needs --graph and --details")
    return args


def run(command):
    result = subprocess.run(command, capture_output=True, text=True)
    check(result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n"
                                  f"{result.stdout}{result.stderr}")


class Page:
    def __init__(self, name, path, title, hostile):
        self.name = name        # "twinflow" or "demo": names the screenshot
        self.path = path
        self.title = title      # the title it must show, None when not known in advance
        self.hostile = hostile  # has the node "op:evil", whose name and op are markup
        self.details = embedded_details(path)


def make_pages(args):
    args.out_dir.mkdir(parents=True, exist_ok=True)
    pages = []
    if args.twinflow:
        path = args.out_dir / "viz_browser_test_twinflow.html"
        run([args.twinflow, "viz", args.model, "-o", str(path)])
        check(path.is_file(), f"twinflow viz wrote no {path}")
        pages.append(Page("twinflow", path, None, False))
    if args.demo:
        check(shutil.which(args.dot) is not None, f"{args.dot} not found: install graphviz")
        svg = args.out_dir / "viz_browser_test_demo.svg"
        run([args.dot, "-Tsvg", args.graph, "-o", str(svg)])
        path = args.out_dir / "viz_browser_test_demo.html"
        title = "cosine_siamese <test> & \"quotes\""
        run([args.demo, title, str(svg), args.details, str(path)])
        pages.append(Page("demo", path, title, True))
    return pages


def embedded_details(path):
    text = path.read_text(encoding="utf-8")
    match = re.search(r'<script type="application/json" id="tf-details">(.*?)</script>', text,
                      re.DOTALL)
    check(match is not None, "the page has no details script element")
    return json.loads(match.group(1)).get("nodes", {})


def start_browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        check(shutil.which(path) is not None, f"{path} is missing: {INSTALL_HINT}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError as error:
        raise TestFailure(f"Python's selenium is missing ({error}): {INSTALL_HINT}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1280,800", "--force-device-scale-factor=1",
                 # No network: every request would go to a closed local port.
                 "--proxy-server=127.0.0.1:9", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-extensions",
                 "--no-first-run", "--no-default-browser-check"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def unfilter_row(kind, row, previous, channels):
    if kind == 1:  # Sub: a running sum along each channel
        for c in range(channels):
            row[c::channels] = bytes(itertools.accumulate(row[c::channels],
                                                          lambda a, b: (a + b) & 0xFF))
        return
    for i in range(len(row)):
        left = row[i - channels] if i >= channels else 0
        up, up_left = previous[i], previous[i - channels] if i >= channels else 0
        if kind == 3:
            row[i] = (row[i] + (left + up) // 2) & 0xFF
        elif kind == 4:
            p = left + up - up_left
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else up_left
            row[i] = (row[i] + predictor) & 0xFF
        else:
            raise TestFailure(f"PNG filter type {kind} is not defined")


def png_pixels(path):
    """(width, height, set of colours) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = path.read_bytes()
    check(data.startswith(b"\x89PNG\r\n\x1a\n"), f"{path} is not a PNG")
    chunks, idat, at = {}, b"", 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IDAT":
            idat += body
        else:
            chunks[kind] = body
        at += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    check(depth == 8 and colour in (2, 6) and interlace == 0,
          f"unexpected PNG format (depth {depth}, colour type {colour}, interlace {interlace})")
    channels = 3 if colour == 2 else 4
    raw, stride = zlib.decompress(idat), width * channels
    previous, colours, at = bytearray(stride), set(), 0
    for _ in range(height):
        kind, row = raw[at], bytearray(raw[at + 1:at + 1 + stride])
        at += 1 + stride
        if kind == 2:
            row = bytearray((a + b) & 0xFF for a, b in zip(row, previous))
        elif kind != 0:  # Sub, Average and Paeth depend on the byte to the left: one by one
            unfilter_row(kind, row, previous, channels)
        colours.update(zip(row[0::channels], row[1::channels], row[2::channels]))
        previous = row
    return width, height, colours


def transform(driver):
    """(x, y, scale) of the drawing's CSS transform."""
    text = driver.execute_script("return document.getElementById('tf-canvas').style.transform")
    match = re.fullmatch(r"translate\((-?[\d.e+-]+)px, (-?[\d.e+-]+)px\) scale\(([\d.e+-]+)\)",
                         text or "")
    check(match is not None, f"unexpected transform on the drawing: {text!r}")
    return tuple(float(v) for v in match.groups())


def node_element(driver, node_id):
    element = driver.execute_script(
        "return Array.from(document.querySelectorAll('#tf-canvas g.node'))"
        ".find((g) => g.querySelector(':scope > title').textContent === arguments[0]) || null",
        node_id)
    check(element is not None, f"no node {node_id!r} in the drawing")
    return element


def check_loaded(driver, details, title):
    shown = driver.execute_script("return document.getElementById('tf-title').textContent")
    check(shown != "" and shown == driver.title,
          f"the bar shows {shown!r}, the document title is {driver.title!r}")
    check(title is None or shown == title, f"the page shows the title {shown!r}, not {title!r}")
    svg = driver.find_element("css selector", "#tf-canvas svg")
    check(svg.is_displayed() and svg.size["width"] > 50 and svg.size["height"] > 50,
          f"the SVG is not displayed (size {svg.size})")
    nodes = driver.execute_script(NODES_JS)
    check(len(nodes) >= 3, f"the drawing shows {len(nodes)} nodes")
    ids = {node["id"] for node in nodes}
    missing = [node_id for node_id in details if node_id not in ids]
    check(not missing, f"nodes with details but not drawn: {missing}")
    # Fit on load: every node lies inside the stage.
    stage = driver.execute_script(
        "const r = document.getElementById('tf-stage').getBoundingClientRect();"
        "return {left: r.left, top: r.top, right: r.right, bottom: r.bottom};")
    outside = [n["id"] for n in nodes
               if n["left"] < stage["left"] - 1 or n["top"] < stage["top"] - 1
               or n["right"] > stage["right"] + 1 or n["bottom"] > stage["bottom"] + 1]
    check(not outside, f"nodes outside the stage after fitting: {outside}")
    return nodes


def check_screenshot(driver, path):
    check(driver.save_screenshot(str(path)), f"could not save {path}")
    width, height, colours = png_pixels(path)
    viewport = driver.execute_script("return [innerWidth, innerHeight]")
    check([width, height] == viewport, f"screenshot {width}x{height}, viewport {viewport}")
    # A drawing has fills, strokes and anti-aliased text: many colours. A blank page has one.
    check(len(colours) >= 32, f"the screenshot has only {len(colours)} colours")


def open_node(driver, node_id, info):
    """A real click on the node; the panel must then show its name, op and parameters."""
    node_element(driver, node_id).click()
    panel = driver.find_element("id", "tf-panel")
    check(panel.is_displayed(), f"clicking {node_id!r} did not open the side panel")
    name = driver.execute_script(
        "return document.querySelector('#tf-panel .tf-name').textContent")
    check(name == info.get("name", node_id), f"the panel names {name!r} for {node_id!r}")
    text = driver.execute_script("return document.getElementById('tf-panel-body').textContent")
    expected = [str(info["op"])] if "op" in info else []
    if "params" in info:
        expected.append(f"{info['params']:,}")
    if info.get("shared", 0) > 1:
        expected.append(f"shared \u00d7{info['shared']}")
    for output in info.get("outputs", []):
        expected.append(output.get("shape", ""))
    # A field the viewer does not know ("stats") is shown as it is.
    expected += [value for key, value in info.items() if key not in KNOWN_FIELDS
                 and isinstance(value, str)]
    missing = [e for e in expected if e not in text]
    check(not missing, f"the panel of {node_id!r} lacks {missing}: {text!r}")
    selected = driver.execute_script(
        "return Array.from(document.querySelectorAll('g.node.tf-selected'))"
        ".map((g) => g.querySelector(':scope > title').textContent)")
    check(selected == [node_id], f"selected nodes {selected}, expected [{node_id!r}]")


def check_search(driver, details, node_id, require_cycle):
    name = details[node_id].get("name", node_id)
    before = transform(driver)
    search = driver.find_element("id", "tf-search")
    search.clear()
    search.send_keys(name)
    nodes = driver.execute_script(NODES_JS)
    query = name.lower()
    expected = {n["id"] for n in nodes
                if query in n["id"].lower()
                or query in details.get(n["id"], {}).get("name", n["id"]).lower()}
    matched = {n["id"] for n in nodes if "tf-match" in n["classes"]}
    check(matched == expected, f"searching {name!r} highlights {matched}, expected {expected}")
    current = [n["id"] for n in nodes if "tf-current" in n["classes"]]
    check(current == [node_id], f"searching {name!r} makes {current} current, not {node_id!r}")
    check(transform(driver) != before, "the search did not move the drawing to the match")
    status = driver.find_element("id", "tf-search-status").text
    check(status == f"1 / {len(expected)}", f"search status {status!r}")
    # A one-letter query matches several nodes; Enter moves to the next one.
    search.clear()
    search.send_keys(name[0])
    count = driver.execute_script("return document.querySelectorAll('g.node.tf-match').length")
    check(count > 1 or not require_cycle, f"{name[0]!r} matches {count} nodes, expected several")
    if count > 1:
        first = driver.execute_script(CURRENT_JS)
        search.send_keys("\n")
        status = driver.find_element("id", "tf-search-status").text
        check(status == f"2 / {count}", f"Enter did not move to the next match: {status!r}")
        check(driver.execute_script(CURRENT_JS) != first, "Enter left the same node current")
    search.clear()
    search.send_keys("no node is called this")
    matched = driver.execute_script("return document.querySelectorAll('g.node.tf-match').length")
    check(matched == 0, f"a query matching nothing highlights {matched} nodes")


def check_zoom_and_pan(driver):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

    x, y, scale = transform(driver)
    driver.find_element("id", "tf-zoom-in").click()
    x2, y2, scale2 = transform(driver)
    check(scale2 > scale * 1.1, f"zoom in: scale {scale} -> {scale2}")
    driver.find_element("id", "tf-zoom-out").click()
    check(abs(transform(driver)[2] - scale) < 1e-9, "zoom out did not undo zoom in")
    stage = driver.find_element("id", "tf-stage")
    ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(stage), 0, -300).perform()
    scale3 = transform(driver)[2]
    check(scale3 > scale * 1.1, f"the wheel did not zoom in: scale {scale} -> {scale3}")
    # Drag from a corner of the stage (away from nodes) by (80, 50).
    x, y, scale = transform(driver)
    corner = driver.execute_script(
        "const r = document.getElementById('tf-stage').getBoundingClientRect();"
        "return [Math.round(r.left + 5), Math.round(r.top + 5)]")
    actions = ActionBuilder(driver)
    actions.pointer_action.move_to_location(*corner).pointer_down()
    actions.pointer_action.move_to_location(corner[0] + 40, corner[1] + 25)
    actions.pointer_action.move_to_location(corner[0] + 80, corner[1] + 50).pointer_up()
    actions.perform()
    x2, y2, scale2 = transform(driver)
    check(abs(x2 - x - 80) < 1 and abs(y2 - y - 50) < 1 and scale2 == scale,
          f"dragging by (80, 50) moved the drawing from {(x, y)} to {(x2, y2)}")
    driver.find_element("id", "tf-fit").click()
    check(transform(driver)[2] < scale3, "Fit did not zoom back out")


def check_hostile_node(driver, details):
    """The demo graph's node whose name and op are markup: shown as text, never run."""
    node_id = "op:evil"
    open_node(driver, node_id, details[node_id])
    state = driver.execute_script(
        "return {pwned: window.tfPwned === undefined ? null : window.tfPwned,"
        " scripts: document.scripts.length,"
        " markup: document.querySelectorAll('#tf-panel img, #tf-panel b, #tf-panel i').length}")
    check(state == {"pwned": None, "scripts": 2, "markup": 0}, f"markup in the data ran: {state}")


def check_clean(driver):
    errors = driver.execute_script("return window.__tfErrors")
    check(errors == [], f"errors in the page: {errors}")
    severe = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    check(not severe, f"severe console messages: {severe}")
    urls = driver.execute_script(
        "return performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map((e) => e.name)")
    remote = [u for u in urls if not u.startswith(("data:", "blob:", "file:"))]
    check(not remote, f"requests that left the page: {remote}")


def pick_node(details):
    """The one to click: of the nodes with an op and a name no other node has (so searching
    for it finds it first), the one with the most parameters."""
    names = [info.get("name") for info in details.values()]
    candidates = [(info.get("params", -1), node_id) for node_id, info in details.items()
                  if info.get("name") and info.get("op") and "<" not in info["name"]
                  and names.count(info["name"]) == 1]
    check(candidates, "no node in the details has a name of its own and an op")
    return max(candidates)[1]


def check_page(driver, page, out_dir):
    driver.get(page.path.resolve().as_uri())
    check_loaded(driver, page.details, page.title)
    check_screenshot(driver, out_dir / f"viz_browser_test_{page.name}.png")
    node_id = pick_node(page.details)
    open_node(driver, node_id, page.details[node_id])
    check_search(driver, page.details, node_id, require_cycle=page.hostile)
    check_zoom_and_pan(driver)
    if page.hostile:
        check_hostile_node(driver, page.details)
    check_clean(driver)
    return node_id


def main():
    args = parse_args()
    started = time.monotonic()
    pages = make_pages(args)
    made = time.monotonic()
    driver = start_browser()
    try:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": ERROR_COLLECTOR})
        browser_up = time.monotonic()
        for page in pages:
            node_id = check_page(driver, page, args.out_dir)
            print(f"viz.browser: {page.name} page passed ({len(page.details)} nodes with details, "
                  f"clicked {node_id!r})")
    finally:
        driver.quit()
    done = time.monotonic()
    print(f"viz.browser: passed; making pages {made - started:.1f} s, browser start "
          f"{browser_up - made:.1f} s, checks {done - browser_up:.1f} s, "
          f"total {done - started:.1f} s")


if __name__ == "__main__":
    try:
        main()
    except TestFailure as failure:
        print(f"viz.browser: FAILED: {failure}", file=sys.stderr)
        sys.exit(1)
