"""Data sets with known answers, made offline from a seed.

- ``birdcalls``: synthetic bird-call spectrograms with the call's box (notebook 06).
- ``composites``: objects cut out of photos and pasted on backgrounds, with their masks (notebook 07).
"""

__all__ = ["birdcalls", "composites"]
