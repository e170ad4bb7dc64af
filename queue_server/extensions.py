"""Flask extensions, created unbound and bound to an app in :func:`queue_server.app.create_app`."""

from __future__ import annotations

from flask_login import LoginManager
from flask_socketio import SocketIO

login_manager = LoginManager()
socketio = SocketIO()
