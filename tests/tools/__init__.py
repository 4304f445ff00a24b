"""The command tools: demo, dryrun, debug, notify test."""
