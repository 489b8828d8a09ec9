"""What the month must have left behind, checked against the database, billing's
files and pulls, the fake messengers' records and every log."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Dict, List, Set

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from devtools.harness.cluster import TRACKER_DB
from devtools.rehearsal.month import LAST_DAY, REMINDER_DAYS, Month, drop_rows

PERIOD = "2027-01"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {self.detail}"


def drops_and_pulls(month: Month) -> List[Check]:
    rows = drop_rows(month.picture.drop_dir)
    in_drops = Counter(int(row["reading_id"]) for row in rows)
    stored = {
        row[0]
        for row in month.query(
            "SELECT id FROM readings WHERE source = 'assistant' AND period = :p", p=PERIOD
        )
    }
    twice = [reading for reading, count in in_drops.items() if count > 1]
    missing, extra = stored - set(in_drops), set(in_drops) - stored
    pulled = Counter(month.pulled)
    unacknowledged = month.query("SELECT count(*) FROM billing_files WHERE acknowledged_at IS NULL")
    corrections = sum(1 for row in rows if row["replaces_reading_id"])
    return [
        Check(
            "every stored reading in exactly one drop row",
            not (twice or missing or extra) and bool(stored),
            f"{len(stored)} readings, {len(rows)} rows in {len(month.drop_seen)} files "
            f"({corrections} corrections); missing {len(missing)}, twice {len(twice)}, "
            f"unknown {len(extra)}",
        ),
        Check(
            "the pull API gave the same rows, once each",
            pulled == in_drops,
            f"{sum(pulled.values())} pulled, {sum(in_drops.values())} dropped",
        ),
        Check(
            "billing acknowledged every file",
            unacknowledged[0][0] == 0,
            f"{unacknowledged[0][0]} unacknowledged",
        ),
    ]


def confirmed_readings(month: Month) -> List[Check]:
    lost, doubled, confirmed_meters = [], [], 0
    for consumer in month.consumers:
        if not consumer.confirmed:
            continue
        values = consumer.confirmed[-1][1]
        confirmed_meters += len(values)
        rows = month.query(
            "SELECT r.value, r.in_force FROM readings r JOIN meters m ON m.id = r.meter_id "
            "JOIN accounts a ON a.id = m.account_id WHERE a.number = :n AND r.period = :p "
            "AND r.source = 'assistant' ORDER BY r.meter_id, r.id",
            n=consumer.number,
            p=PERIOD,
        )
        if sorted(v for v, in_force in rows if in_force) != sorted(values):
            lost.append(consumer.number)
        if len(rows) != len(values) * len(consumer.confirmed):
            doubled.append(consumer.number)
    submitted = sum(1 for c in month.consumers if c.confirmed)
    return [
        Check(
            "every reading the bot confirmed is stored, once",
            not lost and not doubled and submitted > 0,
            f"{submitted} accounts, {confirmed_meters} meters confirmed; "
            f"lost {len(lost)}, doubled {len(doubled)}; answers off the script "
            f"{len(month.tally.unexpected)}",
        )
    ]


def _reminders_in(inbox: List[Dict], day: int) -> int:
    head = "Сьогодні," if day == LAST_DAY else "Нагадуємо:"
    return sum(1 for m in inbox if str(m.get("text", "")).startswith(head))


def reminders(month: Month) -> List[Check]:
    checks = []
    barred = month.opted_out | month.forgotten | month.suspended
    for day in (d for d in REMINDER_DAYS if d in month.size.days):
        expected = {
            c.person.sender_id
            for c in month.consumers
            if c.linked
            and c.link_day < day
            and c.role not in ("opt-out", "forget", "newcomer")
            and not (c.submit_day < day and c.confirmed)
        }
        counts = {c.person.sender_id: _reminders_in(c.person.inbox(), day) for c in month.consumers}
        got = {sender for sender, count in counts.items() if count}
        twice = [sender for sender, count in counts.items() if count > 1]
        statuses = month.query(
            "SELECT status, count(*) FROM outbox_messages WHERE kind = 'reminder' "
            "AND key LIKE :k GROUP BY status",
            k=f"reminder:{PERIOD}:{'last-day' if day == LAST_DAY else f'last-{LAST_DAY - day}d'}:%",
        )
        checks.append(
            Check(
                f"reminders of the {day}th: each owing user once, nobody else",
                got == expected == month.reminded_before.get(day, set())
                and not twice
                and not got & barred,
                f"{len(got)} sent, {len(expected)} expected, twice {len(twice)}, to opted-out/"
                f"forgotten/suspended {len(got & barred)}; outbox {dict(statuses)}",
            )
        )
    return checks


def console_figures(month: Month, figures: Dict[str, int], period: str = PERIOD) -> Check:
    def one(sql: str) -> int:
        return int(month.query(sql, p=period)[0][0] or 0)

    submitted = (
        "FROM readings r JOIN meters m ON m.id = r.meter_id JOIN accounts a ON a.id = m.account_id "
        "WHERE r.period = :p AND r.in_force AND r.source = 'assistant' AND m.active AND a.active"
    )
    database = {
        "accounts_submitted": one(f"SELECT count(DISTINCT a.id) {submitted}"),
        "accounts_due": one(
            "SELECT count(DISTINCT a.id) FROM accounts a JOIN meters m ON m.account_id = a.id "
            "WHERE a.active AND m.active AND :p = :p"
        ),
        "meters_submitted": one(f"SELECT count(*) {submitted}"),
        "active_meters": one(
            "SELECT count(*) FROM meters m JOIN accounts a ON a.id = m.account_id "
            "WHERE a.active AND m.active AND :p = :p"
        ),
        "active_accounts": one("SELECT count(*) FROM accounts WHERE active AND :p = :p"),
    }
    return Check(
        f"the console's figures for {period} equal the database",
        figures == database,
        ", ".join(f"{name} {figures[name]}/{database[name]}" for name in database),
    )


def forget_me(month: Month) -> Check:
    url = make_url(month.picture.postgres.url).set(database=TRACKER_DB)
    engine = create_engine(url, future=True)
    try:
        with engine.connect() as connection:

            def events(sender: str) -> int:
                raw = sender.split(":", 1)[1]
                return connection.execute(
                    text("SELECT count(*) FROM events WHERE sender_id IN (:a, :b)"),
                    {"a": sender, "b": raw},
                ).scalar_one()

            left = {sender: events(sender) for sender in month.forgotten}
            kept = [events(c.person.sender_id) for c in month.consumers if c.confirmed][:3]
    finally:
        engine.dispose()
    links = month.query(
        "SELECT count(*) FROM account_links WHERE sender_id IN :s".replace(
            ":s", "(" + ",".join(f"'{s}'" for s in sorted(month.forgotten) or ["-"]) + ")"
        )
    )[0][0]
    requests = month.query("SELECT count(*) FROM forget_requests")[0][0]
    return Check(
        "forget-me: links gone at once, conversations gone after the purge",
        bool(month.forgotten) and not any(left.values()) and all(kept) and links == 0
        and requests == 0,
        f"{len(month.forgotten)} forgotten: events left {sum(left.values())}, links {links}, "
        f"requests waiting {requests}; others keep theirs ({kept} events)",
    )  # fmt: skip


def not_me(month: Month) -> Check:
    suspended = month.query(
        "SELECT count(*) FROM account_links WHERE suspended_at IS NOT NULL AND sender_id = :s",
        s=next(iter(month.suspended), "-"),
    )[0][0]
    flags = month.query("SELECT count(*) FROM account_flags WHERE reason = 'not_me'")[0][0]
    return Check(
        "«Це не я»: the newcomer's link waits for staff",
        suspended == 1 and flags == 1,
        f"suspended links {suspended}, open reports {flags}",
    )


def personal_strings(month: Month) -> Set[str]:
    """Names, addresses and account numbers of the export, the consumers' names."""
    found: Set[str] = set()
    for row in csv.DictReader(
        io.StringIO(month.export_file.read_text(encoding="utf-8-sig")), delimiter=";"
    ):
        found.update((row["account_number"], row["owner_name"], row["street"]))
    found.update(c.person.name for c in month.consumers)
    found.update(c.person.name.split(" ", 1)[1] for c in month.consumers)
    return {s for s in found if s}


def logs(month: Month) -> Check:
    strings = personal_strings(month)
    numbers = re.compile(r"(?<!\d)(" + "|".join(s for s in strings if s.isdigit()) + r")(?!\d)")
    words = [s for s in strings if not s.isdigit()]
    hits: Dict[str, Set[str]] = {}
    files = month.picture.log_files()
    scanned = 0
    for path in files:
        content = path.read_text(encoding="utf-8", errors="replace")
        scanned += len(content)
        found = set(numbers.findall(content)) | {w for w in words if w in content}
        if found:
            hits[path.name] = found
    return Check(
        "nothing personal in any log",
        not hits,
        f"{len(files)} logs, {scanned / 1e6:.1f} MB, {len(strings)} personal strings looked for"
        + "".join(f"; {name}: {sorted(found)[:5]}" for name, found in hits.items()),
    )


def after_the_month(month: Month, january: Dict[str, int]) -> List[Check]:
    checks = drops_and_pulls(month) + confirmed_readings(month) + reminders(month)
    checks.append(console_figures(month, january))
    # The console's month page agrees with what the consumers saw confirmed, too.
    saw = sum(1 for c in month.consumers if c.confirmed)
    checks.append(
        Check(
            "the console's accounts submitted equal the consumers' confirmations",
            january["accounts_submitted"] == saw,
            f"{january['accounts_submitted']} on the page, {saw} confirmed in the chats",
        )
    )
    checks += [forget_me(month), not_me(month)]
    return checks
