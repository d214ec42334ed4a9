"""The base class of every scenario model.

`Spec` is a frozen pydantic model that refuses keys it does not know. Instead of
pydantic's generic "extra inputs are not permitted" it reports each unknown key
as an ``unknown_key`` error whose message suggests the nearest allowed key, so a
planner who types ``bedz:`` is told "did you mean 'beds'?".

A checked scenario cannot be changed in place: its mappings and lists are
`FrozenDict` and `FrozenList` (a ``dict`` and a ``list`` that refuse changes), and
``model_copy(update=...)`` is refused on a part of it. ``Scenario.with_values`` makes a
changed copy, checked as a file is.

The error context carries ``key`` (the bad key exactly as read from YAML, which
may be a number, ``None`` or ``True`` for keys such as ``1:``, ``null:`` or
``yes:``); `sim.scenario.errors.format_validation_error` appends it to the field
path so the message points at the line of the bad key.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from sim.scenario.errors import did_you_mean
from sim.scenario.field_help import help_for

__all__ = ["FrozenDict", "FrozenList", "Spec", "UNKNOWN_KEY"]

#: The pydantic error type used for keys a model does not know.
UNKNOWN_KEY = "unknown_key"

_ALLOWED_CACHE: dict[type, tuple[tuple[str, ...], frozenset[str]]] = {}


def _allowed_keys(cls: type[BaseModel]) -> tuple[tuple[str, ...], frozenset[str]]:
    """Return (keys to show planners, every accepted key) for a model class."""
    cached = _ALLOWED_CACHE.get(cls)
    if cached is not None:
        return cached
    shown: list[str] = []
    accepted: set[str] = set()
    for name, field in cls.model_fields.items():
        accepted.add(name)
        names = [name]
        if isinstance(field.alias, str):
            names.append(field.alias)
        va = field.validation_alias
        if isinstance(va, str):
            names.append(va)
        elif isinstance(va, AliasChoices):
            names.extend(c for c in va.choices if isinstance(c, str))
        accepted.update(names)
        # Show the spelling planners are meant to write: the alias if there is one.
        shown.append(field.alias if isinstance(field.alias, str) else name)
    result = (tuple(shown), frozenset(accepted))
    _ALLOWED_CACHE[cls] = result
    return result


def _sort_key(key: Any) -> tuple[int, str]:
    return (0, key) if isinstance(key, str) else (1, repr(key))


def _describe_odd_key(key: Any) -> str:
    """Explain a key that YAML did not read as text (``1:``, ``null:``, ``yes:``)."""
    if key is None:
        return (
            "a key is empty (a line starting with ':' or a key written as 'null' or '~'); "
            "every key must be a name"
        )
    if isinstance(key, bool):
        return (
            f"the key {str(key).lower()} is not a name: YAML reads the keys yes, no, on, off, "
            "true and false as true/false; put the key in quotes if you meant the word"
        )
    if isinstance(key, int | float):
        return (
            f"the key {key!r} is a number, not a name; put it in quotes if you meant "
            f"the text '{key}'"
        )
    if isinstance(key, _dt.date):
        return f"the key {key.isoformat()} is a date, not a name; put it in quotes"
    return f"the key {key!r} is not a name"


_CHANGE_REFUSED = (
    "a checked scenario cannot be changed in place; make a changed copy, checked as a file "
    "is, with scenario.with_values({'sites.SITE.beds.elective': 30})"
)


def _refuse(self: Any, *args: Any, **kwargs: Any) -> Any:
    raise TypeError(_CHANGE_REFUSED)


class FrozenDict(dict):
    """A ``dict`` in a checked scenario: reads like one, refuses every change."""

    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[Any, ...]:  # pickling and deepcopy rebuild it whole
        return (type(self), (dict(self),))


class FrozenList(list):
    """A ``list`` in a checked scenario: reads like one, refuses every change."""

    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = extend = insert = pop = remove = clear = sort = reverse = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (list(self),))


def _frozen(value: Any) -> Any:
    """``value`` with its plain dicts and lists (nested too) made read-only."""
    if type(value) is dict:
        return FrozenDict({k: _frozen(v) for k, v in value.items()})
    if type(value) is list:
        return FrozenList(_frozen(v) for v in value)
    return value


def reraisable(err: Any) -> InitErrorDetails:
    """Turn one entry of ``ValidationError.errors()`` back into raisable error details."""
    ctx = {
        k: (str(v) if isinstance(v, BaseException) else v)
        for k, v in (err.get("ctx") or {}).items()
    }
    msg = str(err["msg"])
    # The message is already rendered; pydantic fills "{name}" from ctx again, so
    # drop ctx in the (odd) case that the text itself contains such a placeholder.
    if any("{" + str(k) + "}" in msg for k in ctx):
        ctx = {}
    return InitErrorDetails(
        type=PydanticCustomError(err["type"], msg, ctx or None),
        loc=tuple(err["loc"]),
        input=err.get("input"),
    )


def _unknown_key_message(key: Any, shown: tuple[str, ...], accepted: frozenset[str]) -> str:
    allowed = ", ".join(shown) if shown else "(none)"
    if not isinstance(key, str):
        return f"{_describe_odd_key(key)}; allowed keys: {allowed}"
    suggestion = did_you_mean(key, sorted(accepted))
    if suggestion is not None:
        return f"unknown key {key!r}; did you mean {suggestion!r}?"
    return f"unknown key {key!r}; allowed keys: {allowed}"


class Spec(BaseModel):
    """Frozen pydantic model for scenario sections; unknown keys are errors.

    Subclasses declare fields as usual. Every key in the input mapping that is
    neither a field name nor an alias produces one ``unknown_key`` error (all of
    them are reported, sorted), with a did-you-mean suggestion or the list of
    allowed keys.
    """

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Fields described only in :mod:`.field_help` get that description in Python too
        (``Site.model_fields["trust"].description``), not only in ``hubsim schema``."""
        super().__pydantic_init_subclass__(**kwargs)
        for name, field in cls.model_fields.items():
            if field.description is None:
                key = field.alias if isinstance(field.alias, str) else name
                found = help_for(cls.__mro__, key) or help_for(cls.__mro__, name)
                if found is not None and found.description:
                    field.description = found.description

    @model_validator(mode="after")
    def _freeze_containers(self) -> Any:
        """Make the mappings and lists of this part read-only (its fields are already)."""
        for name, value in self.__dict__.items():
            if type(value) is dict or type(value) is list:
                object.__setattr__(self, name, _frozen(value))
        return self

    def model_copy(self, *, update: Any = None, deep: bool = False) -> Any:
        """A copy; ``update`` is refused, since it would skip the checks (see ``Scenario``)."""
        if update:
            raise TypeError(_CHANGE_REFUSED)
        return super().model_copy(deep=deep)

    @model_validator(mode="wrap")
    @classmethod
    def _reject_unknown_keys(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        """Report every key that is not a field or alias as an ``unknown_key`` error.

        The known keys are still validated, so a planner sees the other problems
        in the same mapping in the same run instead of one at a time.
        """
        if not isinstance(data, dict) or cls.model_config.get("extra") != "forbid":
            return handler(data)
        shown, accepted = _allowed_keys(cls)
        unknown = [k for k in data if not (isinstance(k, str) and k in accepted)]
        if not unknown:
            return handler(data)
        unknown.sort(key=_sort_key)
        errors: list[InitErrorDetails] = []
        for key in unknown:
            ctx_key = key if isinstance(key, str | int | float | bool | type(None)) else str(key)
            message = _unknown_key_message(key, shown, accepted)
            err = PydanticCustomError(
                UNKNOWN_KEY,
                "{message}",
                {"key": ctx_key, "message": message, "allowed": ", ".join(shown)},
            )
            errors.append(InitErrorDetails(type=err, loc=(), input=data))
        try:
            handler({k: v for k, v in data.items() if isinstance(k, str) and k in accepted})
        except ValidationError as exc:
            errors.extend(reraisable(e) for e in exc.errors(include_url=False))
        # pydantic merges a ValidationError raised here into the outer one,
        # prefixing each error with this model's location.
        raise ValidationError.from_exception_data(cls.__name__, errors)
