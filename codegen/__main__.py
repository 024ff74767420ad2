"""``python -m codegen`` runs the swapgen command line."""

import sys

from codegen.cli import main

sys.exit(main())
