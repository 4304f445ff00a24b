"""`[journal]` and `[notify.telegram] buttons` in the config: defaults, lookups, errors."""

from __future__ import annotations

import pytest

from atm import config as config_mod
from atm.errors import ConfigError


def test_symbols_are_found_by_chart_symbol_or_instrument() -> None:
    symbol = {"instrument": "US30", "point_value": 1.0, "tick_size": 1.0, "fee": 2.5}
    cfg = config_mod.from_dict({"journal": {"symbols": {"DIA→US30": symbol}}})
    chart, traded = cfg.journal.settings("DIA→US30"), cfg.journal.settings("US30")
    assert chart == traded and chart.fee == 2.5 and chart.instrument == "US30"
    assert cfg.journal.settings("GLD→XAUUSD").point_value == 1.0  # not listed: defaults
    assert not cfg.notify.telegram.buttons  # off unless asked for


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"journal": {"symbols": {"DIA→US30": {"point_value": 0}}}},
         "journal.symbols.DIA→US30.point_value: Input should be greater than 0"),
        ({"journal": {"symbols": {"DIA→US30": {"fee": -1.0}}}},
         "journal.symbols.DIA→US30.fee: Input should be greater than or equal to 0"),
        ({"journal": {"symbols": {"DIA→US30": {"tick": 1.0}}}},
         "journal.symbols.DIA→US30.tick: unknown key; expected one of: instrument, point_value"),
        ({"journal": {"currency": "USD"}},
         "journal.currency: unknown key; expected one of: symbols"),
        ({"notify": {"telegram": {"buttons": "yes"}}},
         "notify.telegram.buttons: Input should be a valid boolean"),
    ],
)  # fmt: skip
def test_bad_keys_are_named(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_mod.from_dict(raw, source="atm.toml")
    assert str(caught.value).startswith(f"atm.toml: {message}")
