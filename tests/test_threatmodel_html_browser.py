"""The HTML view used as a person would: Debian's Chromium, driven by Playwright, opens the page
from ``file://`` for the reference app, a large architecture, a change and hostile names; the
tests click, search, filter, follow an attack path, print, and watch that nothing leaves the page
and nothing breaks its Content-Security-Policy.

Its own tier (``-m browser``; also ``slow``, so the fast tier leaves it out). Without Chromium or
Playwright the tests are skipped, saying why; ``.ci/run`` installs both. ``--update-snapshots``
writes the screenshot the README shows (docs/images/threat-model-html.png)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from iac_assist.analysis.engine import scan
from iac_assist.threatmodel.build import build
from iac_assist.threatmodel.diff import diff
from iac_assist.threatmodel.formats import RenderOptions, render
from tests.conftest import REPO
from tests.test_threatmodel_html import HARDENED, INSECURE, hostile_model

pytestmark = [pytest.mark.slow, pytest.mark.browser]

SCREENSHOT = REPO / "docs" / "images" / "threat-model-html.png"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions"]


def _chromium() -> str | None:
    return os.environ.get("IAC_ASSIST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed (pip install -e '.[test]')")
    executable = _chromium()
    if executable is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; .ci/run does)")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=ARGS)
        yield browser
        browser.close()


class Visit:
    """A page opened from a file, with every request it makes and every console message and error."""

    def __init__(self, browser, path: Path, width: int = 1500, height: int = 900) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.dialogs: list[str] = []
        self.url = path.resolve().as_uri()
        # Every request is recorded, and any but the page's own refused: nothing may leave it.
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=10_000)

    def _route(self, route) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()

    def left_the_page(self) -> list[str]:
        return [u for u in self.requests if u != self.url]


def write_page(tmp_path: Path, name: str, text: str) -> Path:
    out = tmp_path / name
    out.write_text(text, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = scan([INSECURE])
    page = render(build(result), "html", RenderOptions(project_name="reference app", result=result))
    return write_page(tmp_path_factory.mktemp("html"), "reference.html", page)


def test_the_reference_app_draws_opens_the_database_and_shows_the_finding_line(browser, reference: Path):
    visit = Visit(browser, reference)
    page = visit.page
    assert page.locator("svg g.node").count() == 7  # the internet and six components
    assert page.locator("svg g.edge").count() == 9
    assert page.locator("svg g.zone").count() == 5  # edge, AWS, the VPC, its public and private subnets
    assert not page.locator("#gaps").is_visible()  # everything was analysed
    page.locator('svg g.node[data-id="module.database.aws_db_instance.this"]').click()
    details = page.locator("#tab-details")
    assert details.locator("h2").first.inner_text() == "module.database.aws_db_instance.this"
    assert "3 open" in details.inner_text()
    open_threats = details.locator("details.threat.open")
    assert open_threats.count() == 3
    assert "Data read through a network path from the internet" in open_threats.first.inner_text()
    finding = details.locator(".finding", has_text="IAC-RDS-001 db-publicly-accessible").first
    assert "modules/database/main.tf:62" in finding.inner_text()
    assert finding.locator("pre.source span.hit").inner_text().strip().endswith(
        "publicly_accessible    = var.publicly_accessible")
    assert "Set `publicly_accessible = false`" in finding.locator(".remediation").inner_text()
    assert visit.left_the_page() == [] and visit.problems == [] and visit.dialogs == []
    visit.close()


def test_an_attack_path_is_highlighted_hop_by_hop(browser, reference: Path):
    visit = Visit(browser, reference)
    page = visit.page
    page.click('.tabs button[data-tab="paths"]')
    paths = page.locator("#tab-paths li")
    assert paths.count() == 8
    db_path = paths.filter(has_text="module.database.aws_db_instance.this").first
    db_path.click()
    # The internet, the security group (drawn: it has an open threat) and the database; the
    # gateway and the subnet between them are plumbing, not drawn: the highlight steps over them.
    on_path = page.locator("svg g.node.on-path")
    assert sorted(on_path.evaluate_all("els => els.map(e => e.getAttribute('data-id'))")) == [
        "internet", "module.database.aws_db_instance.this", "module.database.aws_security_group.this"]
    assert page.locator("svg path.step.active").count() == 2
    assert page.locator('svg g.node.current').get_attribute("data-id") == "module.database.aws_db_instance.this"
    hops = page.locator("#tab-details ol.hops > li")
    assert hops.count() == 5
    assert "aws_internet_gateway.main" in hops.nth(1).inner_text()
    page.click("#hop-prev")
    assert "current" in (page.locator("#tab-details ol.hops > li").nth(3).get_attribute("class") or "")
    page.locator("#tab-details ol.hops > li").first.click()
    assert page.locator('svg g.node.current').get_attribute("data-id") == "internet"
    assert visit.problems == [] and visit.left_the_page() == []
    visit.close()


def test_filters_search_zoom_and_flows(browser, reference: Path):
    visit = Visit(browser, reference)
    page = visit.page
    page.click('.tabs button[data-tab="threats"]')
    rows = page.locator("#tab-threats table.threats tr[data-threat]")
    total = rows.count()
    assert total == 46
    page.locator('input[data-filter="status"][value="mitigated"]').uncheck()
    page.locator('input[data-filter="status"][value="undetermined"]').uncheck()
    assert rows.count() == 29  # the open ones
    page.locator('input[data-filter="stride"]').evaluate_all(
        "els => els.forEach(e => { if (e.value !== 'I') e.click(); })")
    only_i = rows.count()
    assert 0 < only_i < 29
    assert all("I" in t for t in rows.evaluate_all("rs => rs.map(r => r.children[1].textContent)"))
    page.locator('input[data-filter="severity"][value="critical"]').uncheck()
    assert rows.count() < only_i
    # Nodes without a threat that passes are dimmed.
    assert page.locator("svg g.node.dim").count() >= 1
    # Clicking a threat opens its component (or flow), that threat open and marked.
    threat_id = rows.first.get_attribute("data-threat")
    rows.first.click()
    focused = page.locator("#tab-details details.threat.focus")
    assert focused.count() == 1 and focused.get_attribute("data-threat") == threat_id
    assert focused.get_attribute("open") is not None
    # Search: the matching node is marked, Enter opens it.
    page.fill("#search", "aws_lb")
    matched = page.locator("svg g.node.match").evaluate_all("els => els.map(e => e.getAttribute('data-id'))")
    assert matched == ["aws_lb.web"]
    page.press("#search", "Enter")
    assert page.locator("#tab-details h2").first.inner_text() == "aws_lb.web"
    # Zoom changes the view box; Fit restores it.
    before = page.locator("#diagram").get_attribute("viewBox")
    page.click("#zoom-in")
    assert page.locator("#diagram").get_attribute("viewBox") != before
    page.click("#zoom-fit")
    # A flow: clicking the plaintext edge shows it and its threat.
    page.locator("svg g.edge.plaintext").first.dispatch_event("click")
    text = page.locator("#tab-details").inner_text()
    assert "(plaintext)" in text and "open" in text
    assert visit.problems == [] and visit.left_the_page() == []
    visit.close()


def test_the_page_prints_to_a_readable_pdf(browser, reference: Path, tmp_path: Path):
    visit = Visit(browser, reference)
    page = visit.page
    page.emulate_media(media="print")
    # Printed, every panel shows: the threat table and the attack paths follow the diagram.
    assert page.locator("#tab-threats").is_visible() and page.locator("#tab-paths").is_visible()
    assert not page.locator("#filters").is_visible()
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    (tmp_path / "model.pdf").write_bytes(pdf)
    visit.close()


def test_a_large_architecture_opens_and_every_component_is_searchable(browser, tmp_path: Path):
    from tests.test_threatmodel_diagrams import large_model

    page_file = write_page(tmp_path, "large.html", render(large_model(), "html"))
    visit = Visit(browser, page_file)
    page = visit.page
    assert page.locator("svg g.node").count() == 23
    assert not page.locator("#gaps").is_visible()
    # A component folded into "… (N alike)" is found by its own name, on the node standing for it.
    page.fill("#search", "v1_svc42")
    page.press("#search", "Enter")
    assert "80 more" not in page.locator("#tab-details h2").inner_text()
    assert "aws_instance.v1_svc42" in page.locator("#tab-details").inner_text()
    assert visit.problems == [] and visit.left_the_page() == []
    visit.close()


def test_a_change_marks_what_it_adds_and_removes(browser, tmp_path: Path):
    result = scan([INSECURE])
    after = build(result)
    change = diff(build(scan([HARDENED])), after)
    page_file = write_page(tmp_path, "change.html", render(after, "html", RenderOptions(result=result, change=change)))
    visit = Visit(browser, page_file)
    page = visit.page
    tab = page.locator('.tabs button[data-tab="change"]')
    assert tab.is_visible()
    tab.click()
    assert "Attack paths added" in page.locator("#tab-change").inner_text()
    assert page.locator("svg g.node.added, svg g.node.removed, svg g.node.changed").count() >= 1
    assert visit.problems == [] and visit.left_the_page() == []
    visit.close()


def test_hostile_names_run_nothing_and_load_nothing(browser, tmp_path: Path):
    page_file = write_page(tmp_path, "hostile.html", render(hostile_model(), "html"))
    visit = Visit(browser, page_file)
    page = visit.page
    for node in page.locator("svg g.node").all()[:12]:
        node.click()
    page.click('.tabs button[data-tab="threats"]')
    page.fill("#search", "<script>")
    page.press("#search", "Enter")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("img, iframe, object, embed, svg svg").count() == 0
    assert page.locator("script").count() == 2
    assert visit.dialogs == [] and visit.problems == [] and visit.left_the_page() == []
    # The bidi override is shown as an escape, not obeyed.
    page.fill("#search", "evil")
    page.press("#search", "Enter")
    assert "\\u202eevil\\u202c.tf" in page.locator("#tab-details").inner_text()
    visit.close()


def test_screenshot_of_the_reference_app(browser, reference: Path, tmp_path: Path, update_snapshots: bool):
    visit = Visit(browser, reference, width=1400, height=820)
    page = visit.page
    page.locator('svg g.node[data-id="module.database.aws_db_instance.this"]').click()
    target = SCREENSHOT if update_snapshots else tmp_path / SCREENSHOT.name
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target))
    assert target.stat().st_size > 30_000
    assert SCREENSHOT.exists(), "the README's screenshot: run this test with --update-snapshots"
    visit.close()


def test_what_was_not_analysed_is_shown_above_the_diagram(browser, tmp_path: Path):
    root = tmp_path / "src"
    root.mkdir()
    (root / "main.tf").write_text('module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n', encoding="utf-8")
    result = scan([root])
    visit = Visit(browser, write_page(tmp_path, "gaps.html", render(build(result), "html",
                                                                     RenderOptions(result=result))))
    banner = visit.page.locator("#gaps")
    assert banner.is_visible()
    assert banner.locator("summary").inner_text().startswith("Not analysed: 1 module-not-downloaded")
    banner.locator("summary").click()
    assert "module vpc not analysed (not downloaded)" in banner.locator("li").first.inner_text()
    visit.close()
