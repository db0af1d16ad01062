"""The briefing: models, loading and verification of `briefings/` against the articles in `seeds/`."""
