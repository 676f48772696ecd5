"""The annual complaints report: tables, charts and documents from a case export.

`build_report` is the entry point; the CLI command is `complaints report`.
"""

from classifier.report.build import Report, build_report

__all__ = ["Report", "build_report"]
