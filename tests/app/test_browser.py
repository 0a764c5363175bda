"""End to end in a real browser: `nghiquyet serve` on a free loopback port, headless Chromium via Selenium.

1. The product as a user gets it: `serve` ingests the bundled corpus into an empty index, starts
   the app; we ask the Trà Vinh 2021 GRDP question, see "11%" and a citation, open the citation.
   Screenshots go to the test's tmp_path and to out/screenshots/ in the repo (git-ignored).
2. Hostile document text rendered by the app's own safe-text functions in the browser: nothing
   becomes an element that loads a URL (img) or a link (a), and the local "attacker" server
   receives no request.

Uses Debian's chromium + chromedriver; Selenium Manager is never asked to download anything.
Skipped with the reason when they are absent (`.ci/run` installs them).
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.app.conftest import free_port
from tests.conftest import EMBED_CACHE, REPO

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOTS = REPO / "out" / "screenshots"
TV_2021 = "Chỉ tiêu tăng trưởng GRDP năm 2021 của Trà Vinh?"

if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        f"Chromium không có ({CHROMIUM} / {CHROMEDRIVER}): cài gói Debian chromium và chromium-driver "
        "(.ci/run làm việc này) để chạy kiểm thử trình duyệt.",
        allow_module_level=True,
    )

from selenium import webdriver  # noqa: E402
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'chromium-profile'}",
        "--window-size=1366,900", "--lang=vi-VN",
    ):
        options.add_argument(arg)
    # An explicit driver path: Selenium Manager has nothing to look up or download.
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def wait_healthy(port: int, proc: subprocess.Popen, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the app exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"the app did not start in {timeout_s:.0f}s:\n{log.read_text(errors='replace')[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def save_screenshot(driver: webdriver.Chrome, tmp_path: Path, name: str) -> Path:
    shot = tmp_path / name
    assert driver.save_screenshot(str(shot))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, SCREENSHOTS / name)
    return shot


@pytest.fixture
def served_app(tmp_path: Path) -> Iterator[str]:
    """`nghiquyet serve` on an empty store: it ingests the bundled corpus, then runs Streamlit."""
    port = free_port()
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("NGHIQUYET_") or k == "NGHIQUYET_TEST_CACHE"}
    env["NGHIQUYET_EMBEDDING_CACHE_DIR"] = str(EMBED_CACHE)  # vectors computed once per machine
    env["NGHIQUYET_FEEDBACK_FILE"] = str(tmp_path / "feedback.jsonl")
    env["PYTHONPATH"] = str(REPO)  # this tree's app.py, whichever checkout the CLI was installed from
    cli = Path(sys.executable).parent / "nghiquyet"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cli), "serve", "--port", str(port), "--store", str(tmp_path / "store")],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
        )
    try:
        wait_healthy(port, proc, log, timeout_s=600)
        served = log.read_text(errors="replace")
        assert "Chỉ mục trống: đang nạp bộ tài liệu mẫu" in served and "5 tài liệu đã nạp" in served, served
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(proc)


def test_served_app_answers_with_a_citation(served_app: str, browser: webdriver.Chrome, tmp_path: Path) -> None:
    started = time.monotonic()
    browser.get(served_app)
    wait = WebDriverWait(browser, 120)
    box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')))
    assert "Hỏi đáp nghị quyết" in browser.find_element(By.TAG_NAME, "h1").text
    first_view = time.monotonic() - started
    save_screenshot(browser, tmp_path, "app-start.png")

    box.send_keys(TV_2021)
    box.send_keys(Keys.ENTER)
    try:
        wait.until(lambda d: _assistant_text(d) and "11%" in _assistant_text(d)
                   and d.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stPopover"] button'))
    except TimeoutException:
        save_screenshot(browser, tmp_path, "app-timeout.png")
        raise
    answer = _assistant_text(browser)
    assert "11%" in answer and "[1]" in answer
    assert "Trả lời trong" in answer
    save_screenshot(browser, tmp_path, "app-answer.png")

    chip = browser.find_element(By.CSS_SELECTOR, '[data-testid="stChatMessage"] [data-testid="stPopover"] button')
    assert chip.text.startswith("[1]") and "Trà Vinh" in chip.text
    chip.click()
    body = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stPopoverBody"]')))
    assert "Tỉnh: Trà Vinh" in body.text and "11%" in body.text
    marks = body.find_elements(By.CSS_SELECTOR, ".stMarkdownColoredBackground")
    assert any("11%" in m.text for m in marks), [m.text for m in marks]
    save_screenshot(browser, tmp_path, "app-citation.png")

    # A tablet in portrait: the answer and its chip stay readable when the window narrows...
    browser.set_window_size(820, 1180)
    time.sleep(1.0)
    assert "11%" in _assistant_text(browser)
    save_screenshot(browser, tmp_path, "app-tablet.png")
    # ...and a tablet opening the app sees the start screen and the question box.
    browser.get(served_app)
    wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]')))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ".st-key-examples button"))
    save_screenshot(browser, tmp_path, "app-start-tablet.png")

    # The document library lists the five bundled documents.
    browser.set_window_size(1366, 900)
    browser.get(served_app + "thu-vien")
    wait.until(lambda d: "Thư viện tài liệu" in d.find_element(By.TAG_NAME, "h1").text)
    metric = wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stMetricValue"]')))
    assert metric.text == "5"
    wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stDataFrame"]')))
    save_screenshot(browser, tmp_path, "library.png")
    print(f"first view after {first_view:.1f}s; screenshots in {tmp_path} and {SCREENSHOTS}")


# --- the conversation of a meeting ------------------------------------------------------------------
OUT = REPO / "out"
MEETING = [
    ("ti le ho ngheo lang son 2020", "3%"),
    (TV_2021, "11%"),
    ("năm 2020 thì sao?", "3,32%"),
    ("còn GRDP bình quân đầu người?", "63,14"),
    ("Chỉ tiêu tăng trưởng GRDP năm 2020 của Kiên Giang?", "7,23%"),
]
KG_2020 = MEETING[-1][0]


def _messages(driver: webdriver.Chrome) -> list:  # type: ignore[type-arg]
    return driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')


def _ask(driver: webdriver.Chrome, question: str, done: str = "Trả lời trong", timeout_s: float = 90) -> str:
    """Type a question, wait until its answer is drawn; the answer's text."""
    before = len(_messages(driver))
    box = WebDriverWait(driver, timeout_s).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
    )
    box.send_keys(question)
    box.send_keys(Keys.ENTER)

    def answered(d: webdriver.Chrome) -> str | bool:
        try:
            return _answered(d)
        except StaleElementReferenceException:  # redrawn while read: look again
            return False

    def _answered(d: webdriver.Chrome) -> str | bool:
        messages = _messages(d)
        if len(messages) < before + 2:
            return False
        text = messages[-1].text
        running = d.find_elements(By.CSS_SELECTOR, '[data-testid="stStatusWidget"]')
        return text if done in text and not any("Đang" in r.text for r in running) else False

    return str(WebDriverWait(driver, timeout_s).until(answered))


def _shot(driver: webdriver.Chrome, name: str) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    assert driver.save_screenshot(str(path))
    return path


def _open_last_source(driver: webdriver.Chrome) -> Any:
    """Tap the last answer's [1] chip as a reader would (scrolled to it); the highlighted figure's element."""
    chip = [b for b in _messages(driver)[-1].find_elements(By.CSS_SELECTOR, '[data-testid="stPopover"] button')
            if b.text.startswith("[1]")][0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", chip)
    time.sleep(0.5)
    chip.click()
    body = WebDriverWait(driver, 30).until(
        ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stPopoverBody"]'))
    )
    time.sleep(0.8)  # the popover settles into place
    return body.find_element(By.CSS_SELECTOR, '[class*="st-key-passage-"] .stMarkdownColoredBackground strong')


def _viewport(driver: webdriver.Chrome, width: int, height: int) -> None:
    """Make the page itself (not the window around it) width × height CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight];")
    driver.set_window_size(width + (width - inner[0]), height + (height - inner[1]))
    time.sleep(1.0)
    assert driver.execute_script("return [window.innerWidth, window.innerHeight];") == [width, height]


def _in_viewport(driver: webdriver.Chrome, element: Any) -> bool:
    return bool(driver.execute_script(
        "const r = arguments[0].getBoundingClientRect();"
        "return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= window.innerHeight"
        " && r.right <= window.innerWidth;",
        element,
    ))


def test_meeting_conversation(served_app: str, browser: webdriver.Chrome) -> None:
    """The issue's conversation, the filter case, and the source on a phone; screenshots in out/."""
    browser.get(served_app)
    _viewport(browser, 1366, 768)
    WebDriverWait(browser, 120).until(
        ec.element_to_be_clickable((By.CSS_SELECTOR, '[data-testid="stChatInputTextArea"]'))
    )
    assert browser.execute_script("return document.documentElement.lang") == "vi"
    misses = []
    for question, figure in MEETING:
        answer = _ask(browser, question)
        if figure not in answer:
            misses.append(f"{question!r}: expected {figure!r} in {answer[:300]!r}")
    _shot(browser, "answer-1366x768.png")
    # What will carry over is shown under the input, with × to drop it.
    chip = browser.find_element(By.CSS_SELECTOR, ".st-key-context_chip button")
    assert "Kiên Giang · 2020" in chip.text
    figure = _open_last_source(browser)
    assert _in_viewport(browser, figure), "the highlighted figure needs scrolling at 1366x768"
    _shot(browser, "source-1366x768.png")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)

    # The filter case: Tỉnh = Trà Vinh, then a question about Kiên Giang.
    browser.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stMultiSelect"]').click()
    time.sleep(0.5)
    typing = browser.switch_to.active_element  # the multiselect's search box (redrawn on every keystroke)
    typing.send_keys("Trà Vinh")
    time.sleep(0.5)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    time.sleep(0.5)
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    WebDriverWait(browser, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: "Trà Vinh" in d.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"] [data-testid="stMultiSelect"]').text
    )
    time.sleep(1.0)
    blocked = _ask(browser, KG_2020, done="nằm ngoài bộ lọc")
    assert "Đang lọc: Trà Vinh" in blocked and "không tìm thấy" not in blocked.lower() and "11%" not in blocked
    button = next(b for b in _messages(browser)[-1].find_elements(By.TAG_NAME, "button") if "không theo bộ lọc" in b.text)
    before = len(_messages(browser))
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'});", button)
    time.sleep(0.5)
    button.click()
    WebDriverWait(browser, 90, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: len(_messages(d)) >= before + 2 and "7,23%" in _messages(d)[-1].text
    )

    # A tablet and a phone: the answer, then its source, the highlighted figure on screen without scrolling.
    for width, height in ((820, 1180), (390, 844)):
        _viewport(browser, width, height)
        if width < 1000:  # the sidebar folds away on a tablet or phone, leaving the answer the width
            WebDriverWait(browser, 10).until(
                lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
            )
        browser.execute_script("arguments[0].scrollIntoView({block: 'end'});", _messages(browser)[-1])
        time.sleep(0.5)
        _shot(browser, f"answer-{width}x{height}.png")
        figure = _open_last_source(browser)
        assert _in_viewport(browser, figure), f"the highlighted figure needs scrolling at {width}x{height}"
        _shot(browser, f"source-{width}x{height}.png")
        browser.find_element(By.TAG_NAME, "body").send_keys(Keys.ESCAPE)
        time.sleep(0.5)
    # A tablet opening the app: the sidebar starts folded.
    browser.get(served_app)
    WebDriverWait(browser, 60).until(
        lambda d: d.find_element(By.CSS_SELECTOR, '[data-testid="stSidebar"]').get_attribute("data-collapsed") == "true"
    )
    assert browser.execute_script("return document.documentElement.lang") == "vi"
    assert not misses, "\n".join(misses)


def _assistant_text(driver: webdriver.Chrome) -> str:
    messages = driver.find_elements(By.CSS_SELECTOR, '[data-testid="stChatMessage"]')
    return messages[-1].text if len(messages) >= 2 else ""


# --- hostile text -----------------------------------------------------------------------------------
HOSTILE_APP = textwrap.dedent(
    """
    import os
    import streamlit as st
    from nghiquyet.safe_text import answer_markdown, escape_markdown, markdown_block

    base = os.environ["LEAK_URL"]
    text = (
        f"Tăng 11% <script>document.title='pwned'</script> <img src='{base}/img-tag'> "
        f"![x]({base}/md-image?d=secret) [bấm](javascript:alert(1)) [link]({base}/md-link) "
        f"{base}/bare-url www.example.org a@b.vn :red[đỏ] $x^2$ <{base}/autolink>\\n"
        f"dòng hai\\t![y]({base}/second-line)"
    )
    st.markdown(markdown_block(text, [(5, 8), (10, 80)]))
    st.markdown(answer_markdown(text + " [1]"))
    st.caption(escape_markdown(text))
    st.error(escape_markdown(text))
    with st.popover(escape_markdown(f"[1] ![x]({base}/label-image) nhãn")):
        st.markdown(markdown_block(text))
    st.button(escape_markdown(f"![x]({base}/button-image) nút"))
    st.write("ready")
    """
)


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_document_text_never_loads_or_links_anything(browser: webdriver.Chrome, tmp_path: Path) -> None:
    leak = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=leak.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{leak.server_address[1]}"
    script = tmp_path / "hostile_app.py"
    script.write_text(HOSTILE_APP, encoding="utf-8")
    port = free_port()
    log = tmp_path / "hostile.log"
    env = dict(os.environ, LEAK_URL=base, PYTHONPATH=str(REPO))
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "--server.headless=true", f"--server.port={port}",
             "--server.address=127.0.0.1", "--browser.gatherUsageStats=false", str(script)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=tmp_path,
        )
    try:
        wait_healthy(port, proc, log, timeout_s=60)
        browser.get(f"http://127.0.0.1:{port}/")
        wait = WebDriverWait(browser, 60)
        wait.until(lambda d: "ready" in d.find_element(By.TAG_NAME, "body").text)
        browser.find_element(By.CSS_SELECTOR, '[data-testid="stPopover"] button').click()
        wait.until(ec.visibility_of_element_located((By.CSS_SELECTOR, '[data-testid="stPopoverBody"]')))
        time.sleep(1.0)
        main = browser.find_element(By.CSS_SELECTOR, '[data-testid="stMain"]')
        shown = main.text
        assert "<script>document.title='pwned'</script>" in shown
        assert f"![x]({base}/md-image?d=secret)" in shown
        assert browser.title != "pwned"
        images = browser.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] img")
        assert not images, [i.get_attribute("src") for i in images]
        links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "[data-testid='stMain'] a")]
        assert not [h for h in links if h and "#" not in h], links
        assert _Recorder.hits == []
        save_screenshot(browser, tmp_path, "hostile-text.png")
    finally:
        stop(proc)
        leak.shutdown()
