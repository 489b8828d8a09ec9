"""Reading Prometheus metrics in tests: this process's registry, or a server's `/metrics`."""

from __future__ import annotations

from typing import Dict

from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families


def sample(name: str, **labels: str) -> float:
    """The current value of a sample of this process (0 if never counted)."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def scraped(exposition: str, name: str, **labels: str) -> float:
    """A sample's value in a `/metrics` page (0 if absent)."""
    values: Dict[str, float] = {}
    for family in text_string_to_metric_families(exposition):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                values[name] = values.get(name, 0.0) + found.value
    return values.get(name, 0.0)
