"""Answering questions from the briefing: index, query understanding, ranking and abstention."""
