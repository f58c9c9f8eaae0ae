"""What an assessment institution runs.

``roster`` and ``spreadsheet`` (rosters as offices write them), ``register`` (the SQLite issuance
register: numbers, every signed credential), ``issue`` (a roster, all or nothing), ``revoke`` and
``reissue`` (注销 and 补发, safe to repeat), ``keyring`` (the institution's keys), ``files`` and
``certificate_pdf`` (the certificate's files and the printed page), ``reports`` (结果汇总表, the
register export, the 公示 list). Uses the credential and registry wings and the foundation.
"""
