"""Every program shown in content/ really runs.

A code block fenced ```python in a page or a lesson is a complete program: a learner copies
it and runs it with python3 as it is. This test runs each one with the real websockets
(../shared/vendor/websockets) and a local echo server behind $URI: on this interpreter with
13.0 and 12.0, and on every pyenv CPython 3.9-3.13 it finds with 13.0. It fails when one
raises, or does not end within its time limit. Python that is
only quoted (library source, the issue's original code that talks to a public server) is
fenced ```python quote and is not run.

    python3 -m unittest -v tests/python/test_snippets.py
"""
import os
import re
import subprocess
import sys
import tempfile
import threading
import tomllib
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONTENT = REPO / "content"
LIMIT = 20  # seconds: the slowest program (page 60's server) needs about 3
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```", re.M | re.S)


def find_vendor():
    """../shared/vendor/websockets next to the checkout (or an ancestor, for a worktree);
    DAEMONLAB_VENDOR overrides."""
    env = os.environ.get("DAEMONLAB_VENDOR")
    if env:
        return Path(env) if Path(env).is_dir() else None
    for parent in REPO.parents:
        p = parent / "shared" / "vendor" / "websockets"
        if p.is_dir():
            return p
    return None


def interpreters():
    """One pyenv CPython per minor version 3.9-3.13 (the newest patch), besides this one."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    best = {}
    for exe in sorted(root.glob("3.*/bin/python3")):
        parts = exe.parts[-3].split(".")
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            major, minor, patch = map(int, parts)
            if (3, 9) <= (major, minor) <= (3, 13):
                if (major, minor) not in best or patch > best[(major, minor)][0]:
                    best[(major, minor)] = (patch, str(exe))
    return [exe for _, exe in sorted(best.values(), key=lambda v: v[1])]


def texts(node):
    """Every string in a parsed TOML document."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from texts(v)
    elif isinstance(node, list):
        for v in node:
            yield from texts(v)


def programs():
    """(where, info string, code) for every fenced block in content/."""
    for path in sorted(CONTENT.rglob("*.toml")):
        with open(path, "rb") as f:
            doc = tomllib.load(f)
        for n, text in enumerate(texts(doc)):
            for m in FENCE.finditer(text):
                yield f"{path.relative_to(REPO)} (text {n})", m.group(1).strip(), m.group(2)


ECHO = """
import sys, threading
from websockets.sync.server import serve
def handler(ws):
    try:
        ws.send("greeting")
        for message in ws:
            ws.send(message)
    except Exception:
        pass
with serve(handler, "127.0.0.1", 0) as server:
    print(server.socket.getsockname()[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
"""


class Snippets(unittest.TestCase):
    def test_every_fence_is_marked(self):
        """A fence says what it holds, so nothing that should run is skipped by accident."""
        for where, info, code in programs():
            with self.subTest(where=where, first=code.splitlines()[0] if code else ""):
                self.assertIn(info, ("python", "python quote", "text", "console"),
                              "fence a program ```python, quoted Python ```python quote, "
                              "output ```text, shell commands ```console")

    def test_there_are_programs(self):
        self.assertGreaterEqual(sum(info == "python" for _, info, _ in programs()), 10)

    def test_every_program_runs(self):
        vendor = find_vendor()
        if vendor is None:
            print("\nSKIP programs in content/: no ../shared/vendor/websockets next to the "
                  "checkout (or set DAEMONLAB_VENDOR)", file=sys.stderr)
            self.skipTest("no ../shared/vendor/websockets")
        others = interpreters()
        if not others:
            print("\nno pyenv interpreters 3.9-3.13 found: content/ programs run on "
                  f"{sys.executable} only", file=sys.stderr)
        # This interpreter with 13.0 and 12.0; every other CPython found with 13.0.
        for version, pythons in (("13.0", [sys.executable] + others), ("12.0", [sys.executable])):
            env = dict(os.environ, PYTHONPATH=str(vendor / version))
            server = subprocess.Popen([sys.executable, "-c", ECHO], env=env, text=True,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            try:
                port = server.stdout.readline().strip()
                self.assertTrue(port.isdigit(), "the echo server did not start")
                env["URI"] = f"ws://127.0.0.1:{port}/"
                self.run_all(version, pythons, env)
            finally:
                server.stdin.close()
                server.wait(timeout=10)
                server.stdout.close()

    def run_all(self, version, pythons, env):
        seen, jobs = set(), []
        for where, info, code in programs():
            # A zh and an en text show the same program with different comments.
            key = re.sub(r"#.*", "", code)
            if info != "python" or key in seen:
                continue
            seen.add(key)
            # On 12.0 the program that arms faulthandler's timer hangs on purpose (page 50).
            if version == "12.0" and "dump_traceback_later" in code:
                continue
            jobs += [(python, where, code) for python in pythons]
        with tempfile.TemporaryDirectory() as tmp:
            def run(job):
                python, where, code = job
                path = Path(tempfile.mkdtemp(dir=tmp)) / "program.py"
                path.write_text(code, encoding="utf-8")
                try:
                    return subprocess.run([python, str(path)], env=env, cwd=path.parent,
                                          capture_output=True, text=True, timeout=LIMIT)
                except subprocess.TimeoutExpired:
                    return None
            # The programs mostly wait (on sockets, on sleeps): a few at a time is cheap.
            with ThreadPoolExecutor(max_workers=4) as pool:
                for (python, where, code), done in zip(jobs, pool.map(run, jobs)):
                    with self.subTest(python=python, version=version, where=where,
                                      first=code.splitlines()[0]):
                        self.assertIsNotNone(done, f"still running after {LIMIT} s")
                        self.assertNotIn("Traceback", done.stderr, done.stderr)
                        self.assertIn(done.returncode, (0, 1), done.stderr)

if __name__ == "__main__":
    unittest.main()
