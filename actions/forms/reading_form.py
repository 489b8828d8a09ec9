"""Submitting readings: which account, then meter by meter, then the summary.

Several readings may come in one message (at a prompt or in the first
message), a meter may be skipped, and «Змінити» at the summary re-asks only
the meter the user picks. The rules are the draft's (`core.readings.draft`);
this form maps its outcomes to responses (`actions.forms.reading_prompts`) and
keeps the draft in slots (`actions.forms.reading_slots`).
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.orm import Session

from actions.conversation import latest_intent
from actions.forms.base import AssistantFormValidation, SlotValues
from actions.forms.reading_prompts import METER_REF, say_entered, say_several
from actions.forms.reading_slots import changed_slots, draft_of, draft_slots
from actions.slots import INTERRUPTION_INTENTS
from core.accounts.lookup import linked_account_views
from core.accounts.numbers import AccountNumberError, normalise_account_number
from core.contacts import operator_contacts_line
from core.db.models import EventKind
from core.readings.checks import Rejection
from core.readings.draft import SubmissionDraft
from core.readings.parsing import ReadingFormatError, parse_reading_off_loop
from core.readings.several import Several
from core.readings.submission import meters_for_submission
from core.readings.window import window_for
from core.repository import accounts as accounts_repo
from core.repository import events as events_repo
from core.texts.common import format_period
from core.texts.readings import counted_meters, facts_title

# "пропустити" and "лічильник зламаний" at a meter's prompt skip that meter.
SKIP_INTENTS = ("skip_meter", "meter_problem")
# «Зберегти» when asked which meter to change: nothing to change, back to the summary.
BACK_TO_SUMMARY = "summary"


class ValidateReadingForm(AssistantFormValidation):
    def name(self) -> Text:
        return "validate_reading_form"

    async def _with_serials(self, draft: SubmissionDraft) -> SubmissionDraft:
        """The draft with the meters' full serials from the database, for naming a
        meter by its number in a message (the slot keeps them masked)."""
        ids = [m.meter_id for m in draft.meters]
        serials = await self.db(lambda s: accounts_repo.serials_of(s, ids)) if ids else {}
        return draft.with_serials(serials)

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        slots = ["reading_account"]
        meters, draft = tracker.get_slot("reading_meters"), draft_of(tracker)
        if tracker.get_slot("reading_account") and meters == []:
            return slots  # an account without meters: nothing to ask
        if draft.pending is not None:
            slots.append("reading_high_confirmed")
        if meters is None or draft.current is not None:
            slots.append("reading_value")
        elif draft.nothing_to_save:
            return slots  # every meter skipped: nothing to save
        if tracker.get_slot("reading_save") is False:
            slots.append("reading_change")  # «Змінити»: which meter
        slots.append("reading_save")
        return slots

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """As the base's; a first message that carried readings but needs an account
        chosen first is kept until the account is chosen («хочу передати: тепло 13,1»)."""
        starting = self.requested(tracker) is None and not tracker.get_slot("reading_account")
        text = tracker.latest_message.get("text") or ""
        events = await super().run(dispatcher, tracker, domain)
        chosen = any(e.get("name") == "reading_account" and e.get("value") for e in events)
        if starting and not chosen and any(char.isdigit() for char in text):
            events.insert(0, SlotSet("reading_carry", text))
        return events

    async def extract_reading_account(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        return await self.extract_account_choice(tracker, "reading_account")

    async def validate_reading_account(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        try:
            number = normalise_account_number(str(value))
        except AccountNumberError:
            number = ""
        sender, settings, now = self.sender(tracker), self.settings, self.now()

        def load(session: Session) -> Optional[tuple]:
            chosen = next(
                (a for a in linked_account_views(session, sender) if a.number == number), None
            )
            if chosen is None:
                return None
            window = window_for(session, settings.window_first_day, settings.window_last_day, now)
            return (
                chosen,
                window.period,
                meters_for_submission(session, chosen.account_id, window.period),
            )

        loaded = await self.db(load)
        if loaded is None:
            dispatcher.utter_message(response="utter_choose_reading_account_by_button")
            return {"reading_account": None}
        chosen, period, meters = loaded
        if not meters:
            dispatcher.utter_message(
                response="utter_no_active_meters",
                number=number,
                contacts=await operator_contacts_line(),
            )
            return {"reading_account": number, "reading_meters": [], "reading_carry": None}
        draft = SubmissionDraft(meters=tuple(meters))
        dispatcher.utter_message(
            response="utter_reading_account_chosen_again"
            if draft.submitted_before
            else "utter_reading_account_chosen",
            number=number,
            address=chosen.masked_address,
            count=counted_meters(len(meters)),
            period=format_period(period),
        )
        slots: SlotValues = {
            "reading_account": number,
            "reading_meters": [m.to_slot() for m in meters],
            **draft_slots(draft),
            "reading_carry": None,
        }
        # Readings in the message that started it all («хочу передати: тепло 13,1 …»).
        first = tracker.get_slot("reading_carry") or (
            tracker.latest_message.get("text") if self.requested(tracker) is None else None
        )
        several = draft.readings_in_request(first, number) if first else None
        if several is not None:
            slots.update(await self._take_several(draft, several, dispatcher, tracker))
        return slots

    async def _count_refusals(self, tracker: Tracker, refused: Sequence[Rejection]) -> None:
        """The staff statistics of refused readings (no value, no person)."""
        if not refused:
            return
        channel, now = self.sender(tracker).channel, self.now()

        def record(session: Session) -> None:
            for reason in refused:
                events_repo.record_event(session, EventKind.reading_rejected, reason, channel, now)

        await self.db(record)

    async def validate_reading_value(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        draft = draft_of(tracker)
        if draft.current is None:
            return {"reading_value": None, "reading_pending": None}
        if latest_intent(tracker) in SKIP_INTENTS:
            return {"reading_value": None, **await self._skip(draft, dispatcher)}
        text, draft = str(value), await self._with_serials(draft)
        several = draft.readings_in_answer(text)
        if several is not None:
            return {
                "reading_value": None,
                **await self._take_several(draft, several, dispatcher, tracker),
            }
        try:
            reading, decimals = await parse_reading_off_loop(text)
        except ReadingFormatError as error:
            await self._count_refusals(tracker, [Rejection.NOT_A_NUMBER])
            dispatcher.utter_message(text=str(error))
            return {"reading_value": None, **changed_slots(draft, draft.unanswered())}
        entered = draft.enter(reading, decimals, self.settings.monthly_ceiling)
        await self._count_refusals(tracker, entered.refused)
        await say_entered(dispatcher, entered)
        return {"reading_value": None, **changed_slots(draft, entered.draft)}

    @staticmethod
    async def _skip(draft: SubmissionDraft, dispatcher: CollectingDispatcher) -> SlotValues:
        """The meter is left out of this submission, with the meter-problem advice."""
        skipped = draft.skip()
        dispatcher.utter_message(response="utter_meter_skipped", meter=facts_title(skipped.meter))
        dispatcher.utter_message(
            response="utter_meter_problem", contacts=await operator_contacts_line()
        )
        if skipped.nothing_to_save:
            dispatcher.utter_message(response="utter_all_meters_skipped")
        return changed_slots(draft, skipped.draft)

    async def _take_several(
        self,
        draft: SubmissionDraft,
        several: Several,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        start: Optional[SubmissionDraft] = None,
    ) -> SlotValues:
        """`several` taken into `start` (the draft itself unless given); the slots
        that change from `draft`."""
        outcome = (start or draft).take_several(several, self.settings.monthly_ceiling)
        await self._count_refusals(tracker, outcome.refused)
        say_several(dispatcher, outcome)
        return changed_slots(draft, outcome.draft)

    async def validate_reading_high_confirmed(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        draft = draft_of(tracker)
        confirmed = draft.confirm(value is True)
        if confirmed.meter is None:
            dispatcher.utter_message(response="utter_enter_reading_again")
        return {"reading_high_confirmed": None, **changed_slots(draft, confirmed.draft)}

    async def validate_reading_save(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if value is True:
            return {"reading_save": True}
        draft = draft_of(tracker)
        if len(draft.meters) > 1:
            return {"reading_save": False, "reading_change": None}  # which one: asked next
        # «я помилився, має бути 122,5»: the correction brings its value.
        lone = draft.correction_in(tracker.latest_message.get("text") or "")
        if lone is not None:
            slots = await self._take_several(draft, lone, dispatcher, tracker, draft.restart())
            return {"reading_save": None, **slots}
        dispatcher.utter_message(response="utter_enter_reading_again")
        return {"reading_save": None, **changed_slots(draft, draft.restart())}

    async def extract_reading_change(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        if self.requested(tracker) != "reading_change":
            return {}
        if latest_intent(tracker) in INTERRUPTION_INTENTS:
            return {}  # answered by the rules; the question comes again
        if latest_intent(tracker) == "affirm":
            return {"reading_change": BACK_TO_SUMMARY}
        entity = next(tracker.get_latest_entity_values(METER_REF), None)
        return {"reading_change": entity or tracker.latest_message.get("text") or ""}

    async def validate_reading_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> SlotValues:
        """The meter picked at «Змінити» is asked again; the others keep their values."""
        if value == BACK_TO_SUMMARY:
            return {"reading_change": None, "reading_save": None}
        draft = await self._with_serials(draft_of(tracker))
        chosen = draft.meter_chosen(str(value))
        if chosen is None:
            dispatcher.utter_message(response="utter_choose_meter_by_button")
            return {"reading_change": None}
        reopened = changed_slots(draft, draft.reopen(chosen))
        return {"reading_change": None, "reading_save": None, **reopened}
