"""The ``cam-explain`` command (also ``python -m helpers explain``).

- ``command``: the arguments, the loop over photos, the report.
- ``explain``: one photo's CAM and SeCAM, its figures and arrays, written atomically.
"""

from helpers.cli.command import explain_main, main

__all__ = ["explain_main", "main"]
