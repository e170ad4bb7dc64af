"""The Vuoro queue server: the Flask app, its services over the domain core, the realtime edge and the CLI.

The layers and what each may import are docs/architecture.md's (kept by tests/test_layers.py).
"""
