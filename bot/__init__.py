"""briefbot: a Discord bot that briefs people on the September 2023 Kim Jong Un – Vladimir Putin summit."""

__version__ = "0.1.0"
