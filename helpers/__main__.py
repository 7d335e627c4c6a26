"""``python -m helpers explain IMAGE ...``: see :mod:`helpers.cli`."""

from .cli import main

raise SystemExit(main())
