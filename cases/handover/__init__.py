"""Hand-overs to the municipality's other systems (issue 18, item 6).

- ``journal.py``: the case and document system (ESDH) — the adapter interface and the
  embedded ``FolderJournal``;
- ``documents.py``: what of a case is journalised, read as bytes with its metadata;
- ``runner.py``: the ``Handover`` rows (pending → done / failed), claimed and retried like
  the notification outbox, and the trail events ``journal_case`` / ``journal_document``;
- ``finance.py`` and ``payments.py``: payment runs to the finance system (the file format,
  the embedded ``FolderFinance``, the ``hand_over_payment`` events);
- ``permissions.py``: who may hand over and who may read what was handed over.
"""
