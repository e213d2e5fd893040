"""Vietnamese input formats Django's own locale lacks: without them a date typed "01/07/2025"
in any form (the admin's included) is read month first, as 7 January. Everything else comes
from Django's ``vi`` locale (formats are looked up here first, then there)."""

DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
    "%d-%m-%Y %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
]
