"""The website chat in real headless Chromium, through nginx with the production
route file (deploy/nginx/assistant-webchat.conf) and the real Rasa and action
servers: open the page, greet, add an account with the proof, submit readings,
see the summary, save; the conversation survives a reload."""

from __future__ import annotations

import time
import urllib.request
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator, List

import pytest
import socketio
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy.orm import Session

from channels.web import MESSAGES_PER_MINUTE, TOO_FAST
from channels.web import SESSION_FORMAT as SESSION
from core.db import engine as db_engine
from core.db.models import Base
from core.demo.seed import seed_demo
from core.repository import messenger as messenger_repo
from core.senders import SenderKey
from devtools.harness.nginx import Nginx
from devtools.harness.processes import MODEL
from devtools.harness.stack import running_stack
from tests.channels.test_through_rasa import comma, previous_values, stored
from tests.support.accounts import proof_digits_of
from tests.support.clock import TEST_NOW

# The real Rasa stack behind nginx in every test here (the browser ones are marked
# `browser` by their fixture as well).
pytestmark = pytest.mark.e2e
CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CREDENTIALS = "channels.web.WebChatChannel:\nchannels.monitoring.MonitoringChannel:\n"


class Site:
    def __init__(self, url: str, engine) -> None:
        self.url, self.engine = url, engine


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    if not MODEL.exists():
        pytest.skip("train the model first (make train)")
    workdir = tmp_path_factory.mktemp("web-chat")
    url = f"sqlite:///{workdir / 'assistant.db'}"
    engine = db_engine.make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine, future=True) as session, session.begin():
        seed_demo(session, datetime.fromisoformat(TEST_NOW))
    credentials = workdir / "credentials.yml"
    credentials.write_text(CREDENTIALS)
    env = {"DATABASE_URL": url, "ASSISTANT_NOW": TEST_NOW}
    with running_stack(workdir, env=env, credentials=credentials) as stack:
        port = int(stack.rasa_url.rsplit(":", 1)[1])
        proxy = Nginx(workdir / "nginx", [port], [port])
        proxy.start()
        try:
            yield Site(f"http://127.0.0.1:{proxy.port}", engine)
        finally:
            proxy.stop()
    engine.dispose()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are needed; scripts/ensure-system-packages")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--lang=uk-UA"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


def bot_texts(driver) -> List[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#log li.bot")]


def wait_for_answer(driver, before: int, words: str) -> str:
    """The bot's messages after the first `before` once one contains `words`."""
    WebDriverWait(driver, 90).until(lambda d: any(words in t for t in bot_texts(d)[before:]))
    return "\n".join(bot_texts(driver)[before:])


def type_in(driver, text: str, expect: str) -> str:
    before = len(bot_texts(driver))
    driver.find_element(By.ID, "message").send_keys(text)
    driver.find_element(By.ID, "send").click()
    return wait_for_answer(driver, before, expect)


def press(driver, title: str, expect: str) -> str:
    before = len(bot_texts(driver))
    WebDriverWait(driver, 30).until(lambda d: button(d, title) is not None)
    button(driver, title).click()
    return wait_for_answer(driver, before, expect)


def button(driver, title: str):
    for element in driver.find_elements(By.CSS_SELECTOR, "#buttons button"):
        if element.text == title:
            return element
    return None


def button_titles(driver) -> List[str]:
    return [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#buttons button")]


def open_chat(driver, site: Site) -> None:
    driver.get(f"{site.url}/chat/")
    WebDriverWait(driver, 30).until(lambda d: d.find_element(By.ID, "status").text == "У мережі")


def test_the_page_is_served_with_a_strict_content_security_policy(site):
    with urllib.request.urlopen(f"{site.url}/chat/", timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert "connect-src 'self'" in policy and "frame-ancestors 'self'" in policy
    assert "<script>" not in page and "https://" not in page  # no inline code, no CDN
    with urllib.request.urlopen(f"{site.url}/chat/vendor/socket.io.min.js", timeout=10) as js:
        assert js.read(40).startswith(b"/*!\n * Socket.IO v4")


def test_greet_add_an_account_with_the_proof_submit_and_save(site, browser):
    open_chat(browser, site)
    greeting = press(browser, "Почати", "Вітаю")
    assert "Передати показники" in button_titles(browser)
    assert "номер особового рахунку" in press(browser, "Передати показники", "номер")
    assert "останні 6 цифр" in type_in(browser, "0100004", "останні 6 цифр")
    assert greeting
    type_in(browser, proof_digits_of(site.engine, "0100004"), "Це ваша адреса?")
    assert button_titles(browser) == ["Так", "Ні"]
    assert "Рахунок додано: 0100004" in press(browser, "Так", "Рахунок додано")

    heat, water = previous_values(site.engine, "0100004")
    assert "Лічильник 1 з 2" in press(browser, "Передати показники", "Лічильник 1 з 2")
    type_in(browser, comma(heat + Decimal("0.75")), "Лічильник 2 з 2")
    summary = type_in(browser, comma(water + 3), "спожито")
    assert "спожито 0,75 Гкал" in summary
    assert button_titles(browser) == ["Зберегти", "Змінити"]
    session = browser.execute_script("return localStorage.getItem('teplo-chat-session')")
    sender = f"web:{session}"
    assert stored(site.engine, "web", sender) == []
    assert "збережено" in press(browser, "Зберегти", "збережено")
    assert stored(site.engine, "web", sender) == [
        (heat + Decimal("0.75"), "2026-11"),
        (water + 3, "2026-11"),
    ]

    # A reload keeps the conversation: the same sender, its account, the visible log.
    shown = len(bot_texts(browser))
    open_chat(browser, site)
    assert len(bot_texts(browser)) == shown
    assert "0100004" in type_in(browser, "мої рахунки", "0100004")
    assert browser.execute_script("return localStorage.getItem('teplo-chat-session')") == session
    violations = [
        e for e in browser.get_log("browser") if "Content Security Policy" in e["message"]
    ]
    assert violations == []
    # Never messaged first: reminders and broadcasts skip the website's senders.
    with Session(site.engine, future=True) as session:
        assert messenger_repo.subscription(session, SenderKey("web", sender)) is False


def test_a_session_id_not_of_ours_gets_a_new_one_and_messages_are_rate_limited(site):
    client = socketio.Client(reconnection=False)
    confirmed: List[str] = []
    answers: List[dict] = []
    client.on("session_confirm", confirmed.append)
    client.on("bot_uttered", answers.append)
    client.connect(site.url, socketio_path="/socket.io", transports=["websocket"])
    try:
        client.emit("session_request", {"session_id": "telegram:5551001"})
        wait(lambda: confirmed)
        assert SESSION.match(confirmed[0])  # another channel's id is never taken over
        for _ in range(MESSAGES_PER_MINUTE + 1):
            client.emit("user_uttered", {"message": "строки подачі"})
        wait(lambda: any(TOO_FAST == a["text"] for a in answers))
    finally:
        client.disconnect()


def wait(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "no answer in time"
        time.sleep(0.1)
