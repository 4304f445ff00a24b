"""Notification backends behind one `Notifier` protocol, fanned out by `FanoutNotifier`."""
