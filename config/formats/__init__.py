"""Date and time formats where Puljeflow differs from Django's own (FORMAT_MODULE_PATH)."""
