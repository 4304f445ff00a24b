"""Real stand-ins the tests and benchmarks run against, never mocks.

http_service (the loopback HTTP server with scripted faults) under discord, telegram and
healthcheck; file_keyring (a keyring backend on a file); xvfb (an X display with openbox,
and windows showing images); live_session (`atm run` on that display); foreign_chart (a
second chart renderer); web_chart (a chart drawn by TradingView's lightweight-charts in
Chromium, its page in chart_page/); proc (a process's CPU time); fixtures (the pytest
fixtures over them, loaded by the root conftest).
"""
