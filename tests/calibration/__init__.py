"""Auto-detection and saving of calibrations."""
