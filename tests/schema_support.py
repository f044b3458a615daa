"""Validation against the protocol schemas under docs/schema/ (generated from the Rust
types): a strict reading, in which an object may hold only the fields its schema names,
so that a field renamed on either side fails even where the field is optional. Used by
tests/e2e/test_protocol_contract.py (LSP extension) and
server/host/tests/test_protocol_contract.py (host protocol)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from jsonschema import Draft202012Validator

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "docs" / "schema"


def strict(schema):
    """A copy of `schema` in which objects with `properties` allow no other fields
    (`unevaluatedProperties: false`, which also sees the fields a oneOf branch names: a
    host request's `req` is named beside the oneOf of its ops). Objects that say
    `additionalProperties` (MIME bundles, a reply's op fields) keep what they say."""
    schema = copy.deepcopy(schema)

    def walk(node, inside_object=False):
        if isinstance(node, list):
            for value in node:
                walk(value, inside_object)
            return
        if not isinstance(node, dict):
            return
        is_object = "properties" in node and "additionalProperties" not in node
        if is_object and not inside_object:
            node["unevaluatedProperties"] = False
        for key, value in node.items():
            # The branches of an object's oneOf/anyOf add to its fields; anything else
            # (a property's own schema, $defs, items) is an object of its own.
            walk(value, (is_object or inside_object) if key in ("oneOf", "anyOf", "allOf") else False)

    walk(schema)
    return schema


def load(name: str) -> dict:
    """docs/schema/<name>, made strict."""
    return strict(json.loads((SCHEMA_DIR / name).read_text()))


def validator(document: dict, subschema: dict) -> Draft202012Validator:
    """A validator of `subschema`, its $refs resolved against the document's $defs."""
    return Draft202012Validator({**subschema, "$defs": document["$defs"]})


def problems(check: Draft202012Validator, message, what: str = "") -> list[str]:
    """Readable validation errors of `message` (empty when it is valid)."""
    found = []
    for error in check.iter_errors(message):
        where = "/".join(map(str, error.absolute_path)) or "top"
        found.append("%s%s at %s: %s\n  in %s" % (what and what + ": ", error.message[:400], where,
                                                  error.validator, json.dumps(message)[:400]))
    return found
