"""``python -m queue_server`` is the same as the ``vuoro`` command."""

from .cli import main

main()
