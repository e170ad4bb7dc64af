"""Tools beside the Vuoro server: they drive it from outside, as an operator or a load would.

``vuoro_tools.simulate`` replays a realistic day against a running server (``vuoro simulate``), and its light
HTTP and Socket.IO clients serve the benchmark in ``bench/`` and the multi-process tests too.  These modules may
import ``queue_server`` (to read its config or make device tokens in its database); the server never imports
them.
"""
