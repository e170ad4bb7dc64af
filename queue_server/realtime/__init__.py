"""Live updates over Socket.IO: rooms, event payloads, the notifier and the client-facing handlers."""
