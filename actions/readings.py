"""Actions around readings: start a submission, save it, show the history."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import sender_of
from actions.forms.reading_slots import draft_of
from actions.slots import READING_FORM_SLOTS, ROUTE_SLOT, cleared
from core.db.engine import run_unit_of_work
from core.db.models import EventKind
from core.outbox import holders
from core.readings.checks import Rejection
from core.readings.submission import (
    SubmissionConflict,
    SubmissionRejected,
    meter_history,
    run_save,
    save_submission,
)
from core.readings.window import window_for
from core.repository import accounts as accounts_repo
from core.repository import events as events_repo
from core.settings import get_settings
from core.texts.common import format_date, format_period, format_time, meter_title
from core.texts.readings import (
    closed_window_text,
    counted_meters,
    history_block,
    history_text,
    taken_lines,
)


class PrepareSubmission(Action):
    """Routes a submission: closed window, no account yet, or the reading form."""

    def name(self) -> Text:
        return "action_prepare_submission"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        settings, sender = get_settings(), sender_of(tracker)
        now = settings.now()

        def inspect(session: Session):
            window = window_for(session, settings.window_first_day, settings.window_last_day, now)
            if not window.is_open:
                events_repo.record_event(
                    session,
                    EventKind.reading_rejected,
                    Rejection.OUTSIDE_WINDOW,
                    sender.channel,
                    now,
                )
            linked = len(accounts_repo.linked_accounts(session, sender))
            return window, linked, accounts_repo.has_unproved_links(session, sender)

        window, linked, unproved = await run_unit_of_work(inspect)
        if not window.is_open:
            dispatcher.utter_message(text=closed_window_text(window))
            return [SlotSet(ROUTE_SLOT, "closed"), *cleared(tracker, *READING_FORM_SLOTS)]
        if linked == 0:
            dispatcher.utter_message(
                response="utter_prove_accounts_again" if unproved else "utter_add_account_first"
            )
            return [SlotSet(ROUTE_SLOT, "no_accounts"), *cleared(tracker, *READING_FORM_SLOTS)]
        return [SlotSet(ROUTE_SLOT, "ready"), *cleared(tracker, *READING_FORM_SLOTS)]


class SaveReadings(Action):
    """Runs after the reading form: stores everything in one transaction, or nothing."""

    def name(self) -> Text:
        return "action_save_readings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        number, draft = tracker.get_slot("reading_account"), draft_of(tracker)
        if tracker.get_slot("reading_save") is not True or not number or not draft.entries:
            return cleared(tracker, *READING_FORM_SLOTS)
        settings, sender = get_settings(), sender_of(tracker)
        now = settings.now()

        def save(session: Session):
            window = window_for(session, settings.window_first_day, settings.window_last_day, now)
            if not window.is_open:
                return window, None
            saved = save_submission(
                session,
                sender,
                number,
                dict(draft.entries),
                window.period,
                now,
                seen_in_force=draft.seen_in_force,
                skipped=draft.skipped,
                ceilings=settings.monthly_ceiling,
            )
            holders.notify_readings_saved(session, sender, number, window.period, now)
            return window, saved

        try:
            window, saved = await run_save(save)
        except SubmissionConflict as conflict:
            dispatcher.utter_message(
                response="utter_readings_taken_meanwhile", readings=taken_lines(conflict.taken)
            )
            return cleared(tracker, *READING_FORM_SLOTS)
        except SubmissionRejected:
            dispatcher.utter_message(response="utter_readings_not_saved_account_changed")
            return cleared(tracker, *READING_FORM_SLOTS)
        if saved is None:
            dispatcher.utter_message(
                response="utter_window_closed_nothing_saved", window=closed_window_text(window)
            )
            return cleared(tracker, *READING_FORM_SLOTS)
        dispatcher.utter_message(
            response="utter_readings_updated" if saved.corrected else "utter_readings_saved",
            date=format_date(now.date()),
            time=format_time(now),
            count=counted_meters(saved.count),
            number=number,
            period=format_period(window.period),
        )
        return cleared(tracker, *READING_FORM_SLOTS)


class ShowHistory(Action):
    """The last six periods per meter, with consumption."""

    def name(self) -> Text:
        return "action_show_history"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[Text, Any]]:
        sender = sender_of(tracker)

        def collect(session: Session) -> List[str]:
            blocks = []
            for account in accounts_repo.linked_accounts(session, sender):
                for meter in accounts_repo.active_meters(session, account.id):
                    title = meter_title(meter.kind.value, meter.serial, meter.unit, meter.location)
                    rows = meter_history(session, meter.id, display_digits=meter.display_digits)
                    blocks.append(history_block(account.number, title, meter.unit, rows))
            return blocks

        blocks = await run_unit_of_work(collect)
        if not blocks:
            dispatcher.utter_message(response="utter_no_history")
            return []
        dispatcher.utter_message(text=history_text(blocks))
        return []
