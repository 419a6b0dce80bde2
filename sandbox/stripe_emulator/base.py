"""Common base of every resource the emulator adds.

Subclasses localstripe's ``StripeObject`` so objects live in localstripe's
store (``"<object>:<id>"`` keys) and its route helpers (``api_create``,
``api_retrieve``...) drive them. What this base adds: the full default shape of
each object for the pinned API version (every key Stripe returns, so the
contract tests can hold it against Stripe's own fixtures), Stripe's 404 body,
``expand[]`` that also follows ids inside nested hashes, and lists that sort
newest first and page like Stripe.
"""

import copy
import random
import string
from typing import ClassVar

from . import state
from ._localstripe import StripeObject, store
from .errors import invalid, not_found
from .params import LIST_PARAMS, check, created_matches

#: id prefix -> object name, to follow an id during ``expand``.
PREFIXES = {
    "cus_": "customer",
    "prod_": "product",
    "price_": "price",
    "pi_": "payment_intent",
    "ch_": "charge",
    "in_": "invoice",
    "re_": "refund",
    "cn_": "credit_note",
    "txr_": "tax_rate",
    "promo_": "promotion_code",
    "cs_": "checkout.session",
    "du_": "dispute",
    "evt_": "event",
    "we_": "webhook_endpoint",
    "di_": "discount",
    "pm_": "payment_method",
    "txn_": "balance_transaction",
    "inpay_": "invoice_payment",
}

#: key name -> object name, for ids without a known prefix (coupons).
KEY_HINTS = {"coupon": "coupon"}

#: An address hash with every field unset.
ADDRESS_NULL = {
    "city": None,
    "country": None,
    "line1": None,
    "line2": None,
    "postal_code": None,
    "state": None,
}


def random_id(length=24):
    alphabet = string.ascii_letters + string.digits
    return "".join(random.choice(alphabet) for _ in range(length))


def find(object_id, object_name=None):
    """The stored object with that id, or None."""
    if not isinstance(object_id, str):
        return None
    if object_name:
        return store.get(f"{object_name}:{object_id}")
    for prefix, name in PREFIXES.items():
        if object_id.startswith(prefix):
            return store.get(f"{name}:{object_id}")
    return None


def export_value(value):
    """Deep copy of an attribute, with nested stored objects exported."""
    if isinstance(value, StripeObject):
        return value._export()
    if isinstance(value, dict):
        return {key: export_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [export_value(item) for item in value]
    return value


def check_expand(expand):
    if expand is None:
        return []
    if isinstance(expand, str):
        expand = [expand]
    if not isinstance(expand, list) or not all(isinstance(path, str) for path in expand):
        raise invalid("Invalid expand: must be a list of strings", param="expand")
    for path in expand:
        if len(path.split(".")) > 4:
            raise invalid("You cannot expand more than 4 levels of a property", param="expand")
    return expand


def apply_expand(data, path, owner=None, full_path=None):
    """Replace the id at ``path`` (dotted) inside ``data`` by the object."""
    full_path = full_path or path
    if isinstance(data, list):
        for item in data:
            apply_expand(item, path, owner, full_path)
        return
    if not isinstance(data, dict):
        return
    key, _, rest = path.partition(".")
    if key == "data" and data.get("object") == "list":
        apply_expand(data.get("data", []), rest, owner, full_path)
        return
    extra = getattr(owner, "_expand_extra", None) if owner is not None else None
    if key not in data:
        if extra and key in extra:
            data[key] = extra[key](owner)
        else:
            raise invalid(f"This property cannot be expanded ({full_path}).", param="expand")
    value = data[key]
    if isinstance(value, str):
        data[key] = value = _expanded(value, key, full_path)
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        data[key] = value = [_expanded(item, key, full_path) for item in value]
    if rest and value is not None:
        apply_expand(value, rest, None, full_path)


def _expanded(object_id, key, full_path):
    target = find(object_id, KEY_HINTS.get(key)) or find(object_id) or store.get(f"deleted:customer:{object_id}")
    if target is None:
        raise invalid(f"This property cannot be expanded ({full_path}).", param="expand")
    return target._export()


class EmuObject(StripeObject):
    """A Stripe object the emulator owns: stored, exported in full shape."""

    object = None
    _id_prefix = None
    #: Every key Stripe returns for this object, with its value when unset.
    _defaults: ClassVar[dict] = {}
    #: Attributes never exported (localstripe leftovers or internal).
    _hidden = frozenset()
    #: Extra fields produced only on ``expand`` (e.g. a session's line_items).
    _expand_extra: ClassVar[dict] = {}
    #: Parameters accepted by the list route, besides limit/starting_after.
    _list_fields: ClassVar[dict] = {}
    #: List params that filter by equality with the attribute of the same name
    #: (``created`` by its range); the other list params do not filter.
    _list_filters: ClassVar[tuple] = ()
    #: Parameters accepted by the update route.
    _update_fields: ClassVar[dict] = {}
    #: Event sent when an update changed the object (None: no event).
    _update_event = None
    #: Send ``_update_event`` even when the update changed nothing.
    _update_event_always = False
    #: The delete route removes the object (otherwise it answers 405).
    _deletable = False
    #: Event sent when the object is deleted (None: no event).
    _delete_event = None

    def __init__(self, id=None):
        super().__init__(id or (self._id_prefix + random_id()))
        self.created = state.now()
        self.livemode = False
        self._seq = state.next_sequence()

    def __getattr__(self, name):
        """Unset fields read as their Stripe default (then stored, so they can change)."""
        defaults = type(self)._defaults
        if not name.startswith("_") and name in defaults:
            value = copy.deepcopy(defaults[name])
            setattr(self, name, value)
            return value
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- export ---------------------------------------------------------
    def _computed(self):
        """Fields derived from other objects at export time."""
        return {}

    def _export(self, expand=None):
        expand = check_expand(expand)
        data = copy.deepcopy(self._defaults)
        for key, value in vars(self).items():
            if not key.startswith("_") and key not in self._hidden:
                data[key] = export_value(value)
        data.update(self._computed())
        data["object"] = self.object
        for path in expand:
            apply_expand(data, path, self)
        return data

    # -- API class methods ------------------------------------------------
    @classmethod
    def _api_retrieve(cls, id):
        obj = store.get(f"{cls.object}:{id}")
        if obj is None:
            raise not_found(cls.object, id)
        return obj

    @classmethod
    def _api_update(cls, id, **data):
        obj = cls._api_retrieve(id)
        params = check(data, cls._update_fields)
        params.pop("expand", None)
        before = obj._export() if cls._update_event else None
        obj._update(params)
        if cls._update_event:
            updated(obj, before, cls._update_event, always=cls._update_event_always)
        return obj

    def _update(self, params):
        """Apply cleaned update params; subclasses check or convert some first."""
        set_fields(self, params, self._update_fields)

    @classmethod
    def _api_delete(cls, id):
        if not cls._deletable:
            raise invalid(f"{cls.object} objects cannot be deleted", status=405)
        obj = cls._api_retrieve(id)
        del store[f"{cls.object}:{obj.id}"]
        if cls._delete_event:
            emit(cls._delete_event, obj)
        return Deleted(obj.id, cls.object)

    @classmethod
    def _all(cls):
        prefix = cls.object + ":"
        return [value for key, value in store.items() if key.startswith(prefix)]

    @classmethod
    def _api_list_all(cls, url, **params):
        params = check(params, dict(LIST_PARAMS, **cls._list_fields))
        params.pop("expand", None)
        items = [item for item in cls._all() if cls._list_match(item, params)]
        return ListResult(url, items, params, cls.object)

    @classmethod
    def _list_match(cls, item, params):
        """Filter used by the list route; subclasses add the filters that are not plain equality."""
        for name in cls._list_filters:
            wanted = params.get(name)
            if wanted is None:
                continue
            if name == "created":
                if not created_matches(item.created, wanted):
                    return False
            elif getattr(item, name, None) != wanted:
                return False
        return True


def sort_key(item):
    return (getattr(item, "created", 0), getattr(item, "_seq", 0))


class ListResult:
    """A Stripe list page, newest first, with ``starting_after``/``ending_before``.

    ``starting_after`` gives the (at most ``limit``) items after the cursor;
    ``ending_before`` the ones just before it, still newest first, so that
    stripe-python's ``auto_paging_iter()`` pages both ways. ``has_more`` says
    whether more items lie beyond the page in the direction of travel.
    """

    #: Sort newest first (lines of one object keep their own order instead).
    _sorted = True

    def __init__(self, url, items, params=None, object_name="object"):
        params = params or {}
        self.url = url
        if self._sorted:
            items = sorted(items, key=sort_key, reverse=True)
        limit = params.get("limit") or 10
        after = params.get("starting_after")
        before = params.get("ending_before")
        if after and before:
            raise invalid(
                "You may only specify one of these parameters: ending_before, starting_after.",
                param="ending_before",
            )
        ids = [self._id_of(item) for item in items]
        if after:
            if after not in ids:
                raise invalid(f"No such {object_name}: '{after}'", param="starting_after", code="resource_missing")
            items = items[ids.index(after) + 1 :]
            self.items, self.has_more = items[:limit], len(items) > limit
        elif before:
            if before not in ids:
                raise invalid(f"No such {object_name}: '{before}'", param="ending_before", code="resource_missing")
            items = items[: ids.index(before)]
            self.items, self.has_more = items[-limit:], len(items) > limit
        else:
            self.items, self.has_more = items[:limit], len(items) > limit

    @staticmethod
    def _id_of(item):
        return item.get("id") if isinstance(item, dict) else getattr(item, "id", None)

    def _export(self, expand=None):
        expand = check_expand(expand)
        item_expand = [path[len("data.") :] for path in expand if path.startswith("data.")]
        return {
            "object": "list",
            "url": self.url,
            "has_more": self.has_more,
            "data": [export_item(item, item_expand) for item in self.items],
        }


def export_item(item, expand):
    """A list entry: a stored object, or an embedded hash (line items)."""
    if isinstance(item, dict):
        data = copy.deepcopy(item)
        for path in expand:
            apply_expand(data, path)
        return data
    return item._export(expand=expand)


def list_object(url, items):
    """A small embedded list (``lines``, ``refunds``) exported inline."""
    exported = [
        item._export()
        if isinstance(item, StripeObject)
        else {key: export_value(value) for key, value in item.items() if not key.startswith("_")}
        for item in items
    ]
    return {"object": "list", "url": url, "has_more": False, "data": exported}


def require(object_name, object_id, param):
    """The stored object or Stripe's 400 ``No such ...`` on that param."""
    obj = find(object_id, object_name)
    if obj is None:
        raise invalid(f"No such {object_name}: '{object_id}'", param=param, code="resource_missing")
    return obj


def merge_metadata(current, update):
    """Stripe's metadata update: keys set to "" are removed, others replaced."""
    merged = dict(current or {})
    for key, value in (update or {}).items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def set_fields(obj, params, names):
    """Copy the given cleaned params on ``obj``; metadata is merged."""
    for name in names:
        if name not in params:
            continue
        if name == "metadata":
            obj.metadata = merge_metadata(obj.metadata, params["metadata"])
        else:
            setattr(obj, name, params[name])


def emit(event_type, obj, previous_attributes=None):
    from . import webhooks  # imported here: webhooks imports this module

    return webhooks.emit(event_type, obj, previous_attributes)


def updated(obj, before, event_type, always=False):
    """Send ``<object>.updated`` with Stripe's ``previous_attributes``."""
    after = obj._export()
    previous = {key: value for key, value in before.items() if after.get(key) != value}
    if previous or always:
        emit(event_type, obj, previous)


def clean_metadata(metadata):
    return {key: value for key, value in (metadata or {}).items() if value is not None}


class Deleted:
    """``{"id", "object", "deleted": true}`` answer of a DELETE."""

    def __init__(self, id, object_name):
        self.id = id
        self.object = object_name

    def _export(self, expand=None):
        return {"id": self.id, "object": self.object, "deleted": True}
