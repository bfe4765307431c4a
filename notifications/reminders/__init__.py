"""Reminders: rules evaluated by beat, each reminder sent exactly once.

Two halves. The **engine** (``engine.py``) is the sweep: it asks each rule for the
keys it has due, inserts them in batches under their unique key (rule, object, due
date, recipient), writes the notifications for the keys it won and queues their
delivery; ``run_reminders`` is what beat runs (``notifications.tasks.remind``). The
**rules** (``rules/``) each declare what is due and what to say: one class per rule,
on the contract in ``rules/base.py``. A new rule is one such class, listed in
``rules.RULES``; the engine does not change.
"""
