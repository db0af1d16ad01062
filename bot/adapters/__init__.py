"""Adapters: each translates between one transport and the router, and knows nothing else."""
