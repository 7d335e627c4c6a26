"""Maintainers' tools: they work in a checkout of the repository and are not part of the package.

``REPO_ROOT`` is defined here and nowhere in ``helpers``: the installed package never looks
for the repository.
"""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
"""The root of the checkout these tools sit in."""
NOTEBOOKS = REPO_ROOT / "notebooks"
"""The committed notebooks (the answer key)."""

__all__ = ["NOTEBOOKS", "REPO_ROOT"]
