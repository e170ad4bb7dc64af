"""The first start's one-time admin password: how it reaches the operator without reaching a log.

On a terminal it is shown there.  Under systemd, Docker or any supervisor, standard output is the journal or
a log file, which keeps it for as long as logs are kept and shows it to whoever may read them: there the
password goes into a file only the server's own user can read, in the working directory (the unit's
``WorkingDirectory``), and the log says only where.  The account must change it at the first log-in, and the
file is deleted then: a password someone else has seen is not the account's.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

FILE_NAME = "vuoro-first-admin-password"


def password_file() -> Path:
    """Where the one-time password goes: the working directory (the unit's ``WorkingDirectory``)."""
    return Path.cwd() / FILE_NAME


def write_password_file(username: str, password: str) -> Path:
    """Write the one-time password to a file readable by this user only (0600, never wider); its path."""
    path = password_file()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # an older file of the same name might have had wider permissions
        os.write(fd, f"{username}\n{password}\n".encode())
    finally:
        os.close(fd)
    return path


def forget() -> None:
    """The password was changed: its file, if this process's working directory holds one, goes."""
    with contextlib.suppress(FileNotFoundError):
        password_file().unlink()
