"""``python -m helpers explain IMAGE ...``: see :mod:`helpers.cli`."""

from helpers.cli.command import main

raise SystemExit(main())
