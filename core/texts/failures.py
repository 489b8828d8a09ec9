"""What the user is told when an action fails.

Sent as plain text rather than a domain response: the failure path must not
depend on the domain of the model in use.
"""

from __future__ import annotations


def technical_failure_text(reference: str) -> str:
    """The apology, with the short code staff find in the action server's log."""
    return (
        "Вибачте, сталася технічна помилка, і я не зміг виконати дію. Нічого не збережено. "
        "Спробуйте, будь ласка, ще раз трохи згодом. "
        f"Код помилки для абонентського відділу: {reference}."
    )
