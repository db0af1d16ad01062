"""Scheduled digests: when they are due (slots), what they hold (compose), where they are kept
(store), and how each is delivered exactly once (service)."""
