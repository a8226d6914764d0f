"""Entry point for ``python -m gdtutor``."""

import sys

from gdtutor.cli import main

sys.exit(main())
