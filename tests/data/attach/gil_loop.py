# The main thread holds the GIL in C code (a pathological re.match) for seconds; then it
# prints and exits with status 3. attach gets a time-out and must change nothing.
import re
import sys

print("ready", flush=True)
n = int(sys.argv[1]) if len(sys.argv) > 1 else 27
re.match(r"(a+)+$", "a" * n + "b")
print("regex done", flush=True)
sys.exit(3)
