"""What the pure-Python executor shares with the native runtime, read from
the JSON Schemas that document it — docs/manifest.schema.json and
docs/metrics.schema.json, shipped in the package as ``remotemedia/schemas/``
(in the repository those are links to the docs' files, so there is one
copy): the retry, timeout and circuit-breaker defaults, the metrics schema
id and the breaker state names.

The native runtime keeps its own C copies (the manifest validation and the
metrics writer); tests/python/test_shared_contract.py checks them against
the same files, and the messages of both executors against each other.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, Dict, Tuple

__all__ = ["load_schema", "RETRY_DEFAULTS", "BREAKER_DEFAULTS", "TIMEOUT_MS_DEFAULT", "METRICS_SCHEMA_ID",
           "BREAKER_STATES", "ATTEMPT_SUFFIX", "BREAKER_OPEN_MESSAGE", "BREAKER_HALF_OPEN_MESSAGE",
           "TIMEOUT_MESSAGE"]


def load_schema(name: str) -> Dict[str, Any]:
    """The JSON Schema ``name`` (``"manifest"`` or ``"metrics"``) as shipped."""
    text = resources.files("remotemedia").joinpath("schemas", f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


_MANIFEST = load_schema("manifest")
_METRICS = load_schema("metrics")


def _defaults(definition: str) -> Dict[str, Any]:
    properties = _MANIFEST["$defs"][definition]["properties"]
    return {field: spec["default"] for field, spec in properties.items()}


#: The manifest's ``retry`` fields with their defaults, in schema order.
RETRY_DEFAULTS: Dict[str, Any] = _defaults("retry")
#: The manifest's ``breaker`` fields with their defaults.
BREAKER_DEFAULTS: Dict[str, Any] = _defaults("breaker")
#: A node's ``timeout_ms`` when not given (0 = none).
TIMEOUT_MS_DEFAULT: int = _MANIFEST["$defs"]["node"]["properties"]["timeout_ms"]["default"]
#: The metrics document's ``schema`` value.
METRICS_SCHEMA_ID: str = _METRICS["properties"]["schema"]["const"]
#: A node's ``circuit_state`` values: closed, open, half-open.
BREAKER_STATES: Tuple[str, str, str] = tuple(  # type: ignore[assignment]
    s for s in _METRICS["$defs"]["node"]["properties"]["circuit_state"]["enum"] if s is not None)

# The messages both executors give (str.format templates). The native
# runtime's are its own C format strings; the test checks that they read
# the same, field for field.

#: Appended to a failure's message after retries, or for a transient one.
ATTEMPT_SUFFIX = " (attempt {attempt} of {max_attempts})"
BREAKER_OPEN_MESSAGE = ("circuit breaker open for node '{node_id}' ({node_type}) after {failures} consecutive "
                        "failures; last error: {last_error}; next trial call in {wait_ms} ms")
BREAKER_HALF_OPEN_MESSAGE = ("circuit breaker half-open for node '{node_id}' ({node_type}) after {failures} "
                             "consecutive failures: a trial call is running; last error: {last_error}")
#: The end of a timed-out call's message (the native one starts with the
#: node and operation, the Python one gets them from the NodeError).
TIMEOUT_MESSAGE = "call timed out after {timeout_ms:g} ms (timeout_ms); the call was abandoned"
