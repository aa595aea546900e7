"""Reports read the store: terminal table, results.json, self-contained HTML."""

from redline.report.files import HTML_FILE, RESULTS_FILE, write_reports
from redline.report.terminal import print_summary, summary_table

__all__ = ["HTML_FILE", "RESULTS_FILE", "print_summary", "summary_table", "write_reports"]
