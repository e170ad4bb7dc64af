"""Languages and texts: the one home of every user-facing string (gettext catalogues read with Babel) and of
the list of languages Vuoro speaks (those with a catalogue)."""
