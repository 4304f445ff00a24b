"""ATM's test suite: mirrors src/atm; the fakes it runs against live in `tests.fakes`."""
