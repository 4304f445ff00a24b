"""What a closed trade made: P&L and R in money, slippage in ticks, delay after the alert.

    P&L   = (exit − entry) × size × point_value × (+1 BUY, −1 SELL) − fees
    risk  = |entry − sl| × size × point_value          (the initial risk, in money)
    R     = P&L / risk                                  (fees included)
    slippage = (entry − alert_price) / tick_size × (+1 BUY, −1 SELL)   (> 0: paid more)

Each is None when an input is missing (an open trade, no stop-loss, no alert price).
"""

from __future__ import annotations

from atm.journal.record import Trade


def _sign(trade: Trade) -> float:
    return 1.0 if trade.direction == "BUY" else -1.0


def pnl(trade: Trade) -> float | None:
    if not trade.closed:
        return None
    assert trade.entry is not None and trade.exit is not None and trade.size is not None
    move = (trade.exit - trade.entry) * _sign(trade)
    return move * trade.size * trade.point_value - trade.fees


def risk(trade: Trade) -> float | None:
    if trade.sl is None or trade.entry is None or trade.size is None:
        return None
    return abs(trade.entry - trade.sl) * trade.size * trade.point_value


def r_multiple(trade: Trade) -> float | None:
    money, at_risk = pnl(trade), risk(trade)
    if money is None or not at_risk:
        return None
    return money / at_risk


def slippage_ticks(trade: Trade) -> float | None:
    if trade.entry is None or trade.alert_price is None or trade.direction is None:
        return None
    return (trade.entry - trade.alert_price) / trade.tick_size * _sign(trade)


def entry_delay_s(trade: Trade) -> float | None:
    """Seconds from the alert to the entry."""
    if trade.entry_time is None or trade.signal_time is None:
        return None
    return (trade.entry_time - trade.signal_time).total_seconds()
