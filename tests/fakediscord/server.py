"""A fake Discord on 127.0.0.1 that the unmodified discord.py client logs into.

REST under /api/v10 and a gateway websocket at /gateway: HELLO, READY and GUILD_CREATE, then
whatever a test dispatches. It behaves like Discord where digests depend on it:

- every request body is checked against Discord's OpenAPI description (when one is given) and
  Discord's limits; a failing body gets Discord's 400;
- latency: every REST answer takes `latency` seconds;
- rate limits (`Limits`): 50 requests per second per bot (interaction responses exempt) and 5
  messages per 5 seconds per channel, as sliding windows, answered with Discord's 429 body
  (`retry_after`, `global`) and headers (`Retry-After`, `X-RateLimit-*`, `Via`);
- nonces: a message posted with `enforce_nonce` and a nonce seen in that channel within
  `nonce_ttl` seconds returns the first message; after that the nonce is forgotten, as Discord does;
- faults on demand: the next matching request can lose its connection or hang (before or after the
  message is created), or answer a status;
- GET /channels/{id}/messages (before, after, around, limit), so recovery can look.

Tests read what was sent from `requests` and `messages`, or, when the server runs in a process of
its own (`python -m tests.fakediscord`), through the control routes under /_fake/.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import math
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import WSMsgType, web

from tests.fakediscord.spec import SpecValidator, could_ping, limit_problems

GLOBAL_PER_SECOND = 50
CHANNEL_MESSAGES, CHANNEL_SECONDS = 5, 5.0

JSON = "application/json"  # exactly this: discord.py decodes only when the type has no charset
EPOCH = 1420070400000
PERMISSIONS_ALL = str((1 << 50) - 1)
READER = str(1024 | 2048 | 16384 | 65536)  # view channel, send messages, embed links, read history


# Where a reader uses a command, as Discord's interaction context types name them: the bot's server,
# a server the bot is not in (a user install), the reader's DM with the bot, a group DM.
Where = Literal["guild", "elsewhere", "dm", "private"]
CONTEXTS: dict[Where, int] = {"guild": 0, "elsewhere": 0, "dm": 1, "private": 2}
# Who installed the app that the interaction reaches (Discord's integration types).
Install = Literal["guild", "user"]
INSTALLS: dict[Install, int] = {"guild": 0, "user": 1}
# What an app installed by a user may do where its bot is not a member: answer, with embeds.
USER_INSTALL_PERMISSIONS = str(16384 | 32768 | 131072)  # embed links, attach files, mention everyone


def default_install(where: Where) -> Install:
    """The bot's server and its DMs are reached through the server install; elsewhere only a user's."""
    return "guild" if where == "guild" else "user"


class NotOffered(LookupError):
    """Discord would not show this command there: no reader could use it."""


@dataclass(frozen=True)
class Places:
    other_guild: str
    other_channel: str
    dm: str
    group_dm: str


_INCREMENT = itertools.count(1)


def snowflake() -> str:
    """A Discord id: milliseconds since Discord's epoch, then a counter."""
    return str(((int(time.time() * 1000) - EPOCH) << 22) + next(_INCREMENT))


def iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000+00:00", time.gmtime())


BODY: web.RequestKey[Any] = web.RequestKey("body", object)


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int
    problems: list[str] = field(default_factory=list)
    at: float = field(default_factory=time.time)  # when it arrived (wall clock, for benchmarks)


@dataclass
class Failure:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int


@dataclass
class Fault:
    """A request that goes wrong at the network level: the connection drops ("reset") or the answer
    never comes ("hang"), before or after Discord has created the message."""

    method: str
    pattern: re.Pattern[str]
    kind: str  # "reset" or "hang"
    after_create: bool
    remaining: int
    hang_seconds: float = 30.0


@dataclass
class Limits:
    """Discord's limits as this fake enforces them; None switches one off."""

    global_per_second: int | None = GLOBAL_PER_SECOND
    channel_messages: int | None = CHANNEL_MESSAGES
    channel_seconds: float = CHANNEL_SECONDS
    nonce_ttl: float = 300.0  # Discord remembers a nonce "for a few minutes"
    latency: float = 0.0


@dataclass
class Window:
    """A sliding window of request times (monotonic seconds)."""

    size: float
    times: deque[float] = field(default_factory=deque)

    def count(self, now: float) -> int:
        while self.times and self.times[0] <= now - self.size:
            self.times.popleft()
        return len(self.times)


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "bot": bot,
    }


class FakeDiscord:
    def __init__(
        self,
        spec: SpecValidator | None = None,
        *,
        strict_limits: bool = True,
        token: str | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.spec = spec
        self.limits = limits or Limits()
        # With a token, requests with any other Authorization get Discord's 401.
        self.token = token
        self.strict_limits = strict_limits
        self.application_id = snowflake()
        self.bot_user = user(self.application_id, "briefbot", bot=True)
        self.owner = user(snowflake(), "owner")
        self.reader = user(snowflake(), "reader")
        self.guild_id = snowflake()
        self.channel_id = snowflake()
        # Where else a reader can be (see `Where`): a server the bot is not in, the reader's DM with the
        # bot, a group DM; and someone whose message a reader checks.
        self.places = Places(snowflake(), snowflake(), snowflake(), snowflake())
        self.writer = user(snowflake(), "writer")
        self.acknowledged: set[str] = set()  # interaction tokens answered (a second answer is refused)
        self.requests: list[Recorded] = []
        self.messages: dict[str, dict[str, Any]] = {}  # message id → message
        self.created: dict[str, float] = {}  # message id → when it was created (wall clock)
        self.commands: dict[str | None, list[dict[str, Any]]] = {}  # guild id (None: global) → commands
        self.interactions: dict[str, dict[str, Any]] = {}  # token → interaction payload
        self.originals: dict[str, str] = {}  # interaction token → id of its response message
        self.failures: list[Failure] = []
        self.faults: list[Fault] = []
        # More text channels in the guild (REST only): every one accepts messages.
        self.channels: set[str] = {self.channel_id}
        self.by_channel: dict[str, list[dict[str, Any]]] = {}  # channel id → its messages, oldest first
        self.nonces: dict[tuple[str, str], tuple[dict[str, Any], float]] = {}  # (channel, nonce) → message, when
        self.rate_limited: Counter[str] = Counter()  # 429s answered, by scope ("global", "user")
        self.nonce_hits = 0  # repeated nonces answered with the first message
        self.posted_counts: Counter[str] = Counter()  # channel id → messages posted there
        self._global = Window(1.0)
        self._channel_windows: dict[str, Window] = {}
        # What the bot may do in the channel (the interaction's app_permissions), and channels that
        # answer its messages with 403.
        self.bot_permissions = PERMISSIONS_ALL
        self.forbidden: set[str] = set()
        self.sockets: list[web.WebSocketResponse] = []
        self.identified = asyncio.Event()
        self._sequence = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    async def start(self, port: int = 0) -> None:
        app = web.Application(middlewares=[self._record])
        app.router.add_get("/gateway", self._gateway)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(f"{api}/gateway", self._gateway_url)
        app.router.add_get(f"{api}/gateway/bot", self._gateway_bot)
        app.router.add_put(f"{api}/applications/{{app}}/commands", self._put_commands)
        app.router.add_put(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._put_commands)
        app.router.add_get(f"{api}/applications/{{app}}/commands", self._get_commands)
        app.router.add_get(f"{api}/applications/{{app}}/guilds/{{guild}}/commands", self._get_commands)
        app.router.add_post(f"{api}/interactions/{{id}}/{{token}}/callback", self._callback)
        app.router.add_route("*", f"{api}/webhooks/{{app}}/{{token}}/messages/{{message}}", self._webhook_message)
        app.router.add_post(f"{api}/webhooks/{{app}}/{{token}}", self._followup)
        app.router.add_post(f"{api}/channels/{{channel}}/messages", self._channel_message)
        app.router.add_get(f"{api}/channels/{{channel}}/messages", self._channel_messages)
        app.router.add_get(f"{api}/channels/{{channel}}", self._channel)
        add_control_routes(app, self)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for socket in list(self.sockets):
            await socket.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what tests use -----------------------------------------------------------------------

    def fail_next(self, method: str, path_pattern: str, status: int = 500, times: int = 1) -> None:
        """Answer the next `times` matching requests with `status` (a Discord outage, say)."""
        self.failures.append(Failure(method.upper(), re.compile(path_pattern), status, times))

    def fault_next(
        self,
        method: str,
        path_pattern: str,
        kind: str,
        *,
        after_create: bool = False,
        times: int = 1,
        hang_seconds: float = 30.0,
    ) -> None:
        """The next `times` matching requests lose their connection ("reset") or never get an answer
        ("hang"); with `after_create`, Discord has created the message first."""
        if kind not in ("reset", "hang"):
            raise ValueError(kind)
        self.faults.append(Fault(method.upper(), re.compile(path_pattern), kind, after_create, times, hang_seconds))

    def add_channels(self, count: int) -> list[str]:
        """`count` more text channels that accept messages (known to REST, not to the gateway)."""
        made = [snowflake() for _ in range(count)]
        self.channels.update(made)
        return made

    def channel_messages(self, channel_id: str) -> list[dict[str, Any]]:
        return list(self.by_channel.get(channel_id, []))

    def stats(self, detail: bool = True) -> dict[str, Any]:
        """What happened, for benchmarks: messages (per channel with `detail`), 429s by scope,
        repeated nonces."""
        return {
            "posted": sum(self.posted_counts.values()),
            "messages": dict(self.posted_counts) if detail else {},
            "rate_limited": dict(self.rate_limited),
            "nonce_hits": self.nonce_hits,
            "requests": len(self.requests),
        }

    async def wait_for(self, predicate: Callable[[Recorded], bool], timeout: float = 5.0) -> Recorded:
        async with self._changed:
            found = await asyncio.wait_for(
                self._changed.wait_for(lambda: next((r for r in self.requests if predicate(r)), None) is not None),
                timeout,
            )
            del found
            return next(r for r in self.requests if predicate(r))

    def sent(self, method: str, pattern: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and re.search(pattern, r.path)]

    def pinging_bodies(self) -> list[Any]:
        return [r.body for r in self.requests if isinstance(r.body, dict) and could_ping(r.body)]

    def refused(self) -> list[Recorded]:
        return [r for r in self.requests if r.problems]

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for socket in self.sockets:
            await socket.send_str(json.dumps({"op": 0, "t": event, "s": next(self._sequence), "d": data}))

    def command_id(self, name: str) -> str:
        for commands in self.commands.values():
            for command in commands:
                if command["name"] == name:
                    return str(command["id"])
        return snowflake()

    def offered(self, name: str, kind: int, where: Where, install: Install) -> dict[str, Any] | None:
        """The synced command a reader sees there, as Discord decides: a server's own commands only in
        that server; a global one wherever its `contexts` and `integration_types` allow."""
        context = CONTEXTS[where]
        found = [*(self.commands.get(self.guild_id, []) if where == "guild" else []), *self.commands.get(None, [])]
        for command in found:
            if command["name"] != name or command.get("type", 1) != kind:
                continue
            guild_command = "guild_id" in command
            contexts = command.get("contexts") or [0, 1, 2]
            installs = command.get("integration_types") or [0]
            if guild_command or (context in contexts and INSTALLS[install] in installs):
                return command
        return None

    def _command(self, name: str, kind: int, where: Where, install: Install | None) -> tuple[str, bool]:
        """The id of the command to invoke and whether it is a server's own; a command Discord would not
        show there is a test's mistake. In the bot's server an unsynced command keeps a made-up id."""
        command = self.offered(name, kind, where, install or default_install(where))
        if command is not None:
            return str(command["id"]), "guild_id" in command
        if where == "guild":
            return self.command_id(name), True
        raise NotOffered(f"Discord offers no command {name!r} (type {kind}) in {where} via a {install} install")

    def slash(
        self,
        name: str,
        options: dict[str, Any] | None = None,
        *,
        by: dict[str, Any] | None = None,
        kind: int = 2,
        where: Where = "guild",
        install: Install | None = None,
    ) -> dict[str, Any]:
        """An INTERACTION_CREATE payload for /name with options (kind 4: autocomplete of the
        option whose value is a `Focus`), used `where` the reader is through an `install`."""
        command, _, sub = name.partition(" ")
        command_id, own = self._command(command, 1, where, install)
        data: dict[str, Any] = {"id": command_id, "name": command, "type": 1}
        if own:
            data["guild_id"] = self.guild_id
        values = [_option(key, value) for key, value in (options or {}).items()]
        if sub:  # "/digest subscribe": a subcommand holding the options
            data["options"] = [{"name": sub, "type": 1, "options": values}]
        elif values:
            data["options"] = values
        return self._interaction(kind, data, by=by, where=where, install=install)

    def posted(self, content: str, *, where: Where = "guild", by: dict[str, Any] | None = None) -> dict[str, Any]:
        """A message someone else posted where the reader is, as Discord resolves it for a message
        command: with its content, although the bot has no Message Content intent (the intent's
        documented exception for the message a context-menu command is used on)."""
        return {
            "id": snowflake(),
            "type": 0,
            "channel_id": self._channel_for(where)["id"],
            "author": by or self.writer,
            "content": content,
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "components": [],
            "pinned": False,
            "flags": 0,
        }

    def message_command(
        self,
        name: str,
        message: dict[str, Any],
        *,
        by: dict[str, Any] | None = None,
        where: Where = "guild",
        install: Install | None = None,
    ) -> dict[str, Any]:
        """A message context-menu command (Apps → name) used on `message`."""
        command_id, own = self._command(name, 3, where, install)
        data: dict[str, Any] = {
            "id": command_id,
            "name": name,
            "type": 3,
            "target_id": message["id"],
            "resolved": {"messages": {message["id"]: message}},
        }
        if own:
            data["guild_id"] = self.guild_id
        return self._interaction(2, data, by=by, where=where, install=install)

    def click(self, message: dict[str, Any], custom_id: str, *, by: dict[str, Any] | None = None) -> dict[str, Any]:
        """A button click on a message the bot really posted, where that message is."""
        where: Where = next((w for w in CONTEXTS if self._channel_for(w)["id"] == message["channel_id"]), "guild")
        payload = self._interaction(3, {"custom_id": custom_id, "component_type": 2}, by=by, where=where)
        payload["message"] = message
        return payload

    def _interaction(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        by: dict[str, Any] | None,
        where: Where = "guild",
        install: Install | None = None,
    ) -> dict[str, Any]:
        token = f"token-{snowflake()}"
        who = by or self.reader
        install = install or default_install(where)
        payload: dict[str, Any] = {
            "id": snowflake(),
            "application_id": self.application_id,
            "type": kind,
            "data": data,
            "channel_id": self._channel_for(where)["id"],
            "channel": self._channel_for(where),
            "token": token,
            "version": 1,
            "app_permissions": self.bot_permissions if where == "guild" else USER_INSTALL_PERMISSIONS,
            "locale": "en-US",
            "entitlements": [],
            # Who installed the app that this interaction reaches: the server, or the user.
            "authorizing_integration_owners": (
                {"0": self.guild_id if where == "guild" else "0"} if install == "guild" else {"1": who["id"]}
            ),
            "context": CONTEXTS[where],
            "attachment_size_limit": 26214400,
        }
        if where in ("guild", "elsewhere"):
            guild_id = self.guild_id if where == "guild" else self.places.other_guild
            payload["guild_id"] = guild_id
            payload["guild_locale"] = "en-US"
            # A server the bot is not in: only what Discord sends of it, nothing to look up.
            payload["guild"] = {"id": guild_id, "locale": "en-US", "features": []}
            payload["member"] = {
                "user": who,
                "roles": [],
                "premium_since": None,
                # A reader may view, send, embed and read history; the owner (a moderator) may do all.
                "permissions": PERMISSIONS_ALL if by is self.owner else READER,
                "pending": False,
                "nick": None,
                "mute": False,
                "deaf": False,
                "joined_at": iso_now(),
                "flags": 0,
            }
        else:
            payload["user"] = who
        self.interactions[token] = payload
        return payload

    def _channel_for(self, where: Where) -> dict[str, Any]:
        """The channel of an interaction there, as Discord includes it."""
        if where == "guild":
            return self._channel_payload()
        if where == "elsewhere":
            channel = self._channel_payload() | {"id": self.places.other_channel, "guild_id": self.places.other_guild}
            return channel | {"name": "elsewhere", "permissions": READER}
        if where == "dm":
            return {"id": self.places.dm, "type": 1, "last_message_id": None, "flags": 0, "recipients": [self.reader]}
        return {
            "id": self.places.group_dm,
            "type": 3,
            "last_message_id": None,
            "flags": 0,
            "name": None,
            "icon": None,
            "owner_id": self.writer["id"],
            "recipients": [self.reader, self.writer],
        }

    # -- REST ---------------------------------------------------------------------------------

    @web.middleware
    async def _record(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        if request.path == "/gateway" or request.path.startswith("/_fake/"):
            return await handler(request)
        body = None
        if request.can_read_body:
            raw = await request.read()
            body = (
                json.loads(raw) if raw and request.content_type == "application/json" else raw.decode(errors="replace")
            )
        path = request.path.removeprefix("/api/v10")
        query = dict(request.query)
        authorised = request.headers.get("Authorization") == f"Bot {self.token}"
        if self.token is not None and not authorised and not path.startswith(("/interactions/", "/webhooks/")):
            return self._json({"message": "401: Unauthorized", "code": 0}, status=401)
        record = Recorded(request.method, path, query, body, 0)
        response: web.StreamResponse | None = self._rate_limit(request.method, path)
        if response is None:
            if request.method in ("POST", "PUT", "PATCH") or _MESSAGES.fullmatch(path):
                if self.spec is not None:
                    credentials = {k: v for k, v in request.headers.items() if k.lower() == "authorization"}
                    record.problems = self.spec.problems(request.method, path, query, body, credentials)
                elif self.strict_limits and isinstance(body, dict):
                    record.problems = limit_problems(body)
            if self.limits.latency:
                await asyncio.sleep(self.limits.latency)
            failure = next(
                (f for f in self.failures if f.remaining and f.method == request.method and f.pattern.search(path)),
                None,
            )
            fault = next(
                (f for f in self.faults if f.remaining and f.method == request.method and f.pattern.search(path)), None
            )
            if failure is not None:
                failure.remaining -= 1
                response = self._json({"message": "Internal Server Error", "code": 0}, status=failure.status)
            elif record.problems:
                errors = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": p} for p in record.problems]}
                response = self._json({"code": 50035, "message": "Invalid Form Body", "errors": errors}, status=400)
            elif fault is not None:
                fault.remaining -= 1
                request[BODY] = body
                record.status = 599  # no answer reached the client
                async with self._changed:
                    self.requests.append(record)
                    self._changed.notify_all()
                return await self._fault(fault, request, handler, record)
            else:
                request[BODY] = body
                response = await handler(request)
        record.status = response.status
        async with self._changed:
            self.requests.append(record)
            self._changed.notify_all()
        return response

    async def _fault(
        self, fault: Fault, request: web.Request, handler: Callable[..., Any], record: Recorded
    ) -> web.StreamResponse:
        """The connection drops, or the answer never comes; the message exists if `after_create`."""
        response: web.StreamResponse = web.Response(status=599)
        if fault.after_create:
            response = await handler(request)
        record.problems = [f"fault: {fault.kind}{' after creating' if fault.after_create else ''}"]
        if fault.kind == "hang":
            await asyncio.sleep(fault.hang_seconds)
        elif request.transport is not None:
            request.transport.abort()
        return response

    def _rate_limit(self, method: str, path: str) -> web.Response | None:
        """Discord's global limit (per bot, interaction responses exempt) and the per-channel limit
        on messages, as sliding windows; a refusal is Discord's 429 and is not counted."""
        now = time.monotonic()
        limits = self.limits
        counted = limits.global_per_second is not None and not path.startswith(("/interactions/", "/webhooks/"))
        if counted and self._global.count(now) >= (limits.global_per_second or 0):
            return self._too_many(self._global.times[0] + 1.0 - now, scope="global")
        channel = _POST_MESSAGE.fullmatch(path) if method == "POST" else None
        window: Window | None = None
        if channel is not None and limits.channel_messages is not None:
            window = self._channel_windows.setdefault(channel.group(1), Window(limits.channel_seconds))
            if window.count(now) >= limits.channel_messages:
                retry = window.times[0] + limits.channel_seconds - now
                return self._too_many(retry, scope="user", bucket=channel.group(1), window=window)
        if counted:
            self._global.times.append(now)
        if window is not None:
            window.times.append(now)
        return None

    def _too_many(
        self, retry: float, *, scope: str, bucket: str | None = None, window: Window | None = None
    ) -> web.Response:
        self.rate_limited[scope] += 1
        retry = max(0.001, round(retry, 3))
        is_global = scope == "global"
        body = {"message": "You are being rate limited.", "retry_after": retry, "global": is_global, "code": 0}
        headers = {"Retry-After": str(math.ceil(retry)), "X-RateLimit-Scope": scope, "Via": "1.1 google"}
        if is_global:
            headers["X-RateLimit-Global"] = "true"
        if bucket is not None and window is not None:
            headers.update(self._bucket_headers(bucket, window, reset_after=retry))
        return self._json(body, status=429, headers=headers)

    def _bucket_headers(self, channel: str, window: Window, *, reset_after: float | None = None) -> dict[str, str]:
        """Discord's X-RateLimit-* headers for the per-channel message bucket."""
        limit = self.limits.channel_messages or CHANNEL_MESSAGES
        now = time.monotonic()
        used = window.count(now)
        if reset_after is None:
            reset_after = (window.times[0] + window.size - now) if window.times else window.size
        return {
            "X-RateLimit-Limit": str(limit),
            "X-RateLimit-Remaining": str(max(0, limit - used)),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": hashlib.sha1(b"POST /channels/{channel_id}/messages").hexdigest()[:32],
        }

    def _json(self, data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
        # Set the header by hand: aiohttp's content_type= would append "; charset=utf-8".
        return web.Response(
            body=json.dumps(data).encode(), status=status, headers={"Content-Type": JSON, **(headers or {})}
        )

    async def _me(self, _: web.Request) -> web.Response:
        return self._json(self.bot_user)

    async def _gateway_url(self, _: web.Request) -> web.Response:
        return self._json({"url": self.gateway_url})

    async def _application(self, _: web.Request) -> web.Response:
        return self._json(
            {
                "id": self.application_id,
                "name": "briefbot",
                "icon": None,
                "description": "",
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": self.owner,
                "team": None,
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
                "bot": self.bot_user,
            }
        )

    async def _gateway_bot(self, _: web.Request) -> web.Response:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return self._json({"url": self.gateway_url, "shards": 1, "session_start_limit": limits})

    async def _put_commands(self, request: web.Request) -> web.Response:
        guild = request.match_info.get("guild")
        stored = []
        for command in request[BODY]:
            stored.append(
                {
                    "id": snowflake(),
                    "application_id": self.application_id,
                    "version": snowflake(),
                    "default_member_permissions": None,
                    "type": 1,
                    "nsfw": False,
                    "dm_permission": True,
                    "description": "",  # context-menu entries have none; Discord answers ""
                    **({"guild_id": guild} if guild else {}),
                    **command,
                }
            )
        self.commands[guild] = stored
        return self._json(stored)

    async def _get_commands(self, request: web.Request) -> web.Response:
        return self._json(self.commands.get(request.match_info.get("guild"), []))

    def _message(self, body: dict[str, Any], *, channel_id: str | None = None, flags: int = 0) -> dict[str, Any]:
        message: dict[str, Any] = {
            "id": snowflake(),
            "type": 0 if channel_id else 20,
            "channel_id": channel_id or self.channel_id,
            "author": self.bot_user,
            "content": body.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": body.get("flags", flags) or 0,
            "application_id": self.application_id,
        }
        self.created[message["id"]] = time.time()
        if "nonce" in body:
            message["nonce"] = body["nonce"]
        self.messages[message["id"]] = message
        if channel_id is not None:
            self.by_channel.setdefault(channel_id, []).append(message)
            self.posted_counts[channel_id] += 1
        return message

    async def _callback(self, request: web.Request) -> web.Response:
        body = request[BODY]
        token = request.match_info["token"]
        interaction = self.interactions.get(token)
        if interaction is None:
            return self._json({"message": "Unknown interaction", "code": 10062}, status=404)
        kind = body["type"]
        if token in self.acknowledged:
            return self._json({"message": "Interaction has already been acknowledged.", "code": 40060}, status=400)
        self.acknowledged.add(token)
        data = body.get("data") or {}
        resource: dict[str, Any] = {"type": kind}
        message_id = None
        if kind in (4, 5):  # a new message (5: "thinking…", edited later)
            message = self._message(data if kind == 4 else {"flags": data.get("flags", 0)})
            message["channel_id"] = interaction["channel"]["id"]
            message["interaction_token"] = token
            self.originals[token] = message["id"]
            message_id = message["id"]
            resource["message"] = message
        elif kind == 7:  # update the message the component is on
            original = interaction["message"]["id"]
            message = self.messages[original]
            message.update({k: v for k, v in data.items() if k in ("content", "embeds", "components")})
            message_id = original
            resource["message"] = message
        if "with_response" not in request.query:
            return web.Response(status=204)
        return self._json(
            {
                "interaction": {
                    "id": interaction["id"],
                    "type": interaction["type"],
                    "response_message_id": message_id,
                    "response_message_loading": kind == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & 64),
                },
                "resource": resource,
            }
        )

    def _webhook_refusal(self, request: web.Request) -> web.Response | None:
        """Follow-ups and edits go to the application's webhook of an interaction already answered
        (an interaction token, for 15 minutes); anything else is Discord's "Unknown Webhook"."""
        token = request.match_info["token"]
        if request.match_info["app"] != self.application_id or token not in self.acknowledged:
            return self._json({"message": "Unknown Webhook", "code": 10015}, status=404)
        return None

    async def _webhook_message(self, request: web.Request) -> web.Response:
        refused = self._webhook_refusal(request)
        if refused is not None:
            return refused
        token, which = request.match_info["token"], request.match_info["message"]
        message_id = self.originals.get(token) if which == "@original" else which
        if message_id is None or message_id not in self.messages:
            return self._json({"message": "Unknown Message", "code": 10008}, status=404)
        message = self.messages[message_id]
        if request.method == "PATCH":
            body = request[BODY]
            message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components", "flags")})
            message["edited_timestamp"] = iso_now()
        elif request.method == "DELETE":
            del self.messages[message_id]
            return web.Response(status=204)
        return self._json(message)

    async def _followup(self, request: web.Request) -> web.Response:
        refused = self._webhook_refusal(request)
        if refused is not None:
            return refused
        message = self._message(request[BODY])
        message["channel_id"] = self.interactions[request.match_info["token"]]["channel"]["id"]
        return self._json(message) if request.query.get("wait") in ("true", "1", "True") else web.Response(status=204)

    async def _channel_message(self, request: web.Request) -> web.Response:
        channel = request.match_info["channel"]
        if channel not in self.channels:
            return self._json({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel in self.forbidden:
            return self._json({"message": "Missing Access", "code": 50001}, status=403)
        headers = self._bucket_headers(channel, self._channel_windows.setdefault(channel, Window(CHANNEL_SECONDS)))
        body = request[BODY]
        nonce = body.get("nonce")
        now = time.monotonic()
        if nonce is not None and body.get("enforce_nonce"):
            seen = self.nonces.get((channel, str(nonce)))
            if seen is not None and now - seen[1] < self.limits.nonce_ttl:
                self.nonce_hits += 1
                return self._json(seen[0], headers=headers)  # Discord returns the first message
        message = self._message(body, channel_id=channel)
        if nonce is not None and body.get("enforce_nonce"):
            self.nonces[(channel, str(nonce))] = (message, now)
        return self._json(message, headers=headers)

    async def _channel_messages(self, request: web.Request) -> web.Response:
        """A channel's messages, newest first, like Discord: `limit` (1-100, default 50) of those
        before, after or around an id."""
        channel = request.match_info["channel"]
        if channel not in self.channels:
            return self._json({"message": "Unknown Channel", "code": 10003}, status=404)
        if channel in self.forbidden:
            return self._json({"message": "Missing Access", "code": 50001}, status=403)
        try:
            limit = int(request.query.get("limit", "50"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 100:
            return self._json({"message": "Invalid Form Body", "code": 50035}, status=400)
        visible = [m for m in self.by_channel.get(channel, []) if not m["flags"] & 64]
        if "after" in request.query:
            after = int(request.query["after"])
            chosen = [m for m in visible if int(m["id"]) > after][:limit]
        elif "before" in request.query:
            before = int(request.query["before"])
            chosen = [m for m in visible if int(m["id"]) < before][-limit:]
        elif "around" in request.query:
            around = int(request.query["around"])
            index = next((i for i, m in enumerate(visible) if int(m["id"]) >= around), len(visible))
            chosen = visible[max(0, index - limit // 2) : index - limit // 2 + limit]
        else:
            chosen = visible[-limit:]
        return self._json(sorted(chosen, key=lambda m: int(m["id"]), reverse=True))

    async def _channel(self, request: web.Request) -> web.Response:
        if request.match_info["channel"] not in self.channels:
            return self._json({"message": "Unknown Channel", "code": 10003}, status=404)
        return self._json(self._channel_payload())

    # -- gateway ------------------------------------------------------------------------------

    def _channel_payload(self) -> dict[str, Any]:
        return {
            "id": self.channel_id,
            "type": 0,
            "guild_id": self.guild_id,
            "name": "general",
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def _guild_payload(self) -> dict[str, Any]:
        everyone = {
            "id": self.guild_id,
            "name": "@everyone",
            "color": 0,
            "hoist": False,
            "position": 0,
            "permissions": READER,
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }
        return {
            "id": self.guild_id,
            "name": "Test server",
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "owner_id": self.owner["id"],
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "roles": [everyone],
            "emojis": [],
            "stickers": [],
            "features": [],
            "mfa_level": 0,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "vanity_url_code": None,
            "description": None,
            "banner": None,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "public_updates_channel_id": None,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "member_count": 3,
            "members": [],
            "channels": [self._channel_payload()],
            "threads": [],
            "presences": [],
            "voice_states": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "large": False,
            "unavailable": False,
            "joined_at": iso_now(),
        }

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        self.sockets.append(socket)
        await socket.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}}))
        try:
            async for frame in socket:
                if frame.type != WSMsgType.TEXT:
                    continue
                message = json.loads(frame.data)
                op = message.get("op")
                if op == 1:
                    await socket.send_str(json.dumps({"op": 11}))
                elif op == 2:
                    shard = message["d"].get("shard", [0, 1])
                    ready = {
                        "v": 10,
                        "user": self.bot_user,
                        "guilds": [{"id": self.guild_id, "unavailable": True}],
                        "session_id": f"session-{snowflake()}",
                        "resume_gateway_url": self.gateway_url,
                        "shard": shard,
                        "application": {"id": self.application_id, "flags": 0},
                        "private_channels": [],
                        "relationships": [],
                    }
                    await socket.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._sequence), "d": ready}))
                    if shard[0] == (int(self.guild_id) >> 22) % shard[1]:
                        await self.dispatch("GUILD_CREATE", self._guild_payload())
                    self.identified.set()
                elif op == 6:
                    await socket.send_str(json.dumps({"op": 0, "t": "RESUMED", "s": next(self._sequence), "d": {}}))
        finally:
            self.sockets.remove(socket)
        return socket


_MESSAGES = re.compile(r"/channels/\d+/messages")
_POST_MESSAGE = re.compile(r"/channels/(\d+)/messages")


def add_control_routes(app: web.Application, fake: FakeDiscord) -> None:
    """Routes under /_fake/ for tests and benchmarks that run this server in another process."""

    async def channels(request: web.Request) -> web.Response:
        count = int((await request.json()).get("count", 0))
        return fake._json({"guild_id": fake.guild_id, "channel_id": fake.channel_id, "added": fake.add_channels(count)})

    async def info(_: web.Request) -> web.Response:
        return fake._json(
            {"guild_id": fake.guild_id, "channel_id": fake.channel_id, "application_id": fake.application_id,
             "owner": fake.owner, "reader": fake.reader, "identified": fake.identified.is_set()}
        )  # fmt: skip

    async def interaction(request: web.Request) -> web.Response:
        """Dispatch a slash command: {"name": "digest send-now", "options": {…}, "by": "owner"}."""
        spec = await request.json()
        by = fake.owner if spec.get("by") == "owner" else fake.reader
        payload = fake.slash(spec["name"], spec.get("options") or {}, by=by)
        await fake.dispatch("INTERACTION_CREATE", payload)
        return fake._json({"id": payload["id"], "token": payload["token"], "sent_at": time.time()})

    async def stats(request: web.Request) -> web.Response:
        return fake._json(fake.stats(detail=request.query.get("detail") != "0"))

    async def requests(request: web.Request) -> web.Response:
        """Requests whose path matches `path` (a regular expression), with status and time."""
        pattern = re.compile(request.query.get("path", ".*"))
        found = [
            {"method": r.method, "path": r.path, "status": r.status, "at": r.at, "body": r.body}
            for r in fake.requests
            if pattern.search(r.path)
        ]
        return fake._json(found)

    async def messages(request: web.Request) -> web.Response:
        channel = request.query.get("channel")
        chosen = fake.channel_messages(channel) if channel else [m for m in fake.messages.values() if m["type"] == 0]
        return fake._json([{"id": m["id"], "channel_id": m["channel_id"], "at": fake.created[m["id"]],
                            "footer": [(e.get("footer") or {}).get("text") for e in m.get("embeds", [])]}
                           for m in chosen])  # fmt: skip

    async def faults(request: web.Request) -> web.Response:
        spec = await request.json()
        fake.fault_next(spec["method"], spec["path"], spec["kind"], after_create=spec.get("after_create", False),
                        times=spec.get("times", 1))  # fmt: skip
        return fake._json({"ok": True})

    app.router.add_post("/_fake/channels", channels)
    app.router.add_get("/_fake/info", info)
    app.router.add_post("/_fake/interaction", interaction)
    app.router.add_get("/_fake/stats", stats)
    app.router.add_get("/_fake/requests", requests)
    app.router.add_get("/_fake/messages", messages)
    app.router.add_post("/_fake/faults", faults)


def _option(name: str, value: Any) -> dict[str, Any]:
    kind = 4 if isinstance(value, int) and not isinstance(value, bool) else 3
    option: dict[str, Any] = {"name": name, "type": kind, "value": value if kind == 4 else str(value)}
    if isinstance(value, Focus):
        option["focused"] = True
    return option


class Focus(str):
    """An option value the user is typing: the interaction becomes an autocomplete request."""
