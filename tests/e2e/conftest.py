"""Browser tests: the app served by a real Streamlit server, driven in Debian's Chromium via Playwright.

Every page fixture records the requests the page makes; `outside_requests(page)` lists those to any host
other than the app's own. A failing test leaves a screenshot in test-artifacts/.
"""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, CHROMIUM_ARGS, chromium_path, start_app


@pytest.fixture(scope="session")
def app_url():
    proc, base = start_app()
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    try:
        executable = chromium_path()
    except RuntimeError as exc:  # never a silent skip: a missing browser is a failed set-up
        pytest.fail(str(exc))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def recording_page(browser, **options):
    """A page in a context of its own (own cookies) that records every URL it asks for, frames included."""
    context = browser.new_context(**{"viewport": {"width": 1600, "height": 1000}, "locale": "zh-CN", **options})
    page = context.new_page()
    page.requests = []
    page.on("request", lambda r: page.requests.append(r.url))
    return page


@pytest.fixture
def page(browser, request):
    page = recording_page(browser)
    context = page.context
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
