"""Discord's own OpenAPI description as the oracle for every request body, plus stricter checks.

The description is loose in places Discord is not: unknown keys pass, and the 2,000-character
content limit and the 6,000 characters across a message's embeds are not in it. `problems()`
adds those checks, so a body that Discord would refuse is refused here too.
"""

from __future__ import annotations

import gzip
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.testing import MockRequest

SPEC_VARIABLE = "BRIEFBOT_DISCORD_SPEC"
DISCORD = "https://discord.com"


def spec_path() -> Path | None:
    """The spec file named by BRIEFBOT_DISCORD_SPEC, or None when the variable is unset."""
    value = os.environ.get(SPEC_VARIABLE)
    return Path(value) if value else None


@dataclass
class SpecValidator:
    api: OpenAPI
    document: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> SpecValidator:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            document = json.load(handle)
        # No validation of the description itself (it is Discord's, and slow to validate): None turns
        # it off, which openapi-core accepts although its annotation does not say so.
        config = Config(spec_validator_cls=None)  # type: ignore[arg-type]
        return cls(OpenAPI.from_dict(document, config=config), document)

    def problems(
        self, method: str, path: str, query: dict[str, str], body: Any, headers: dict[str, str] | None = None
    ) -> list[str]:
        """Everything wrong with one request, as Discord would see it (path relative to /api/v10)."""
        raw = json.dumps(body).encode() if body is not None else None
        request = MockRequest(
            DISCORD,
            method.lower(),
            f"/api/v10{path}",
            args=query,
            headers=headers or {},
            data=raw,
            content_type="application/json" if raw is not None else "",
        )
        found: list[str] = []
        try:
            self.api.validate_request(request)
        except Exception as exc:  # openapi-core raises a family of errors; each is a refusal
            cause = exc.__cause__ or exc
            found.append(f"{type(exc).__name__}: {str(cause)[:500]}")
        if isinstance(body, dict):
            schema = self._body_schema(method, path)
            if schema is not None:
                unknown = unknown_keys(body, schema, self.document, "$")
                found += [f"unknown key {key}" for key in unknown if not ignored_by_discord(method, path, key)]
            found += limit_problems(body)
        return found

    def _body_schema(self, method: str, path: str) -> dict[str, Any] | None:
        for template, operations in self.document["paths"].items():
            if _matches(template, path):
                operation = operations.get(method.lower(), {})
                content = operation.get("requestBody", {}).get("content", {})
                media = content.get("application/json")
                return media.get("schema") if media else None
        return None


def _matches(template: str, path: str) -> bool:
    parts, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(parts) == len(actual) and all(p == a or p.startswith("{") for p, a in zip(parts, actual, strict=True))


def _resolve(schema: dict[str, Any], document: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part]
        schema = node
    return schema


_JSON_TYPES = {dict: "object", list: "array", str: "string", bool: "boolean", int: "integer", float: "number"}

# Keys that discord.py 2.7 sends on a route whose description leaves them out, and that Discord ignores
# there (it drops keys it does not know and answers 200; discord.py has sent them on every such request
# since 2.0). Any other unknown key is refused: Discord would drop it silently, so it is our mistake.
# - every embed's `flags` (Embed.to_dict);
# - `tts` in message edits, which `handle_message_parameters` always writes: an interaction callback
#   that updates a component's message (type 7, `edit_message`) and a webhook message edit
#   (`edit_original_response`, `InteractionMessage.edit`, `followup` edits).
# Creating messages (callback types 4 and 5, POST on the webhook) declares `tts`: nothing to ignore.
IGNORED_BY_DISCORD: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("*", re.compile(r""), re.compile(r"\.embeds\[\d+\]\.flags$")),
    ("POST", re.compile(r"^/interactions/[^/]+/[^/]+/callback$"), re.compile(r"^\$\.data\.tts$")),
    ("PATCH", re.compile(r"^/webhooks/[^/]+/[^/]+/messages/[^/]+$"), re.compile(r"^\$\.tts$")),
)


def ignored_by_discord(method: str, path: str, key: str) -> bool:
    return any(
        verb in ("*", method.upper()) and route.search(path) and where.search(key)
        for verb, route, where in IGNORED_BY_DISCORD
    )


def _could_be(value: Any, branch: dict[str, Any], document: dict[str, Any]) -> bool:
    """Whether `value` could be of this union branch: its JSON type, and its `type` discriminator."""
    branch = _resolve(branch, document)
    declared = branch.get("type")
    actual = "null" if value is None else _JSON_TYPES.get(type(value))
    if declared is not None:
        kinds = declared if isinstance(declared, list) else [declared]
        if actual not in kinds and not (actual == "integer" and "number" in kinds):
            return False
    discriminator = branch.get("properties", {}).get("type", {})
    if isinstance(value, dict) and "type" in value and "enum" in discriminator:
        return value["type"] in discriminator["enum"]
    return True


def unknown_keys(value: Any, schema: dict[str, Any], document: dict[str, Any], where: str) -> list[str]:
    """Keys of `value` that no branch of `schema` declares (the description allows any)."""
    schema = _resolve(schema, document)
    branches = [b for b in schema.get("anyOf") or schema.get("oneOf") or () if _could_be(value, b, document)]
    if branches:
        results = [unknown_keys(value, branch, document, where) for branch in branches]
        return min(results, key=len)
    if "allOf" in schema:
        merged: dict[str, Any] = {"type": "object", "properties": {}}
        for part in schema["allOf"]:
            merged["properties"].update(_resolve(part, document).get("properties", {}))
        schema = merged
    if isinstance(value, dict) and "properties" in schema:
        extra = schema.get("additionalProperties")
        found = []
        for key, item in value.items():
            if key in schema["properties"]:
                found += unknown_keys(item, schema["properties"][key], document, f"{where}.{key}")
            elif not extra:
                found.append(f"{where}.{key}")
        return found
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [
            k for i, item in enumerate(value) for k in unknown_keys(item, schema["items"], document, f"{where}[{i}]")
        ]
    return []


# Discord's message limits that the description leaves out.
CONTENT = 2000
EMBEDS = 10
EMBED_TOTAL = 6000
EMBED = {"title": 256, "description": 4096}
FIELDS, FIELD_NAME, FIELD_VALUE, FOOTER, AUTHOR = 25, 256, 1024, 2048, 256
CHOICES, CHOICE_TEXT = 25, 100


def message_of(body: dict[str, Any]) -> dict[str, Any] | None:
    """The message inside a body: an interaction callback's `data`, or the body itself."""
    if "type" in body and isinstance(body.get("data"), dict):
        return body["data"]
    return body


def limit_problems(body: dict[str, Any]) -> list[str]:
    message = message_of(body)
    if message is None:
        return []
    found = []
    content = message.get("content")
    if isinstance(content, str) and len(content) > CONTENT:
        found.append(f"content has {len(content)} characters (limit {CONTENT})")
    embeds = message.get("embeds") or []
    if len(embeds) > EMBEDS:
        found.append(f"{len(embeds)} embeds (limit {EMBEDS})")
    total = 0
    for n, embed in enumerate(embeds):
        if not isinstance(embed, dict):
            continue  # the description's own validation reports the wrong type
        for key, limit in EMBED.items():
            text = _text(embed.get(key))
            total += len(text)
            if len(text) > limit:
                found.append(f"embeds[{n}].{key} has {len(text)} characters (limit {limit})")
        fields = embed.get("fields") or []
        if len(fields) > FIELDS:
            found.append(f"embeds[{n}] has {len(fields)} fields (limit {FIELDS})")
        for i, field in enumerate(fields):
            name, value = _text(field.get("name")), _text(field.get("value"))
            total += len(name) + len(value)
            if not name or len(name) > FIELD_NAME:
                found.append(f"embeds[{n}].fields[{i}].name is empty or over {FIELD_NAME}")
            if not value or len(value) > FIELD_VALUE:
                found.append(f"embeds[{n}].fields[{i}].value is empty or over {FIELD_VALUE}")
        for key, part, limit in (("footer", "text", FOOTER), ("author", "name", AUTHOR)):
            text = _text((embed.get(key) or {}).get(part))
            total += len(text)
            if len(text) > limit:
                found.append(f"embeds[{n}].{key}.{part} has {len(text)} characters (limit {limit})")
    if total > EMBED_TOTAL:
        found.append(f"embeds hold {total} characters together (limit {EMBED_TOTAL})")
    choices = message.get("choices")
    if isinstance(choices, list):
        if len(choices) > CHOICES:
            found.append(f"{len(choices)} choices (limit {CHOICES})")
        for i, choice in enumerate(choices):
            for key in ("name", "value"):
                text = str(choice.get(key, ""))
                if not 1 <= len(text) <= CHOICE_TEXT:
                    found.append(f"choices[{i}].{key} has {len(text)} characters (1 to {CHOICE_TEXT})")
    return found


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def could_ping(body: dict[str, Any]) -> bool:
    """Whether a message body could notify anyone: it must say allowed_mentions parse nothing."""
    message = message_of(body)
    if message is None or not ({"content", "embeds"} & set(message)):
        return False
    allowed = message.get("allowed_mentions")
    if not isinstance(allowed, dict):
        return True
    return bool(allowed.get("parse")) or bool(allowed.get("users")) or bool(allowed.get("roles"))
