"""The browse view (`newsgrep browse`): a full-screen reading room on Textual.

`state` (what the view asks and says) and `model` (the open index, for worker threads)
are plain Python; `widgets` and `app` are the Textual side. Only `cli.reading` imports
this package, inside its command, so no other command loads Textual.
"""
