"""Screen, window and simulator capture; `atm run` on a real X display."""
