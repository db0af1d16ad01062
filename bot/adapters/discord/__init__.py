"""The Discord adapter: slash commands, embeds and buttons over the router. Only this package knows Discord."""
