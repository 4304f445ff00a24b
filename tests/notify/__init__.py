"""The notifiers against the fake Discord and Telegram on loopback."""
