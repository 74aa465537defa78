# Sourced by scripts/test: the browser the site tests drive. Debian's chromium, run by
# Playwright (Python, in the test extras) through executable_path; Playwright never
# downloads a browser of its own.
apt_install chromium
