"""`[journal]`: how to value each chart's trades (point value, tick size, fees, instrument).

    [journal.symbols."DIA→US30"]
    instrument = "US30"     # what is traded; "" = the chart's symbol itself
    point_value = 1.0       # money per 1.0 of price per 1 unit of size
    tick_size = 1.0         # the instrument's price step: slippage is counted in ticks
    fee = 2.5               # money per trade, round turn, when a trade does not say

Part of the validated config (`atm.config.Config.journal`); errors name the key like the
rest of it (`journal.symbols.DIA→US30.point_value: ...`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from atm.config.sections import Model

_Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]


class SymbolJournal(Model):
    """How to value one chart's trades: its traded instrument may differ (DIA → US30)."""

    instrument: str = ""
    point_value: _Positive = 1.0
    tick_size: _Positive = 0.01
    fee: Annotated[float, Field(ge=0, allow_inf_nan=False)] = 0.0


class Journal(Model):
    symbols: dict[str, SymbolJournal] = Field(default_factory=dict)  # by symbol_label

    def settings(self, symbol: str) -> SymbolJournal:
        """A chart symbol's settings, or an instrument's; defaults when neither is listed."""
        by_instrument = {s.instrument: s for s in self.symbols.values() if s.instrument}
        return self.symbols.get(symbol) or by_instrument.get(symbol) or SymbolJournal()
