"""The order saga: reserve, get approval, charge, await review, notify.

Entry point: `examples.orders.handler.handler`.
"""
