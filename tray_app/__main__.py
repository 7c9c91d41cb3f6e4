"""Run the command line with ``python -m tray_app``."""

import sys

from tray_app.cli import main

sys.exit(main())
