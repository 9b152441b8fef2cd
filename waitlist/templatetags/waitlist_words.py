"""An entry's wish in words, for its pages, its email and the front desk."""

from django import template

from ..models import PartOfDay

register = template.Library()

WEEKDAYS = ["Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays"]
PART_WORDS = {PartOfDay.MORNING: "mornings", PartOfDay.AFTERNOON: "afternoons", PartOfDay.EVENING: "evenings"}


@register.filter
def notice_words(minutes: int) -> str:
    """ "No notice needed", "At least an hour's notice", "At least 3 hours' notice"."""
    if not minutes:
        return "No notice needed"
    for size, one, many in ((1440, "a day's", "days'"), (60, "an hour's", "hours'")):
        if minutes % size == 0:
            count = minutes // size
            return f"At least {one if count == 1 else f'{count} {many}'} notice"
    return f"At least {minutes} minutes' notice"


@register.filter
def window_words(window) -> str:
    days = "Every day" if window.weekday is None else WEEKDAYS[window.weekday]
    return f"{days} {window.starts:%H:%M} to {window.ends:%H:%M}"


@register.filter
def times_words(entry, windows=None) -> str:
    """The parts of the day and explicit windows of an entry, or "any time of day"."""
    parts = [words for part, words in PART_WORDS.items() if part in entry.parts_of_day]
    said = []
    if parts:
        said.append(", ".join(parts).capitalize())
    said.extend(window_words(window) for window in (windows if windows is not None else entry.windows.all()))
    return "; ".join(said) or "Any time of day"
