"""The month itself: who writes when, what the operator and billing do, the faults.

Day 0 billing's export is imported; some consumers link their account early in
the month (returning users), a few then turn reminders off, ask to be
forgotten, or see a newcomer link their account and press «Це не я». The
reminders go out on their days (plan-reminders at 09:50, the outbox sender at
10:00); most readings arrive in the last days of the window, some are
corrected later the same day. Billing takes the hourly drops (and acknowledges
each file) and pulls the same rows through the API. PostgreSQL is restarted
and a replica killed with SIGKILL while consumers are submitting; the nightly
purge runs after the window; next month's export is imported.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
import threading
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from decimal import Decimal
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Callable, Dict, List, Optional, Set, Tuple

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from core.settings import KYIV
from devtools.rehearsal.consumers import Person, Tally
from devtools.rehearsal.picture import Picture

PERIOD_START = date(2027, 1, 1)
LAST_DAY = 28  # READINGS_WINDOW_LAST_DAY's default: reminders on the 25th and the 28th
REMINDER_DAYS = (25, 28)
FIRST_NUMBER = 3700001  # seven digits no port, pid or timestamp of the run looks like
FIRST_NAMES = ("Ганна", "Остап", "Мирослава", "Тарас", "Соломія", "Богдан", "Ярина", "Зиновій")
BILLING_CLIENT = "rehearsal-billing"
CONSOLE_USER, CONSOLE_PASSWORD = "rehearsal", "rehearsal-console-pass-42"


@dataclass(frozen=True)
class Size:
    consumers: int
    workers: int  # consumers writing at the same time
    days: Tuple[int, ...]  # the days of January the rehearsal lives through
    fault_days: Tuple[int, int]  # PostgreSQL restart, replica kill -9
    drop_hours: Tuple[int, ...] = (19,)  # the drops billing takes each day (at :05)
    # The killed replica started again at once, as systemd would (it loads its model
    # for a minute on a busy machine; the small size only shows the failover).
    restart_killed: bool = True


SMALL = Size(30, 6, (3, 12, 25, 28), (12, 28), restart_killed=False)
LARGE = Size(2000, 24, tuple(range(1, LAST_DAY + 1)), (15, 26), (12, 14, 19))


def at(day: int, hour: int, minute: int = 0, second: float = 0, month: int = 1) -> datetime:
    moment = datetime.combine(date(2027, month, day), clock_time(hour, minute), tzinfo=KYIV)
    return moment + timedelta(seconds=second)


@dataclass
class Consumer:
    person: Person
    number: str
    link_day: int
    submit_day: int
    role: str = "submitter"  # or opt-out, forget, holder, newcomer
    corrects: bool = False
    linked: bool = False
    confirmed: List[Tuple[str, List[Decimal]]] = field(
        default_factory=list
    )  # (saved|updated, values)


class Month:
    def __init__(self, picture: Picture, engine: Engine, size: Size, seed: int = 2027) -> None:
        self.picture, self.engine, self.size = picture, engine, size
        self.rng = random.Random(seed)
        self.tally = Tally()
        self.consumers: List[Consumer] = []
        self.events: List[str] = []
        self.drop_seen: Set[str] = set()
        self.pulled: List[int] = []
        self.cursor = ""
        self.billing_key = ""
        self.export_file = picture.workdir / "billing-2027-01.csv"
        self.timer_runs: Dict[str, int] = {}
        self.reminded_before: Dict[int, Set[str]] = {}  # slot day -> who owed when planned
        self.forgotten: Set[str] = set()
        self.opted_out: Set[str] = set()
        self.suspended: Set[str] = set()
        self.started = time.monotonic()

    # -- the log of what happened -------------------------------------------------------

    def note(self, line: str) -> None:
        stamp = f"{time.monotonic() - self.started:6.1f}s"
        self.events.append(f"[{stamp}] {self.picture.clock():%d.%m %H:%M} {line}")
        print(self.events[-1], flush=True)

    # -- the clock and the timers -----------------------------------------------------

    def timer_count(self, name: str) -> int:
        log = self.picture.logs / "scheduler.log"
        found = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        return len(re.findall(rf"timer {re.escape(name)}: exit 0", found))

    def run_timer_at(self, moment: datetime, name: str, timeout: float = 180) -> None:
        """Moves the clock to `moment` and waits for the scheduler to run `name` (with
        whatever else fell due since its last look: the hours jumped over run once)."""
        before = self.timer_count(name)
        self.picture.clock.set(moment + timedelta(seconds=0.5))
        deadline = time.monotonic() + timeout
        while self.timer_count(name) <= before:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the scheduler did not run {name} at {moment}")
            time.sleep(0.2)

    # -- day 0 ------------------------------------------------------------------------------

    def day_zero(self) -> None:
        """Billing's export imported; the billing client's key; a console user."""
        self.picture.clock.set(at(1, 7, 30))
        accounts = max(40, self.size.consumers * 5 // 4)
        self.picture.teplo(
            "billing", "generate", str(self.export_file), "--accounts", str(accounts),
            "--meters", str(accounts * 3 // 2), "--first-number", str(FIRST_NUMBER),
            "--encoding", "utf-8-sig", "--reading-date", "31.12.2026",
        )  # fmt: skip
        done = self.picture.teplo("billing", "import", str(self.export_file))
        self.note(f"day 0: billing import, {done.stdout.strip().splitlines()[-1][:100]}")
        self.billing_key = self.picture.teplo("billing", "keys", "create", BILLING_CLIENT).stdout
        self.billing_key = self.billing_key.strip().splitlines()[0]
        self.picture.teplo(
            "console-user", "add", CONSOLE_USER, "--role", "admin", "--password-stdin",
            stdin=CONSOLE_PASSWORD + "\n",
        )  # fmt: skip
        self.cast()

    def accounts_with_meters(self) -> List[str]:
        rows = self.query(
            "SELECT a.number FROM accounts a WHERE a.active AND EXISTS "
            "(SELECT 1 FROM meters m WHERE m.account_id = a.id AND m.active) ORDER BY a.number"
        )
        return [row[0] for row in rows]

    def cast(self) -> None:
        """Who the consumers are and when they write: most in the last days of the window."""
        numbers = self.accounts_with_meters()
        self.rng.shuffle(numbers)
        days = [d for d in self.size.days if d > min(self.size.days)] or list(self.size.days)
        late = [d for d in days if d >= REMINDER_DAYS[0]]
        early = [d for d in days if d < REMINDER_DAYS[0]] or days
        for index in range(self.size.consumers):
            channel = "telegram" if index % 5 < 3 else "viber"
            api = self.picture.telegram if channel == "telegram" else self.picture.viber
            name = f"{self.rng.choice(FIRST_NAMES)} Рухляда{index:04d}"
            person = Person(channel, index + 1, self.picture.url, api, self.tally, name)
            # The curve: a quarter before the reminders, the rest in the last days.
            submit = self.rng.choice(early) if self.rng.random() < 0.25 else self.rng.choice(late)
            returning = self.rng.random() < 0.4  # linked early in the month, before the reminders
            link = min(self.size.days) if returning else submit
            consumer = Consumer(person, numbers[index], link, submit)
            consumer.corrects = self.rng.random() < 0.1
            self.consumers.append(consumer)
        # The few whose part is not (only) submitting, linked on the first day: a
        # holder in Telegram (index 0) whose account a newcomer in Viber (index 3)
        # links; two turn reminders off, two ask to be forgotten.
        first = min(self.size.days)
        for index, role in (
            (0, "holder"),
            (1, "opt-out"),
            (2, "opt-out"),
            (4, "forget"),
            (5, "forget"),
        ):
            self.consumers[index].role, self.consumers[index].link_day = role, first
        self.consumers[0].submit_day = REMINDER_DAYS[0]
        newcomer = self.consumers[3]
        newcomer.role, newcomer.number = "newcomer", self.consumers[0].number
        newcomer.link_day = newcomer.submit_day = self.size.fault_days[0]

    # -- one day ----------------------------------------------------------------------------

    def day(self, day: int) -> None:
        self.run_timer_at(at(day, 9, 50), "plan-reminders")
        if day in REMINDER_DAYS:
            self.reminded_before[day] = self.owing_users(day)
            self.picture.clock.set(at(day, 10, 0))
            self.wait_outbox_empty()
            self.note(f"reminders sent: {len(self.reminded_before[day])} users owed readings")
        else:
            self.picture.clock.set(at(day, 10, 0))
        fault = None
        if day == self.size.fault_days[0]:
            fault = self.restart_postgres
        elif day == self.size.fault_days[1]:
            fault = self.kill_replica
        self.wave(day, fault)
        # The afternoon in the order of the clock: billing's drops, the corrections at 15:30.
        afternoon = [(at(day, hour, 5), "drop") for hour in self.size.drop_hours]
        for moment, what in sorted(afternoon + [(at(day, 15, 30), "corrections")]):
            if what == "drop":
                self.billing_takes(moment)
            else:
                self.picture.clock.set(moment)
                self.corrections(day)

    def corrections(self, day: int) -> None:
        """Some of the day's submitters notice a mistake and submit again."""
        again = [c for c in self.consumers if c.submit_day == day and c.corrects and c.confirmed]
        if again:
            self.run_all(again, self.correct)
            self.note(f"corrections: {len(again)}")

    def wave(self, day: int, fault: Optional[Callable[[], None]]) -> None:
        today = [c for c in self.consumers if c.link_day == day or c.submit_day == day]
        self.rng.shuffle(today)
        turns = self.tally.turns
        struck = threading.Event()

        def strike() -> None:
            target = turns + max(6, len(today) * 4 // 3)
            while self.tally.turns < target and not stop.is_set():
                time.sleep(0.1)
            if not stop.is_set() and fault is not None:
                fault()
            struck.set()

        stop = threading.Event()
        striker = threading.Thread(target=strike, daemon=True)
        striker.start()
        self.run_all(today, lambda c: self.live(c, day))
        stop.set()
        striker.join(300)
        saved = sum(1 for c in today if c.submit_day == day and c.confirmed)
        self.note(
            f"day {day}: {len(today)} consumers wrote, {saved} readings confirmed "
            f"(turns so far {self.tally.turns}, re-delivered {self.tally.redelivered}, "
            f"typed again {self.tally.retried})"
        )

    def run_all(self, consumers: List[Consumer], work: Callable[[Consumer], None]) -> None:
        with ThreadPoolExecutor(self.size.workers) as pool:
            for future in [pool.submit(work, c) for c in consumers]:
                future.result()

    def live(self, consumer: Consumer, day: int) -> None:
        person = consumer.person
        if consumer.link_day == day:
            consumer.linked = person.link(consumer.number, self.proof_digits(consumer.number))
            if consumer.role == "newcomer":
                self.not_me(consumer)
                return
            if consumer.role == "opt-out":
                person.step("не надсилайте нагадування", "більше не надсилатиму")
                self.opted_out.add(person.sender_id)
            if consumer.role == "forget":
                person.step("забудьте мене", "Видалити ваші дані?")
                person.step("так", "Ваші дані видалено")
                self.forgotten.add(person.sender_id)
                consumer.linked = False  # a stranger to the bot now: no submission later
                return
        if consumer.submit_day == day and consumer.linked:
            values, decimals = self.next_values(consumer.number, 1)
            self.submitted(consumer, person.submit(values, decimals), values)

    def correct(self, consumer: Consumer) -> None:
        values, decimals = self.next_values(consumer.number, 2)
        self.submitted(consumer, consumer.person.submit(values, decimals), values)

    def submitted(self, consumer: Consumer, answer: str, values: List[Decimal]) -> None:
        if "збережено" in answer and "ічого не збережено" not in answer:
            consumer.confirmed.append(("saved", values))
        elif "оновлено" in answer:
            consumer.confirmed.append(("updated", values))

    def not_me(self, newcomer: Consumer) -> None:
        """The holder gets the notice about the newcomer (through the outbox) and
        presses «Це не я»: the newcomer's link waits for staff."""
        holder = next(c for c in self.consumers if c.role == "holder")
        deadline = time.monotonic() + 120
        while True:
            notices = [
                m for m in holder.person.inbox() if "Це не я" in json.dumps(m, ensure_ascii=False)
            ]
            if notices:
                break
            if time.monotonic() > deadline:
                raise AssertionError("the holder never got the newcomer notice")
            time.sleep(0.5)
        markup = notices[-1].get("reply_markup") or {}
        if isinstance(markup, str):
            markup = json.loads(markup)
        buttons = [b for row in markup.get("inline_keyboard", []) for b in row]
        buttons += markup.get("Buttons", [])
        button = next(b for b in buttons if "Це не я" in (b.get("text") or b.get("Text") or ""))
        payload = button.get("callback_data") or button.get("ActionBody")
        holder.person.new_messages()
        answer = holder.person.send(payload, callback=holder.person.channel == "telegram")
        assert "призупинено" in answer, answer
        self.suspended.add(newcomer.person.sender_id)
        self.note("«Це не я»: the holder suspended the newcomer's link")

    # -- what the consumers read off their meters ------------------------------------------

    def proof_digits(self, number: str) -> str:
        serial = self.query(
            "SELECT m.serial FROM meters m JOIN accounts a ON a.id = m.account_id "
            "WHERE a.number = :n AND m.active ORDER BY m.id LIMIT 1",
            n=number,
        )[0][0]
        return re.sub(r"\D", "", serial)[-6:]

    def next_values(self, number: str, plus: int) -> Tuple[List[Decimal], List[int]]:
        """Last month's reading of each meter plus `plus` units (1: a month's use)."""
        rows = self.query(
            "SELECT m.decimals, (SELECT r.value FROM readings r WHERE r.meter_id = m.id "
            "AND r.period < '2027-01' AND r.in_force ORDER BY r.period DESC, r.id DESC LIMIT 1) "
            "FROM meters m JOIN accounts a ON a.id = m.account_id "
            "WHERE a.number = :n AND m.active ORDER BY m.id",
            n=number,
        )
        return [Decimal(value) + plus for _, value in rows], [places for places, _ in rows]

    def query(self, sql: str, **params) -> List[tuple]:
        """The driver's own look into the database; it waits out a PostgreSQL restart
        (a consumer reading their meter does not care that the server is down)."""
        for attempt in range(120):
            try:
                with self.engine.connect() as connection:
                    return [tuple(row) for row in connection.execute(text(sql), params)]
            except OperationalError:
                if attempt == 119:
                    raise
                time.sleep(0.5)
        raise AssertionError("unreachable")

    # -- the outbox, billing, faults --------------------------------------------------------

    def owing_users(self, day: int) -> Set[str]:
        """Whom the day's reminders were planned for (the outbox rows of its slot)."""
        slot = "last-day" if day == LAST_DAY else f"last-{LAST_DAY - day}d"
        rows = self.query(
            "SELECT sender_id FROM outbox_messages WHERE kind = 'reminder' AND key LIKE :k",
            k=f"reminder:2027-01:{slot}:%",
        )
        return {row[0] for row in rows}

    def wait_outbox_empty(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while self.query(
            "SELECT count(*) FROM outbox_messages WHERE status = 'pending' AND next_attempt_at <= :now",
            now=self.picture.clock(),
        )[0][0]:
            if time.monotonic() > deadline:
                raise TimeoutError("the outbox sender did not send everything due")
            time.sleep(0.3)

    def billing_takes(self, moment: datetime) -> None:
        """The hourly drop at `moment`; billing acknowledges the new files and pulls."""
        self.run_timer_at(moment, "billing-drop")
        new = []
        for path in sorted(self.picture.drop_dir.glob("readings-*.csv")):
            if path.name not in self.drop_seen:
                self.drop_seen.add(path.name)
                path.with_name(path.name + ".ack").write_text("ok\n")
                new.append(path.name)
        pulled = self.pull()
        if new or pulled:
            self.note(f"billing: drop files {new or '-'} acknowledged, {pulled} rows pulled")

    def pull(self) -> int:
        pulled = 0
        while True:
            query = urllib.parse.urlencode({"limit": 500, "cursor": self.cursor})
            request = urllib.request.Request(
                f"{self.picture.billing_url}/v1/readings?{query}",
                headers={"Authorization": f"Bearer {self.billing_key}"},
            )
            with urllib.request.urlopen(request, timeout=60) as response:
                page = json.loads(response.read())
            self.pulled += [row["reading_id"] for row in page["readings"]]
            pulled += len(page["readings"])
            self.cursor = page["next_cursor"] or self.cursor
            if not page["has_more"]:
                return pulled

    def restart_postgres(self) -> None:
        self.note("fault: PostgreSQL restarted (3 s down)")
        self.picture.postgres.restart(down_seconds=3)

    def kill_replica(self) -> None:
        cluster = self.picture.cluster
        assert cluster is not None
        cluster.replicas[1].kill9()
        if self.size.restart_killed:
            cluster.replicas[1].start()
        self.note(
            "fault: kill -9 of replica 2"
            + ("; started again, as systemd would" if self.size.restart_killed else "")
        )

    # -- after the window -------------------------------------------------------------------

    def after_window(self) -> None:
        self.run_timer_at(at(29, 3, 30), "privacy-purge")
        self.note("nightly privacy purge ran")
        self.next_import()

    def next_import(self) -> None:
        """February's export: January's delivered values as the last readings."""
        delivered = {}
        for path in sorted(self.picture.drop_dir.glob("readings-*.csv")):
            for row in csv.DictReader(
                io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"
            ):
                delivered[row["meter_serial"]] = row["reading"]
        source = self.export_file.read_text(encoding="utf-8-sig")
        reader = csv.reader(io.StringIO(source), delimiter=";")
        header = next(reader)
        serial, value, day = (
            header.index(c) for c in ("meter_serial", "last_reading", "last_reading_date")
        )
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(header)
        for row in reader:
            if row[serial] in delivered:
                row[value], row[day] = delivered[row[serial]], "31.01.2027"
            writer.writerow(row)
        february = self.picture.workdir / "billing-2027-02.csv"
        february.write_text(out.getvalue(), encoding="utf-8-sig")
        self.picture.clock.set(at(1, 7, 30, month=2))
        done = self.picture.teplo("billing", "import", str(february), "--full")
        self.note(f"next month's import: {done.stdout.strip().splitlines()[-1][:100]}")

    # -- the console ------------------------------------------------------------------------

    def console_month(self, period: str) -> Dict[str, int]:
        """The month page's figures, read as a clerk sees them, counted after every
        change made so far (the page keeps a count for a minute)."""
        changed = self.picture.clock().replace(second=0, microsecond=0)
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        base = self.picture.console_url
        page = opener.open(f"{base}/login", timeout=30).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = {"csrf_token": token, "username": CONSOLE_USER, "password": CONSOLE_PASSWORD}
        opener.open(f"{base}/login", urllib.parse.urlencode(form).encode(), timeout=30).read()
        for _ in range(120):
            html = opener.open(f"{base}/month?period={period}", timeout=60).read().decode()
            as_of = re.search(r"станом на (\d\d\.\d\d\.\d{4} \d\d:\d\d)", html)
            if (
                as_of
                and datetime.strptime(as_of.group(1), "%d.%m.%Y %H:%M").replace(tzinfo=KYIV)
                >= changed
            ):
                break
            time.sleep(1)  # being counted, or a copy counted before the last change
        else:
            raise AssertionError(f"the console never counted {period} after {changed}")
        tiles = re.findall(r"<b[^>]*>(\d+)</b>", html[html.index('<b id="accounts-submitted"') :])
        return {
            "accounts_submitted": int(tiles[0]),
            "accounts_due": int(tiles[1]),
            "meters_submitted": int(tiles[2]),
            "active_meters": int(tiles[3]),
            "active_accounts": int(tiles[4]),
        }

    def wait_replicas(self) -> None:
        """The killed replica answers again (if it was started again)."""
        cluster = self.picture.cluster
        assert cluster is not None
        if self.size.restart_killed:
            cluster.wait_for_replica(cluster.replicas[1], cluster.rasa_ports[1])
            self.note("replica 2 answers again")

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def drop_rows(folder: Path) -> List[Dict[str, str]]:
    rows = []
    for path in sorted(folder.glob("readings-*.csv")):
        rows += list(
            csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";")
        )
    return rows
