"""User-facing tools built on the pipeline: demo, dry run, calibration, labelling, journal."""
