"""Posting digests to Discord, and looking for one in a channel, under the digest pipeline's rules.

Digests go out through an HTTP session of their own rather than discord.py's request loop: the
pipeline paces them ahead of Discord's limits and must see every outcome as it happens. discord.py
would retry 429s and 5xx internally (5 tries, with aiohttp's 300 s timeout per try), hiding both
time and doubt from the lease that guards against a double post, and cancelling it mid-retry can
leave its global rate-limit lock shut. Here every request ends within `timeout` seconds and says
what happened: posted (the id), refused (403/404), rejected (400), rate limited (429, with
`retry_after` and whether it is global), or uncertain (timeout, lost connection, 5xx). The body is
built by discord.py's own `handle_message_parameters`, exactly as `channel.send` would.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import aiohttp
import discord
from discord.http import handle_message_parameters

from bot.adapters.discord.render import digest_embed
from bot.digest.compose import carries_marker
from bot.digest.service import DeliveryRefused, DeliveryRejected, DeliveryUncertain, RateLimited
from bot.reply import Reply

PAGES = 5  # how far back to look for a digest: 5 × 100 messages after its claim


class DiscordDigestSender:
    def __init__(
        self,
        *,
        token: str,
        bot_user_id: Callable[[], int | None],
        timeout: float,
        user_agent: str,
        api_base: Callable[[], str] = lambda: discord.http.Route.BASE,
    ) -> None:
        self._token = token
        self._bot_user_id = bot_user_id
        self._timeout = timeout
        self._user_agent = user_agent
        self._api_base = api_base
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, channel_id: int, reply: Reply, nonce: str) -> int:
        params = handle_message_parameters(
            embed=digest_embed(reply), nonce=nonce, allowed_mentions=discord.AllowedMentions.none()
        )
        data = await self._request("POST", f"/channels/{channel_id}/messages", channel_id, json=params.payload)
        return int(data["id"])

    async def find(self, channel_id: int, number: int, since: datetime) -> int | None:
        """The bot's own message in the channel carrying digest `number`'s marker, posted after `since`."""
        me = self._bot_user_id()
        after = discord.utils.time_snowflake(since)
        for _ in range(PAGES):
            query = {"after": str(after), "limit": "100"}
            messages = await self._request("GET", f"/channels/{channel_id}/messages", channel_id, params=query)
            for message in messages:
                if me is not None and str(message.get("author", {}).get("id")) != str(me):
                    continue
                footers = [(embed.get("footer") or {}).get("text") for embed in message.get("embeds") or []]
                if any(carries_marker(footer, number) for footer in footers):
                    return int(message["id"])
            if len(messages) < 100:
                return None
            after = max(int(m["id"]) for m in messages)
        return None

    async def _request(self, method: str, path: str, channel_id: int, **options: Any) -> Any:
        session = self._open()
        try:
            async with session.request(method, f"{self._api_base()}{path}", **options) as response:
                raw = await response.read()
                status, headers = response.status, response.headers
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryUncertain(f"{type(exc).__name__} {exc}".strip()) from exc
        try:
            data: Any = json.loads(raw) if raw else None
        except ValueError:
            data = raw.decode(errors="replace")
        if 200 <= status < 300:
            return data
        message = data.get("message") if isinstance(data, dict) else None
        if status == 429:
            body = data if isinstance(data, dict) else {}
            retry_after = float(body.get("retry_after") or headers.get("Retry-After") or 60)
            is_global = bool(body.get("global")) or headers.get("X-RateLimit-Global", "").lower() == "true"
            raise RateLimited(retry_after, is_global)
        if status == 403:
            doing = "post in" if method == "POST" else "read the history of"
            raise DeliveryRefused(
                f"the bot may not {doing} <#{channel_id}> (403: {message or 'Missing Access'}); give it View Channel, "
                "Send Messages, Embed Links and Read Message History there, then /digest resume"
            )
        if status == 404:
            raise DeliveryRefused(
                f"<#{channel_id}> no longer exists or the bot cannot see it (404: {message or 'Unknown Channel'})"
            )
        if status >= 500:
            raise DeliveryUncertain(f"Discord answered {status}")
        raise DeliveryRejected(f"Discord refused the digest ({status}: {message or data})")

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self._timeout),
                headers={"Authorization": f"Bot {self._token}", "User-Agent": self._user_agent},
            )
        return self._session
