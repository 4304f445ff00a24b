"""Windows-only tests on a real desktop: window capture and the Task Scheduler."""
