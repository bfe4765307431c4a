"""The input policy's limits, written once: the models, the screens' forms, the transition
inputs and the API's serializers all take their bounds from here.

A text field's limit is its kind's, never a number of its own, so the screen and the API
cannot disagree about what fits (issue 15: a withdrawal reason of 2,000,000 characters
was taken by the screens and refused by the API). ``TextField(max_length=…)`` is not
enforced by the database, but by every form generated from the model (the admin's
among them) and by DRF; the hand-written forms and serializers say it themselves.

Dates a person types are kept within a window that catches slips of the keyboard (year
1, year 9999) without refusing anything real: from 1 January 2000 (older than any grant
round the system will hold) to ten years after today (a repayment deadline or a meeting
planned far ahead still fits). See ``cases.parsing.validate_date_window``.
"""

from __future__ import annotations

#: A name, a title, a budget line's description: one line.
SHORT_TEXT = 200
#: A payment reference (the bank's or the finance system's).
REFERENCE = 100
#: A password as typed at sign-in (hashing a longer one costs more and proves nothing).
PASSWORD = 1024
#: A free text of a case: a purpose, reasons, a comment, a declaration, an explanation.
TEXT = 20_000

#: The earliest year a person may enter a date in.
EARLIEST_YEAR = 2000
#: How many years after today a date a person enters may lie.
YEARS_AHEAD = 10

#: An integer a person or a client sends: at most this many characters before parsing
#: (Python refuses to convert strings of more than 4,300 digits; nothing we count needs 19).
INTEGER_DIGITS = 18
#: The largest id or count a request may name (PostgreSQL's integer).
MAX_INT = 2_147_483_647

#: The largest id a table hands out (PostgreSQL's bigint): a larger one in a URL names nothing.
MAX_ID = 9_223_372_036_854_775_807

#: How deeply a JSON request body may nest before it is parsed.
JSON_DEPTH = 32
