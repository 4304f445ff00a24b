"""The OS keyring behind `atm secrets` and the config, with a real file-backed backend."""
