"""How many decimals each currency's minor unit has (ISO 4217), for showing amounts.

Amounts travel in the currency's minor unit (`Amount.cents`), as payment providers charge
them: a cent of EUR, but a whole yen (JPY has no minor unit) and a fils of KWD (a thousandth
of a dinar). Dividing every amount by 100 showed approvers 125,000 JPY as "1,250.00 JPY".

Source: the ISO 4217 maintenance agency's list one (current currencies), as published in
github.com/datasets/currency-codes, data/codes-all.csv (commit ab9b0ae, 2026-02-01), column
`MinorUnit`, rows without a `WithdrawalDate`. Every current code not listed here has 2
decimals, or no minor unit at all ("N.A.": gold, SDRs, test codes), shown with the default.
"""

from __future__ import annotations

__all__ = ["DEFAULT_DECIMALS", "decimals"]

DEFAULT_DECIMALS = 2
_DECIMALS: dict[str, int] = {
    # Minor unit 0
    **dict.fromkeys(
        (
            "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG",
            "RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF",
        ),
        0,
    ),
    # Minor unit 3
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    # Minor unit 4
    **dict.fromkeys(("CLF", "UYW"), 4),
}  # fmt: skip


def decimals(currency: str) -> int:
    """The number of decimals of `currency`'s minor unit (ISO 4217; 2 when not listed)."""
    return _DECIMALS.get(currency, DEFAULT_DECIMALS)
