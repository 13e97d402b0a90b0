# English: "5 Dec 2026" and "5 Dec 2026, 20:45" (day first, month named, 24-hour clock), so
# nobody has to guess whether 05/12 is May or December, nor read "p.m.".
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
