"""Danish as a municipality writes it: »3. januar 2027«, »3. januar 2027 kl. 14.32«.

Django's Danish formats write the time »14:32«; Retskrivningsordbogen and the
municipalities' letters write »kl. 14.32« (docs/glossary.md). Formats not set here are
Django's own (django/conf/locale/da/formats.py).
"""

DATE_FORMAT = "j. F Y"
TIME_FORMAT = "H.i"
DATETIME_FORMAT = r"j. F Y \k\l. H.i"
