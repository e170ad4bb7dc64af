"""``python -m vuoro_tools`` is the same as the ``vuoro`` command (the server's commands and the tools)."""

from .cli import main

main()
