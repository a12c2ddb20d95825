"""Numbers the French way: `{{ invoice.montant|euros }}` gives « 16 800,00 € »,
`{{ count }} {{ count|noun:"courriel en échec|courriels en échec" }}` gives « 0 courriel en échec »."""

from decimal import ROUND_HALF_UP, Decimal

from django import template

from core.text import plural

register = template.Library()

# French typography: a narrow no-break space between thousands, a no-break space before the unit.
THOUSANDS = "\u202f"
BEFORE_UNIT = "\u00a0"


@register.filter
def euros(amount: Decimal | int | None) -> str:
    """`amount` with two decimals, a comma, thousands apart and the euro sign; "" for None."""
    if amount is None or amount == "":
        return ""
    cents = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "-" if cents < 0 else ""
    units, decimals = f"{abs(cents):.2f}".split(".")
    groups: list[str] = []
    while units:
        groups.insert(0, units[-3:])
        units = units[:-3]
    return f"{sign}{THOUSANDS.join(groups)},{decimals}{BEFORE_UNIT}€"


@register.filter
def noun(count: int, forms: str) -> str:
    """The form of "singular|plural" for `count`, by core.text.plural's French rule."""
    singular, plural_form = forms.split("|")
    return plural(singular, plural_form, count)
