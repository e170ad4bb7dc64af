"""The pure domain core: ticket states, numbering, call-next policy, opening hours and wait estimates.

Nothing in this package imports Flask or SQLAlchemy, so the rules can be tested without an app or a database.
"""
