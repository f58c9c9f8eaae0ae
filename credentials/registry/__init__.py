"""The bureau's side: what is filed, as of a date.

``registry`` (load a registry directory, ask it questions as of a date), ``model`` (the value
types), ``validate/`` (every rule a registry file must follow, with findings for people), ``edit``
(change a file for a pull request, keeping its layout), ``git`` and ``diff`` (what a pull request
changes), ``describe`` (text for people), ``snapshot`` (the signed, sharded copy the offline verifier
reads). Imports nothing from the other wings.
"""
