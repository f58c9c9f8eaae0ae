"""Validating registry files: YAML with positions (``yamldoc``), the JSON Schemas (``schemas``),
the rules of one file (``file_rules``) and of several (``crossfile_rules``), private-key detection
(``secret_scan``), the rule catalogue with its Chinese and English wording (``messages``), the
findings and their formats (``findings``), and the whole check (``check``)."""
