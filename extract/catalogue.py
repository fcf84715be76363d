"""The fact catalogue (``fact_kinds.yaml``): kinds, value types and allowed values, enforced at one door."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

_PY_TYPES = {"bool": (bool,), "int": (int,), "number": (int, float), "enum": (str,)}


class FactTypeError(ValueError):
    pass


@lru_cache(maxsize=1)
def fact_kinds() -> dict:
    data = yaml.safe_load(resources.files("guidelint.extract").joinpath("fact_kinds.yaml").read_text("utf-8"))
    kinds = {}
    for origin in ("base", "derived"):
        for kind, spec in data[origin].items():
            kinds[kind] = dict(spec, origin=origin)
    return kinds


def check_value(kind: str, value) -> None:
    """Raise FactTypeError unless ``value`` fits ``kind``: durable_rules would compare it loosely."""
    spec = fact_kinds().get(kind)
    if spec is None:
        raise FactTypeError(f"unknown fact kind {kind!r}")
    types = _PY_TYPES[spec["type"]]
    # bool is an int in Python; an int kind must not accept True, nor a bool kind 1.
    if not isinstance(value, types) or (spec["type"] != "bool" and isinstance(value, bool)):
        raise FactTypeError(f"{kind}: {value!r} is not of type {spec['type']}")
    if spec["type"] == "enum" and value not in spec["values"]:
        raise FactTypeError(f"{kind}: {value!r} is not one of {spec['values']}")


def is_multi(kind: str) -> bool:
    return bool(fact_kinds()[kind].get("multi"))
