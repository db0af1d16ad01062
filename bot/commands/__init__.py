"""The commands, by family: `registry` (every command's name, options, audience and where it may be
used), `answers` (/ask), `browsing` (/brief, /topic, /who, /timeline, /quotes, /sources), `help`,
`reload`, with `items` (briefing items as reply items), `lookup` (names and typos) and `complete`
(autocomplete). `bot/router.py` dispatches to them; digests live in `bot/digest/commands.py`."""
