"""`python -m atm` runs the command line."""

from atm.cli import main

raise SystemExit(main())
