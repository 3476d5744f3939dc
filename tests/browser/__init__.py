"""Browser tests: Playwright driving Debian's /usr/bin/chromium against a live portal."""
