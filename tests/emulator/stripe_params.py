"""Check request params against stripe-python's own parameter TypedDicts.

stripe-python 16 describes every request's parameters as TypedDicts
(``stripe.params.checkout.SessionCreateParams`` and its nested
``SessionCreateParamsLineItem``...). Walking a params dict through them
catches a misspelt or removed parameter before Stripe (or the emulator)
would, and without any network::

    from stripe.params.checkout import SessionCreateParams
    assert_params_known(params, SessionCreateParams)

Handled annotations: nested TypedDicts, ``List[...]``, ``Dict[str, X]``,
``Literal[...]``, ``NotRequired``/``Required``, ``Optional``/``Union``
(``X|Y`` strings too), and plain ``str``/``int``/``bool``/``float``/``Decimal``.
The request-option keys every params TypedDict inherits (``api_key``,
``idempotency_key``...) are refused: they belong in ``options``.
"""

import collections.abc
import sys
import types
import typing
from decimal import Decimal

import stripe
import typing_extensions
from stripe._request_options import RequestOptions

_WRAPPERS = tuple(
    wrapper
    for wrapper in (
        getattr(typing, "NotRequired", None),
        getattr(typing, "Required", None),
        getattr(typing, "ReadOnly", None),
        typing_extensions.NotRequired,
        typing_extensions.Required,
        getattr(typing_extensions, "ReadOnly", None),
    )
    if wrapper is not None
)
_LITERALS = (typing.Literal, typing_extensions.Literal)
_UNIONS = (typing.Union, types.UnionType)
REQUEST_OPTION_KEYS = frozenset(RequestOptions.__annotations__)


class UnknownParam(AssertionError):
    """A params dict does not match stripe-python's declared parameters."""


def _resolve(annotation, namespace):
    if isinstance(annotation, str):
        annotation = typing.ForwardRef(annotation)
    if isinstance(annotation, typing.ForwardRef):
        annotation = eval(annotation.__forward_arg__, namespace)
    return annotation


def _is_typeddict(annotation):
    return isinstance(annotation, type) and typing_extensions.is_typeddict(annotation)


def _describe(annotation):
    return getattr(annotation, "__name__", None) or repr(annotation)


def _check(value, annotation, path, namespace):
    """Raise UnknownParam when ``value`` does not fit ``annotation``."""
    annotation = _resolve(annotation, namespace)
    origin = typing.get_origin(annotation)
    if origin in _WRAPPERS:
        return _check(value, typing.get_args(annotation)[0], path, namespace)
    if annotation is typing.Any or annotation is object:
        return
    if origin in _UNIONS:
        errors = []
        for option in typing.get_args(annotation):
            try:
                _check(value, option, path, namespace)
                return
            except UnknownParam as error:
                errors.append(error)
        # Report the most specific failure (the deepest path).
        raise max(errors, key=lambda error: len(str(error.args[0]).split(":")[0]))
    if origin in _LITERALS:
        if value not in typing.get_args(annotation):
            allowed = ", ".join(repr(choice) for choice in typing.get_args(annotation))
            raise UnknownParam(f"{path}: {value!r} is not one of {allowed}")
        return
    if _is_typeddict(annotation):
        _check_typeddict(value, annotation, path)
        return
    if origin is list:
        if not isinstance(value, (list, tuple)):
            raise UnknownParam(f"{path}: expected a list, got {type(value).__name__}")
        (item_type,) = typing.get_args(annotation) or (typing.Any,)
        for index, item in enumerate(value):
            _check(item, item_type, f"{path}[{index}]", namespace)
        return
    if origin in (dict, collections.abc.Mapping):
        if not isinstance(value, dict):
            raise UnknownParam(f"{path}: expected a dict, got {type(value).__name__}")
        args = typing.get_args(annotation)
        value_type = args[1] if len(args) == 2 else typing.Any
        for key, item in value.items():
            if not isinstance(key, str):
                raise UnknownParam(f"{path}: key {key!r} is not a string")
            _check(item, value_type, f"{path}[{key}]", namespace)
        return
    if isinstance(annotation, type):
        if annotation is bool:
            ok = isinstance(value, bool)
        elif annotation is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif annotation in (float, Decimal):
            ok = isinstance(value, (int, float, Decimal, str)) and not isinstance(value, bool)
        elif annotation is str:
            ok = isinstance(value, str)
        elif getattr(annotation, "__name__", "") == "UntypedStripeObject":
            ok = isinstance(value, stripe.StripeObject)
        else:
            ok = isinstance(value, annotation)
        if not ok:
            raise UnknownParam(f"{path}: expected {_describe(annotation)}, got {type(value).__name__} {value!r}")
        return
    if origin is not None and getattr(origin, "__name__", "") == "UntypedStripeObject":
        if not isinstance(value, stripe.StripeObject):
            raise UnknownParam(f"{path}: expected a StripeObject, got {type(value).__name__} {value!r}")
        return
    raise UnknownParam(f"{path}: cannot check annotation {annotation!r}")


def _check_typeddict(value, cls, path):
    if not isinstance(value, dict):
        raise UnknownParam(f"{path or 'params'}: expected a dict for {cls.__name__}, got {type(value).__name__}")
    namespace = dict(vars(sys.modules[cls.__module__]))
    declared = cls.__annotations__
    for key, item in value.items():
        key_path = f"{path}[{key}]" if path else str(key)
        if key not in declared or (not path and key in REQUEST_OPTION_KEYS and _inherits_options(cls)):
            raise UnknownParam(f"{key_path}: unknown parameter (not declared in {cls.__name__})")
        _check(item, declared[key], key_path, namespace)
    for key in getattr(cls, "__required_keys__", ()):
        if key not in value and not (not path and key in REQUEST_OPTION_KEYS):
            key_path = f"{path}[{key}]" if path else key
            raise UnknownParam(f"{key_path}: required parameter missing (in {cls.__name__})")


def _inherits_options(cls):
    return REQUEST_OPTION_KEYS <= set(cls.__annotations__)


def assert_params_known(params, typed_dict_cls):
    """Fail (AssertionError) on any key of ``params`` that ``typed_dict_cls`` does not declare.

    Nested dicts and lists are walked through the nested TypedDicts; values of
    ``Literal`` parameters must be one of the literal values; scalar types are
    checked (``True`` is not accepted for an ``int``).
    """
    if not _is_typeddict(typed_dict_cls):
        raise TypeError(f"{typed_dict_cls!r} is not a TypedDict")
    _check_typeddict(params, typed_dict_cls, "")


def declared_keys(typed_dict_cls, path=()):
    """Keys declared at ``path`` (a tuple of nested key names) in a params TypedDict.

    Lists are crossed transparently: ``("line_items",)`` gives the keys of one
    line item. Used to hold the emulator's own accepted parameters against
    Stripe's.
    """
    annotation = typed_dict_cls
    namespace = dict(vars(sys.modules[typed_dict_cls.__module__]))
    for key in path:
        annotation = _unwrap_container(annotation, namespace)
        annotation = annotation.__annotations__[key]
        namespace = dict(vars(sys.modules[annotation.__module__])) if isinstance(annotation, type) else namespace
    annotation = _unwrap_container(annotation, namespace)
    keys = set(annotation.__annotations__)
    if not path and _inherits_options(annotation):
        keys -= REQUEST_OPTION_KEYS
    return keys


def _unwrap_container(annotation, namespace):
    """The TypedDict inside NotRequired/Optional/List/Union wrappers."""
    annotation = _resolve(annotation, namespace)
    if _is_typeddict(annotation):
        return annotation
    if typing.get_origin(annotation) in _LITERALS:
        raise TypeError("a Literal holds values, not types")
    for arg in typing.get_args(annotation):
        try:
            found = _unwrap_container(arg, namespace)
        except (TypeError, NameError):
            continue
        if found is not None:
            return found
    raise TypeError(f"no TypedDict in {annotation!r}")
