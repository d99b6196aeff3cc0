"""The directory testcanon puts on a child pytest's path (see `testcanon.target.child`).

It holds `testcanon_results`, the one pytest plugin testcanon needs in the project's own
interpreter to read results back: stdlib and pytest only, so that it loads on Python 3.9+
with pytest 7.4+ whether or not testcanon is installed there.
"""
