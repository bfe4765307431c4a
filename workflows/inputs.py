"""The choices a transition's outcome field offers, by transition (screens and API alike)."""

from django.utils.translation import gettext_lazy

OUTCOMES = {
    "recommend": [
        ("grant", gettext_lazy("Support in full")),
        ("partial", gettext_lazy("Support in part")),
        ("refuse", gettext_lazy("Refuse")),
    ],
    "decide": [("grant", gettext_lazy("Grant")), ("refuse", gettext_lazy("Refuse"))],
    "decide_directly": [("grant", gettext_lazy("Grant")), ("refuse", gettext_lazy("Refuse"))],
}
