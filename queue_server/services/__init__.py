"""Use cases: one function each; each owns its transaction, commits, then notifies and prints."""
