"""Sending a Reply to Discord, and the buttons under it: Sources, and pages for the one who asked."""

from __future__ import annotations

import logging

import discord

from bot.adapters.discord import render
from bot.reply import Reply

log = logging.getLogger(__name__)


class ReplyView(discord.ui.View):
    """Previous / Next (or "More results") and Sources, usable only by the person who asked."""

    def __init__(self, reply: Reply, pages: list[render.Page], author_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.reply = reply
        self.pages = pages
        self.author_id = author_id
        self.page = 0
        self.message: discord.InteractionMessage | None = None
        if len(pages) < 2:
            self.remove_item(self.previous)
            self.remove_item(self.next)
        elif reply.kind.value == "answer":
            self.next.label = "More results"
        if not any(item.citations for page in pages for item in page.items):
            self.remove_item(self.sources)
        self._update_buttons()

    @property
    def has_buttons(self) -> bool:
        return bool(self.children)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.author_id:
            return True
        await interaction.response.send_message(
            "These buttons belong to the person who asked. Use the command yourself to get your own.",
            ephemeral=True,
        )
        return False

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary)
    async def previous(self, interaction: discord.Interaction, _: discord.ui.Button[ReplyView]) -> None:
        await self._show(interaction, self.page - 1)

    @discord.ui.button(label="Next", style=discord.ButtonStyle.secondary)
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[ReplyView]) -> None:
        await self._show(interaction, self.page + 1)

    @discord.ui.button(label="Sources", style=discord.ButtonStyle.primary)
    async def sources(self, interaction: discord.Interaction, _: discord.ui.Button[ReplyView]) -> None:
        embed = render.sources_embed(self.pages[self.page].items)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    async def _show(self, interaction: discord.Interaction, page: int) -> None:
        self.page = max(0, min(page, len(self.pages) - 1))
        self._update_buttons()
        await interaction.response.edit_message(embed=self.pages[self.page].embed, view=self)

    def _update_buttons(self) -> None:
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page >= len(self.pages) - 1

    async def on_timeout(self) -> None:
        for child in self.children:
            if isinstance(child, discord.ui.Button):
                child.disabled = True
        if self.message is not None:
            try:
                await self.message.edit(view=self)
            except discord.HTTPException as exc:  # the message may be gone; nothing to tidy then
                log.debug("could not disable buttons: %s", exc)


async def send_reply(interaction: discord.Interaction, reply: Reply, timeout: float) -> None:
    """Answer the interaction with the reply's first page, and buttons when there is more to see."""
    pages = render.pages(reply)
    view = ReplyView(reply, pages, interaction.user.id, timeout)
    extra = view if view.has_buttons else discord.utils.MISSING
    first = pages[0].embed
    if interaction.response.is_done():
        # Deferred ("thinking…"): the answer replaces the original response, as Discord documents.
        view.message = await interaction.edit_original_response(embed=first, view=extra)
        return
    callback = await interaction.response.send_message(embed=first, view=extra, ephemeral=reply.ephemeral)
    if isinstance(callback.resource, discord.InteractionMessage):
        view.message = callback.resource
