"""What a certificate carries, and how it is signed and checked.

``claims`` (the credential and its CBOR claims map), ``commitment`` (the ID number as a salted
Argon2id commitment), ``policy`` (the one answer to "may this key sign this, on its issue date"),
``sign`` and ``verify`` (the report of named checks), ``wording`` (how results read, from the label
table), ``qr``, ``qrsymbol`` and ``images`` (the QR code, printed and photographed), ``inputs`` (what
a verifier is given). Uses the registry wing and the foundation.
"""
