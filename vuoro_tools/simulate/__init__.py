"""``vuoro simulate``: replay a realistic day against a running server (a load test that doubles as a demo).

``model`` generates the day from a seed (arrivals, errands, service times, no-shows); ``runner`` plays it
through the public API and Socket.IO and ``summary`` reports it; ``command`` is the click command.  ``http``
and ``sockets`` are the light clients they use, which the benchmark in ``bench/`` and the multi-process tests
use too.
"""
