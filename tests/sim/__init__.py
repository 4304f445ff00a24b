"""The chart simulator: rendering, scenarios, corpora."""
