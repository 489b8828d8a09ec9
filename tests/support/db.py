"""Test shorthand: run one function in a unit of work and return its result."""

from typing import Callable, TypeVar

from sqlalchemy.orm import Session

from core.db.engine import unit_of_work

T = TypeVar("T")


def in_session(work: Callable[[Session], T]) -> T:
    with unit_of_work() as session:
        return work(session)
