"""The range of every number the calculator accepts. Anything outside is refused with
:class:`rules.charging.errors.InputRangeError`, naming the field and the range, before any
arithmetic: no ``decimal`` overflow or huge loop can come from an input.

The limits are far above any real case and far below what would strain the arithmetic (the
default ``decimal`` context holds 28 digits; a weekly charge must also fit a money column of ten
digits with pence)."""

from decimal import Decimal

MAX_WEEKLY = Decimal("1000000.00")  # any weekly amount: cost of care, an income, housing, DRE
MAX_CAPITAL = Decimal("1000000000.00")  # a capital value, a home's value, a secured debt
MAX_AGE = 120
MAX_CHILDREN = 20  # dependent children, and each kind of disabled child
MAX_OWNERS = 20  # joint owners of capital or a home
MAX_WEEKS_IN_CARE_HOME = 5200  # a hundred years
