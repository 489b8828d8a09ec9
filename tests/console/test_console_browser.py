"""The console in a real browser: Debian's headless Chromium driven by selenium.

Signs in, reads the month, finds an account, unlinks a messenger user,
corrects a reading and labels misunderstood phrases; then an admin reads the
audit log, merges the phrases and trains (the quick stand-in for the training
command, tests/support/fake_training.py), reads the gate's verdict and promotes
the new model. Screenshots of the main pages go to results/console/ (git-ignored);
`make screenshots` runs this test with SCREENSHOTS_DIR=docs/console to refresh the
staff guide's pictures (docs/console.md, docs/staff-guide.md) on purpose.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from console.app import create_app
from core.db.models import AccountLink, Reading
from devtools.harness.processes import free_port
from tests.support.console import PASSWORDS, training_config
from tests.support.db import in_session

pytestmark = pytest.mark.browser

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
ROOT = Path(__file__).resolve().parents[2]
# A test run writes only under results/; the documentation changes only on request.
SHOTS = ROOT / os.environ.get("SCREENSHOTS_DIR", "results/console")


@pytest.fixture
def console_url(console_data, training_project) -> Iterator[str]:
    """The console on a loopback port in this process (plain HTTP: development cookies)."""
    port = free_port()
    app = create_app(training_config(training_project, production=False, secure_cookies=False))
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, ws="none"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the console did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium and chromium-driver are needed; scripts/ensure-system-packages")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",  # tests run as root in a container
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        "--lang=uk-UA",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def shot(driver: webdriver.Chrome, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    # The whole page, not just the window: resize to the document's height first.
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(700, min(height + 40, 3000)))
    driver.save_screenshot(str(SHOTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def follow(driver: webdriver.Chrome, element) -> None:
    """Clicks a link or a submit button and waits until the next page replaced this
    one and finished loading, so nothing is read off the page being left (a stale
    element) nor off one still being parsed (Chrome then drops the nodes found
    early: «Node with given id does not belong to the document»)."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    wait = WebDriverWait(driver, 20)
    wait.until(expected_conditions.staleness_of(page))
    wait.until(lambda _: driver.execute_script("return document.readyState") == "complete")


def sign_in(driver: webdriver.Chrome, url: str, username: str) -> None:
    driver.get(f"{url}/login")
    driver.find_element(By.ID, "username").send_keys(username)
    driver.find_element(By.ID, "password").send_keys(PASSWORDS[username])
    follow(driver, driver.find_element(By.CSS_SELECTOR, "form.login button"))


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_clerks_day_in_the_browser(engine, console_url, browser, training_project):
    browser.get(f"{console_url}/login")
    shot(browser, "01-vhid")
    sign_in(browser, console_url, "olena")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Місяць")
    assert browser.find_element(By.ID, "accounts-submitted").text == "2"
    assert browser.find_elements(By.CSS_SELECTOR, "svg.chart rect")
    shot(browser, "02-misiats")

    follow(browser, browser.find_element(By.LINK_TEXT, "Рахунок"))
    browser.find_element(By.ID, "q").send_keys("Соборності")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.inline button"))
    assert browser.find_elements(By.CSS_SELECTOR, "#results a")
    shot(browser, "03-poshuk")
    search = browser.find_element(By.ID, "q")
    search.clear()
    search.send_keys("0100004")
    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.inline button"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Рахунок 0100004")
    shot(browser, "04-rakhunok")

    follow(browser, browser.find_element(By.CSS_SELECTOR, "#links button.danger"))
    assert "відв’язано" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert "ніхто не додав" in browser.find_element(By.ID, "links").text
    assert (
        in_session(lambda s: s.execute(select(AccountLink)).scalars().all())[0].channel == "viber"
    )

    form = browser.find_element(By.CSS_SELECTOR, "form.correct")
    form.find_element(By.NAME, "value").send_keys("2000,5")
    form.find_element(By.NAME, "reason").send_keys("абонент переплутав лічильники")
    follow(browser, form.find_element(By.TAG_NAME, "button"))
    assert "виправлено" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert browser.find_elements(By.CSS_SELECTOR, "tr.superseded")
    shot(browser, "05-vypravlennia")
    corrected = in_session(
        lambda s: s.execute(select(Reading).where(Reading.channel == "console")).scalar_one()
    )
    assert str(corrected.value) == "2000.5" and corrected.sender_id == "staff:olena"

    # Навчання: two wordings labelled in one submit (one with another intent chosen).
    follow(browser, browser.find_element(By.LINK_TEXT, "Навчання"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#inbox-rows tr:has(input[type=checkbox])")
    by_phrase = {row.find_element(By.CSS_SELECTOR, "td.phrase").text: row for row in rows}
    money = next(row for phrase, row in by_phrase.items() if phrase.startswith("а шо там"))
    meter = next(row for phrase, row in by_phrase.items() if phrase.startswith("лічильник"))
    assert "0123456" in meter.text and "0473385" not in browser.page_source
    money.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    meter.find_element(By.CSS_SELECTOR, "input[type=checkbox]").click()
    meter.find_element(By.CSS_SELECTOR, "select option[value=submit_reading]").click()
    shot(browser, "09-navchannia")
    follow(browser, browser.find_element(By.ID, "save-labels"))
    assert "Розмічено фраз: 2" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert browser.find_element(By.ID, "pending-count").text == "2"
    assert not browser.find_elements(By.ID, "train")  # a clerk labels; an admin trains

    follow(browser, browser.find_element(By.CSS_SELECTOR, "form.who button"))
    sign_in(browser, console_url, "admin")
    # An admin's eleven links wrap whole onto a second row, never break inside a name.
    broken = browser.execute_script(
        "return [...document.querySelectorAll('nav a')].filter(a => {"
        " const r = document.createRange(); r.selectNodeContents(a);"
        " return new Set([...r.getClientRects()].map(c => Math.round(c.top))).size > 1;"
        "}).map(a => a.textContent.trim());"
    )
    assert broken == []
    follow(browser, browser.find_element(By.LINK_TEXT, "Журнал змін"))
    journal = [
        row.get_attribute("data-action")
        for row in browser.find_elements(By.CSS_SELECTOR, "#audit tr[data-action]")
    ]
    # Newest first; both sign-ins are in the journal beside the changes, and so
    # are the clerk's reads of the account (its page and the search).
    actions = [action for action in journal if not action.startswith("read_")]
    assert actions == ["sign_in", "label_phrases", "correct_reading", "unlink", "sign_in"]
    assert {"read_search", "read_account"} <= set(journal)
    shot(browser, "06-zhurnal")
    follow(browser, browser.find_element(By.LINK_TEXT, "Налаштування"))
    shot(browser, "07-nalashtuvannia")
    follow(browser, browser.find_element(By.LINK_TEXT, "Білінг"))
    shot(browser, "08-bilinh")
    follow(browser, browser.find_element(By.LINK_TEXT, "Розсилка"))
    browser.find_element(By.NAME, "text").send_keys("Завтра з 9:00 до 13:00 немає гарячої води.")
    browser.find_element(By.NAME, "streets").send_keys("Соборності")
    follow(browser, browser.find_element(By.ID, "preview"))
    # A preview only: the count to confirm is on the button, nothing is queued yet.
    recipients = browser.find_element(By.ID, "recipients").text
    assert int(recipients) > 0
    assert browser.find_element(By.ID, "send").text == f"Надіслати {recipients} одержувачам"
    assert "немає гарячої води" in browser.find_element(By.ID, "broadcast-text").text
    shot(browser, "13-rozsylka")

    follow(browser, browser.find_element(By.LINK_TEXT, "Навчання"))
    follow(browser, browser.find_element(By.ID, "train"))
    assert "Навчання йде" in browser.find_element(By.ID, "run-progress").text
    nlu = "".join(p.read_text(encoding="utf-8") for p in (training_project / "data/nlu").glob("*"))
    assert "- а шо там по грошах\n" in nlu and "- лічильник 0123456 показує 1234,5" in nlu
    # The page reloads itself while the training runs, then shows the gate's verdict.
    WebDriverWait(browser, 30).until(lambda driver: driver.find_elements(By.ID, "verdict"))
    assert browser.find_element(By.ID, "verdict").get_attribute("data-passed") == "yes"
    assert browser.find_elements(By.CSS_SELECTOR, "#verdict-intents tr[data-intent]")
    shot(browser, "10-navchannia-vysnovok")
    follow(browser, browser.find_element(By.ID, "promote"))
    assert "Нову модель поставлено" in browser.find_element(By.CSS_SELECTOR, ".message").text
    current = (training_project / "models" / "current.tar.gz").read_bytes()
    assert current == b"candidate model of the console tests"


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_a_clerk_answers_and_closes_a_case_in_the_browser(engine, console_url, browser, now):
    """The consumer's side of the same case runs through the real Rasa stack in
    tests/channels/test_handoff_through_rasa.py; here the clerk's clicks."""
    from core.db.models import OutboxMessage
    from core.handoff import cases
    from core.senders import SenderKey
    from tests.console.test_console_cases import open_case

    case_id = open_case(now)
    sign_in(browser, console_url, "olena")
    assert "1/0" in browser.find_element(By.ID, "nav-cases").text
    follow(browser, browser.find_element(By.ID, "nav-cases"))
    follow(browser, browser.find_element(By.LINK_TEXT, f"№{case_id}"))
    assert "Нарахували вдвічі більше" in browser.find_element(By.ID, "transcript").text
    shot(browser, "11-zvernennia")
    browser.find_element(By.NAME, "text").send_keys("Перевіримо нарахування й напишемо.")
    follow(browser, browser.find_element(By.ID, "send-reply"))
    assert "Відповідь надіслано" in browser.find_element(By.CSS_SELECTOR, ".message").text
    assert "працює olena" in browser.find_element(By.ID, "working").text
    browser.find_element(By.NAME, "reason").send_keys("пояснили тариф")
    follow(browser, browser.find_element(By.ID, "close-case"))
    assert "Звернення закрито" in browser.find_element(By.CSS_SELECTOR, ".message").text
    sent = in_session(
        lambda s: [
            m.text for m in s.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()
        ]
    )
    assert sent[0].endswith("Перевіримо нарахування й напишемо.") and "закрив" in sent[1]
    sender = SenderKey("telegram", "telegram:777001")
    assert in_session(lambda s: cases.open_case_of(s, sender)) is None


@pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
def test_an_admin_reads_a_conversation_in_the_browser(engine, tracker, console_url, browser):
    """«Розмови»: the list with its marks, one conversation, marked reviewed."""
    sign_in(browser, console_url, "admin")
    follow(browser, browser.find_element(By.ID, "nav-conversations"))
    listing = browser.find_element(By.ID, "conversations").text
    assert "бот не зрозумів" in listing and "передано працівнику" in listing
    shot(browser, "12-rozmovy")
    browser.find_element(By.NAME, "misunderstood").click()
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#filters button"))
    follow(browser, browser.find_element(By.CSS_SELECTOR, "#conversations td a"))
    assert "ываыва" in browser.find_element(By.ID, "transcript").text
    follow(browser, browser.find_element(By.ID, "mark-reviewed"))
    assert "переглянуто: admin" in browser.find_element(By.ID, "reviewed").text
