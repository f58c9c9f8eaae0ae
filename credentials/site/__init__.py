"""What the bureau publishes: ``pages`` (every generated page and data file, pure) and ``build`` (the
MkDocs build around them, the page's JavaScript bundle, the bureau's snapshot key). Uses only the
registry wing and the foundation."""
