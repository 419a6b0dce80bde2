"""Request parameter checking, the way Stripe does it.

Stripe answers 400 to any parameter it does not know and to a missing required
one. The plugin's tests rely on that to catch typos, so every route the
emulator adds declares its parameters with these small specs. Form-encoded
values arrive as strings: the specs also convert them (``"true"`` -> True,
``"12"`` -> 12). An empty string means "unset" as in Stripe's form encoding.
"""

from decimal import Decimal, InvalidOperation

from .errors import invalid


def join(path, key):
    """``line_items`` + ``0`` -> ``line_items[0]`` (Stripe's param naming)."""
    return f"{path}[{key}]" if path else str(key)


class Spec:
    """Base: accept and convert one value, or raise a Stripe-style 400."""

    required = False

    def clean(self, value, path):
        return value


class Required(Spec):
    """Wraps a spec to make the parameter mandatory."""

    required = True

    def __init__(self, inner):
        self.inner = inner

    def clean(self, value, path):
        return self.inner.clean(value, path)


class Any(Spec):
    """Accepted as is (for values the emulator stores but does not interpret)."""


class Str(Spec):
    def __init__(self, max_length=5000):
        self.max_length = max_length

    def clean(self, value, path):
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise invalid(f"Invalid string: {value!r}", param=path)
        value = str(value)
        if len(value) > self.max_length:
            raise invalid(f"Invalid string: {path} must be at most {self.max_length} characters long", param=path)
        return value


class Id(Str):
    """An object id, optionally with a required prefix."""

    def __init__(self, *prefixes):
        super().__init__(max_length=255)
        self.prefixes = prefixes

    def clean(self, value, path):
        value = super().clean(value, path)
        if self.prefixes and not value.startswith(self.prefixes):
            raise invalid(f"Invalid {path}: '{value}'", param=path, code="resource_missing")
        return value


class Int(Spec):
    def __init__(self, minimum=None, maximum=None):
        self.minimum = minimum
        self.maximum = maximum

    def clean(self, value, path):
        if isinstance(value, bool):
            raise invalid(f"Invalid integer: {value}", param=path, code="parameter_invalid_integer")
        try:
            number = int(value) if isinstance(value, int) else int(str(value).strip(), 10)
        except ValueError:
            raise invalid(f"Invalid integer: {value}", param=path, code="parameter_invalid_integer") from None
        if self.minimum is not None and number < self.minimum:
            raise invalid(
                f"Invalid {path}: must be greater than or equal to {self.minimum}",
                param=path,
                code="parameter_invalid_integer",
            )
        if self.maximum is not None and number > self.maximum:
            raise invalid(
                f"Invalid {path}: must be less than or equal to {self.maximum}",
                param=path,
                code="parameter_invalid_integer",
            )
        return number


class Number(Spec):
    """A decimal number (percentages), kept as Decimal: never a float."""

    def __init__(self, minimum=None, maximum=None):
        self.minimum = minimum
        self.maximum = maximum

    def clean(self, value, path):
        if isinstance(value, bool):
            raise invalid(f"Invalid decimal: {value}", param=path)
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            raise invalid(f"Invalid decimal: {value}", param=path) from None
        if not number.is_finite():
            raise invalid(f"Invalid decimal: {value}", param=path)
        if self.minimum is not None and number < self.minimum:
            raise invalid(f"Invalid {path}: must be at least {self.minimum}", param=path)
        if self.maximum is not None and number > self.maximum:
            raise invalid(f"Invalid {path}: must be at most {self.maximum}", param=path)
        return number


class Bool(Spec):
    def clean(self, value, path):
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise invalid(f"Invalid boolean: {value}", param=path)


class Enum(Spec):
    def __init__(self, *choices):
        self.choices = choices

    def clean(self, value, path):
        if value not in self.choices:
            allowed = ", ".join(f"`{c}`" for c in self.choices)
            raise invalid(f"Invalid {path}: must be one of {allowed}", param=path)
        return value


class Metadata(Spec):
    """Stripe metadata: up to 50 string keys (40 chars) and values (500 chars)."""

    def clean(self, value, path):
        if not isinstance(value, dict):
            raise invalid(f"Invalid object: {path} must be a dictionary", param=path)
        if len(value) > 50:
            raise invalid("Metadata can have up to 50 keys", param=path)
        cleaned = {}
        for key, item in value.items():
            key = str(key)
            if len(key) > 40:
                raise invalid(f"Metadata keys must be at most 40 characters: {key}", param=join(path, key))
            if item is None or item == "":
                cleaned[key] = None  # "unset this key" on updates
                continue
            if isinstance(item, bool) or not isinstance(item, (str, int, float)):
                raise invalid(f"Invalid metadata value for {key}", param=join(path, key))
            item = str(item)
            if len(item) > 500:
                raise invalid(f"Metadata values must be at most 500 characters: {key}", param=join(path, key))
            cleaned[key] = item
        return cleaned


class ListOf(Spec):
    def __init__(self, item, max_items=None):
        self.item = item
        self.max_items = max_items

    def clean(self, value, path):
        if isinstance(value, dict) and all(str(k).isdigit() for k in value):
            value = [value[k] for k in sorted(value, key=int)]
        if isinstance(value, (str, int)) and not isinstance(self.item, Obj):
            value = [value]
        if not isinstance(value, list):
            raise invalid(f"Invalid array: {path}", param=path)
        if self.max_items is not None and len(value) > self.max_items:
            raise invalid(f"Invalid array: {path} may contain at most {self.max_items} items", param=path)
        return [self.item.clean(item, join(path, index)) for index, item in enumerate(value)]


class Obj(Spec):
    """A nested hash: unknown keys are refused, required ones checked."""

    def __init__(self, fields=None, **kwargs):
        self.fields = dict(fields or {}, **kwargs)

    def clean(self, value, path):
        if not isinstance(value, dict):
            raise invalid(f"Invalid object: {path} must be a dictionary", param=path)
        return clean_fields(value, self.fields, path)


def clean_fields(data, fields, path=""):
    """Check a params hash against ``fields``; returns converted values.

    Keys whose value is None or "" are returned as None (unset), and missing
    optional keys are absent from the result.
    """
    data = data or {}
    cleaned = {}
    for key, value in data.items():
        spec = fields.get(key)
        if spec is None:
            raise invalid(
                f"Received unknown parameter: {join(path, key)}",
                param=join(path, key),
                code="parameter_unknown",
            )
        if value is None or (isinstance(value, str) and value == "" and not isinstance(spec, (Any,))):
            cleaned[key] = None
            continue
        cleaned[key] = spec.clean(value, join(path, key))
    for key, spec in fields.items():
        if spec.required and cleaned.get(key) is None:
            raise invalid(
                f"Missing required param: {join(path, key)}.", param=join(path, key), code="parameter_missing"
            )
    return cleaned


def check(data, fields):
    """Top-level entry point: same as :func:`clean_fields` plus ``expand``."""
    return clean_fields(data, dict(fields, expand=ListOf(Str())))


EXPAND = ListOf(Str())
LIST_PARAMS = {
    "limit": Int(1, 100),
    "starting_after": Str(),
    "ending_before": Str(),
}
CREATED_FILTER = Obj(gt=Int(), gte=Int(), lt=Int(), lte=Int())


class Created(Spec):
    """``created`` filter on lists: a timestamp or a ``{gt, gte, lt, lte}`` hash."""

    def clean(self, value, path):
        if isinstance(value, dict):
            return CREATED_FILTER.clean(value, path)
        return {"eq": Int().clean(value, path)}


def created_matches(created, condition):
    """True when ``created`` satisfies a cleaned ``created`` filter."""
    if not condition:
        return True
    checks = {
        "eq": lambda bound: created == bound,
        "gt": lambda bound: created > bound,
        "gte": lambda bound: created >= bound,
        "lt": lambda bound: created < bound,
        "lte": lambda bound: created <= bound,
    }
    return all(checks[op](bound) for op, bound in condition.items() if bound is not None)
