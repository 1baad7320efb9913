"""Student values as plain JSON, so that a check's evidence can leave the kernel.

`encode` turns what a student's function returned (numbers, lists, tuples, dicts, numpy arrays
and scalars, torch tensors, matplotlib figures, the dataclasses `lrcore` returns) into JSON
that `decode` turns back into the same types with the same bits: float64 and float32
round-trip exactly (JSON numbers are written with `repr`), non-finite floats are tagged, a
tensor keeps its dtype and `requires_grad`. What cannot be data — a function, a model, a
generator — is written as a *description* (its kind and name) and decodes to a `StandIn` that
carries the name but no behaviour: outside the kernel nothing a student wrote is ever called.

Only JSON is read back (never pickle), so decoding a hostile notebook's evidence can build
arrays, tensors, figures and the course's own dataclasses, nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import math
import sys
from typing import Any

import numpy as np

from lrchecks import figure_data

__all__ = ["encode", "decode", "digest", "is_data", "has_tag", "StandIn", "CallableStandIn", "TAG",
           "EvidenceMismatch"]

TAG = "$"
"""Key of a tagged value: {"$": kind, ...}. Plain JSON lists, strings and numbers stand for
themselves."""
REFERENCE_PACKAGES = ("lrcore", "lrchecks", "autograder")
"""The course's own code: the reference (lrcore), the checks and the grader. A value of theirs is
data the grader can rebuild; a call into them is never the student's answer."""
MAX_DEPTH = 32
MAX_ELEMENTS = 5_000_000
NUMERIC_KINDS = "biuf"
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class EvidenceMismatch(RuntimeError):
    """The record does not fit the check: a call it lacks, or one it has that was not made
    (raised by `lrchecks.evidence` in replay, and by a stand-in that is called)."""


class StandIn:
    """A student's object outside the kernel: its description, no behaviour.

    Reading an attribute gives a stand-in of that attribute (so `rule.step` can be named);
    anything else a check might do with the real object raises, which the judge reports as
    evidence that does not fit the check.
    """

    def __init__(self, description: dict[str, Any]) -> None:
        object.__setattr__(self, "_description", description)
        object.__setattr__(self, "__module__", "__main__")  # where students' code lives

    def __getattr__(self, name: str) -> CallableStandIn:
        if name.startswith("__"):
            raise AttributeError(name)
        owner = self._description.get("name") or self._description.get("type", "object")
        return CallableStandIn({TAG: "callable", "name": f"{owner}.{name}"})

    def __repr__(self) -> str:
        return f"<{self._description.get('name') or self._description.get('type')}>"


class CallableStandIn(StandIn):
    """A stand-in for a function or class; calling it directly is not allowed (the checks call
    students' functions only through `lrchecks.evidence`)."""

    @property
    def __name__(self) -> str:  # noqa: PLW3201 - mirrors a function's name
        return str(self._description.get("name", "function")).rsplit(".", 1)[-1]

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise EvidenceMismatch(f"{self.__name__} was called outside the recorded calls")


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {TAG: "float", "v": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _flat_numbers(values: list[Any]) -> list[Any]:
    return [v if not isinstance(v, float) or math.isfinite(v)
            else ("nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")) for v in values]


def _array(value: np.ndarray, depth: int) -> dict[str, Any]:
    if value.dtype.kind in NUMERIC_KINDS and value.size <= MAX_ELEMENTS:
        return {TAG: "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                "data": _flat_numbers(value.reshape(-1).tolist())}
    if value.dtype.kind == "O" and value.size <= 10_000:
        return {TAG: "ndarray", "dtype": "object", "shape": list(value.shape),
                "data": [encode(item, depth + 1) for item in value.reshape(-1)]}
    return _description(value)


def _tensor(value: Any) -> dict[str, Any]:
    import torch

    flat = value.detach().cpu().reshape(-1)
    if flat.numel() > MAX_ELEMENTS or value.is_complex() or value.is_quantized:
        return _description(value)
    if flat.dtype in (torch.bfloat16, torch.float16):
        flat = flat.float()
    return {TAG: "tensor", "dtype": str(value.dtype).removeprefix("torch."),
            "shape": list(value.shape), "requires_grad": bool(value.requires_grad),
            "data": _flat_numbers(flat.tolist())}


def _description(value: Any) -> dict[str, Any]:
    kind = type(value)
    if callable(value):
        name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
        return {TAG: "callable", "name": str(name or kind.__qualname__)}
    return {TAG: "opaque", "type": f"{kind.__module__}.{kind.__qualname__}"}


def _is_figure_like(value: Any) -> bool:
    if "matplotlib" not in sys.modules:
        return False
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    if isinstance(value, Figure | Axes):
        return True
    return (isinstance(value, np.ndarray) and value.dtype == object and value.size > 0
            and all(isinstance(item, Axes) for item in value.reshape(-1)))


def encode(value: Any, depth: int = 0) -> Any:
    """JSON for `value`; never raises (what cannot be data is described)."""
    try:
        return _encode(value, depth)
    except Exception:  # a hostile object's __len__, __iter__, tolist … may raise anything
        return _description(value)


def _encode(value: Any, depth: int) -> Any:
    if isinstance(value, StandIn):
        return value._description
    if depth > MAX_DEPTH:
        return _description(value)
    if value is None or type(value) in (bool, str, int):
        return value
    if isinstance(value, int) and not isinstance(value, bool | np.generic):
        return int(value)
    if isinstance(value, str) and not isinstance(value, np.generic):
        return str(value)
    if isinstance(value, float) and not isinstance(value, np.generic):
        return _float(float(value))
    if isinstance(value, np.generic) and value.dtype.kind in NUMERIC_KINDS:
        return {TAG: "scalar", "dtype": value.dtype.str, "v": _encode(value.item(), depth + 1)}
    if _is_figure_like(value):
        return {TAG: "figure", **figure_data.snapshot(value, encode)}
    if isinstance(value, np.ndarray):
        return _array(value, depth)
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return _tensor(value)
    if isinstance(value, list):
        return [_encode(item, depth + 1) for item in value]
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [_encode(item, depth + 1) for item in value]}
    if _is_reference_dataclass(value):
        return {TAG: "dataclass", "type": f"{type(value).__module__}:{type(value).__qualname__}",
                "fields": [[f.name, _encode(getattr(value, f.name), depth + 1)]
                           for f in dataclasses.fields(value)]}
    if isinstance(value, dict):
        return {TAG: "dict", "items": [[_encode(k, depth + 1), _encode(v, depth + 1)]
                                       for k, v in value.items()]}
    return _description(value)


def _is_reference_dataclass(value: Any) -> bool:
    """A result type of the course's own code (e.g. lrcore.digits.TrainingRun): data."""
    return (dataclasses.is_dataclass(value) and not isinstance(value, type)
            and type(value).__module__.split(".")[0] in REFERENCE_PACKAGES)


def _reference_dataclass(data: dict[str, Any]) -> Any:
    module_name, _, qualname = str(data["type"]).partition(":")
    if module_name.split(".")[0] not in REFERENCE_PACKAGES:
        raise ValueError(f"not a type of the course's code: {data['type']}")
    kind: Any = importlib.import_module(module_name)
    for part in qualname.split("."):
        kind = getattr(kind, part)
    if not (isinstance(kind, type) and dataclasses.is_dataclass(kind)):
        raise ValueError(f"not a dataclass: {data['type']}")
    names = {f.name for f in dataclasses.fields(kind)}
    value = kind.__new__(kind)
    for name, field_value in data["fields"]:
        if name not in names:
            raise ValueError(f"{data['type']} has no field {name!r}")
        object.__setattr__(value, name, decode(field_value))
    return value


def _numbers(data: list[Any]) -> list[Any]:
    return [_NON_FINITE[v] if isinstance(v, str) else v for v in data]


def decode(data: Any) -> Any:
    """The value `encode` described: same types, same bits; descriptions become stand-ins.
    Raises ValueError on anything `encode` cannot have written."""
    if data is None or type(data) in (bool, str, int, float):
        return data
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict) or TAG not in data:
        raise ValueError("not an encoded value")
    kind = data[TAG]
    if kind == "float":
        return _NON_FINITE[data["v"]]
    if kind == "scalar":
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in NUMERIC_KINDS:  # np.void(10**12) would allocate a terabyte
            raise ValueError(f"unexpected scalar dtype {dtype}")
        return dtype.type(decode(data["v"]))
    if kind == "ndarray":
        if data["dtype"] == "object":
            items = np.empty(len(data["data"]), dtype=object)
            items[:] = [decode(item) for item in data["data"]]
            return items.reshape(data["shape"])
        dtype = np.dtype(data["dtype"])
        if dtype.kind not in NUMERIC_KINDS:
            raise ValueError(f"unexpected array dtype {dtype}")
        return np.array(_numbers(data["data"]), dtype=dtype).reshape(data["shape"])
    if kind == "tensor":
        import torch

        dtype = getattr(torch, data["dtype"])
        if not isinstance(dtype, torch.dtype):
            raise ValueError(f"unexpected tensor dtype {data['dtype']}")
        tensor = torch.tensor(_numbers(data["data"]), dtype=dtype).reshape(data["shape"])
        return tensor.requires_grad_(True) if data["requires_grad"] else tensor
    if kind == "tuple":
        return tuple(decode(item) for item in data["items"])
    if kind == "dict":
        return {_hashable(decode(key)): decode(value) for key, value in data["items"]}
    if kind == "dataclass":
        return _reference_dataclass(data)
    if kind == "figure":
        return figure_data.rebuild(data, decode)
    if kind == "callable":
        return CallableStandIn({TAG: "callable", "name": str(data["name"])})
    if kind == "opaque":
        return StandIn({TAG: "opaque", "type": str(data["type"])})
    raise ValueError(f"unknown encoded kind {kind!r}")


def _hashable(key: Any) -> Any:
    hash(key)  # a list or array key cannot come from a real dict
    return key


def has_tag(encoded: Any, *kinds: str) -> bool:
    """Whether an encoding holds a value of one of these kinds anywhere inside it."""
    if isinstance(encoded, list):
        return any(has_tag(item, *kinds) for item in encoded)
    if not isinstance(encoded, dict):
        return False
    if encoded.get(TAG) in kinds:
        return True
    inner = (encoded["data"] if encoded.get(TAG) == "ndarray" and encoded.get("dtype") == "object"
             else [value for _, value in encoded["fields"]] if encoded.get(TAG) == "dataclass"
             else encoded.get("items", []))
    return any(has_tag(item, *kinds) for item in inner)


def is_data(encoded: Any) -> bool:
    """Whether an encoding holds only data (no function or object descriptions)."""
    return not has_tag(encoded, "callable", "opaque")


def digest(encoded: Any) -> str:
    """A short, canonical fingerprint of an encoding (the arguments of a recorded call)."""
    text = json.dumps(encoded, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
