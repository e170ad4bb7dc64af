"""The ``vuoro`` console script: every command of the server (``queue_server.cli``) and the tools beside it.

The server's own group stays whole in ``queue_server.cli`` (``python -m queue_server`` runs it, without the
tools); this module adds the tools' commands to it, so the dependency points one way only: tools -> server.
"""

from __future__ import annotations

from queue_server.cli import main

from .simulate.command import simulate

main.add_command(simulate)

__all__ = ["main"]
