"""The signal ledger: signal ids, trade records, `trades.jsonl`, imports, Telegram presses.

Domain only: records and their rules are pure; `store` and `signals` are the only modules
here that read or write files. The CLI (`atm.cli.journal`) and the Telegram poller call in.
"""
