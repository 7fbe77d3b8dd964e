"""Report how the browser test went (chromium installed? skipped, and why?)
even under -q."""


def pytest_terminal_summary(terminalreporter):
    from web_demo_utils import NOTES
    for line in NOTES:
        terminalreporter.write_line(line)
