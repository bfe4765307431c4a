"""Digital Post (issue 18): every letter and legal notice to an association goes to its
Digital Post by CVR as a MeMo message, through the outbox like an e-mail.

``routing`` decides which messages go and writes their outbox rows (called by
``services.notify``); ``memo`` builds the message; ``channel`` is the outbox channel that
sends a row; ``senders`` hand the message to a folder or the municipality's Digital Post
access; ``selectors`` tell the case file how each letter went.
"""
