"""``python -m turing_tx`` is the ``turing-tx`` command."""

import sys

from turing_tx.cli.main import main

sys.exit(main())
