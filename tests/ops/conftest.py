"""The fake Discord and its spec, as the Discord tests have them."""

from tests.discord.conftest import fake, spec

__all__ = ["fake", "spec"]
