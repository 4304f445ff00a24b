"""ATM: watches the M2D MAPS strip of a trading chart and alerts; it never places a trade."""

__version__ = "0.1.0"
