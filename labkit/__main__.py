"""``python -m labkit ...`` runs the same command as ``labkit ...``."""

import sys

from labkit.cli import main

sys.exit(main())
