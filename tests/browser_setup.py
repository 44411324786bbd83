"""Makes sure the Debian Chromium that the browser tests drive is installed, and prints its version.

Run as `python -m tests.browser_setup` (the Makefile's `make test` does). Playwright's own browser download is not
used: the tests launch /usr/bin/chromium through `executable_path`, offline.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Headless and quiet: no GPU, no QUIC, none of Chromium's own background network traffic (the tests count failed
# requests, and a report must open with no network at all).
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_version(executable: Path = CHROMIUM) -> str:
    result = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=True)
    return result.stdout.strip()


def ensure_chromium(executable: Path = CHROMIUM) -> str:
    """Installs the Debian `chromium` package with apt-get if `executable` is missing; returns the version line."""
    if not executable.exists():
        apt_get = shutil.which("apt-get")
        if apt_get is None:
            raise SystemExit(f"{executable} is missing and apt-get is not available: install Chromium so that "
                             f"{executable} exists, then run again.")
        prefix = [] if os.geteuid() == 0 else ["sudo"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        print(f"{executable} is missing: installing the Debian chromium package", flush=True)
        subprocess.run([*prefix, apt_get, "update"], check=True, env=env)
        subprocess.run([*prefix, apt_get, "install", "-y", "--no-install-recommends", "chromium"], check=True, env=env)
        if not executable.exists():
            raise SystemExit(f"apt-get installed chromium but {executable} still does not exist")
    return chromium_version(executable)


def main() -> int:
    print(ensure_chromium())
    return 0


if __name__ == "__main__":
    sys.exit(main())
