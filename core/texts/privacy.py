"""Computed messages about a consumer's data."""

from __future__ import annotations

from core.privacy import Forgotten


def forgotten_text(forgotten: Forgotten) -> str:
    accounts = (
        f"Відв'язано особових рахунків: {forgotten.links}. "
        if forgotten.links
        else "Прив'язаних рахунків не було. "
    )
    files = (
        f"Видалено надісланих фото й документів: {forgotten.attachments}. "
        if forgotten.attachments
        else ""
    )
    return (
        "Ваші дані видалено. "
        + accounts
        + files
        + "Історію нашої розмови буде стерто впродовж доби. Передані показники лишаються "
        "в обліку без зв'язку з вами. Щоб знову передавати показники, напишіть «Привіт»."
    )
