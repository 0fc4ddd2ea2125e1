"""What a person or the service may do to the register — draft a transfer, post a seizure,
draft a purchase, resolve a reconciliation break, run the sync service — written once, so
the command line and the screen only parse input and show results (DESIGN.md, layers).

Nothing here knows Textual or argparse: a face names its fields its own way (`--from` on the
command line, `from` in the form) and passes that naming in where a message names a field.
"""
