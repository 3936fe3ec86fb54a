"""Drives `exercises watch` in a pseudo-terminal, as a learner at a
terminal would: single key presses with no Enter (h, n, r then n, then
Ctrl-C), and checks that each did its job, that Ctrl-C quits cleanly and
that the terminal's settings are exactly as they were afterwards.

    python3 tests/watch-keys.py target/debug/exercises
"""
import os
import pty
import re
import select
import subprocess
import sys
import termios
import time

binary = sys.argv[1]
master, slave = pty.openpty()
before = termios.tcgetattr(slave)
watcher = subprocess.Popen([binary, "watch"], stdin=slave, stdout=slave,
                           stderr=slave, close_fds=True)
seen = b""


def read(seconds, until=None):
    """Collects the watcher's output for up to `seconds`."""
    global seen
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                return
            if until is not None and until in seen:
                return


read(900, b"save one to re-grade")
for key in [b"h", b"n", b"r", b"n", b"\x03"]:
    os.write(master, key)
    read(3)
try:
    code = watcher.wait(timeout=60)
except subprocess.TimeoutExpired:
    watcher.kill()
    sys.exit("watch did not quit on Ctrl-C:\n" + seen.decode(errors="replace"))
after = termios.tcgetattr(slave)
text = seen.decode(errors="replace")
shown = re.findall(r"^Exercise (\d+\.\d+) — ", text, re.M)
problems = []
if "Keys (a letter, then Enter" in text or "then Enter.)" in text:
    problems.append("watch asked for Enter at a terminal")
if not re.search(r"^Hint 1 of", text, re.M):
    problems.append("h showed no hint")
if len(set(shown)) < 2:
    problems.append(f"n did not move on (exercises shown: {shown})")
if "Kept your answer." not in text:
    problems.append("r then n did not keep the answer")
if code != 0:
    problems.append(f"Ctrl-C quit with status {code}")
if before != after:
    problems.append("the terminal's settings were not put back")
if problems:
    sys.exit("\n".join(problems) + "\n--- watch printed:\n" + text[-4000:])
print(f"watch at a terminal: single keys h, n, r, n, Ctrl-C worked "
      f"(exercises {' → '.join(dict.fromkeys(shown))}); terminal restored")
