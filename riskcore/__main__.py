"""``python -m riskcore``: the command line, as the ``riskcore`` script runs it."""

import sys

from riskcore.cli import main

if __name__ == "__main__":
    sys.exit(main())
