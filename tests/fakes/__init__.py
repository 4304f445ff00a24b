"""Real stand-ins the tests and benchmarks run against: HTTP services, an X display, a renderer."""
