#!/usr/bin/env python3
"""make_wheels.py VENDOR OUT — a small local wheel of each websockets source tree in VENDOR
(../shared/vendor/websockets/<version>/websockets, sources without packaging metadata), so
that `daemonlab setup-python --find-links OUT` installs them through pip with no network.
Pure Python: the optional C speedups are left out (websockets falls back to Python)."""
import base64
import hashlib
import os
import sys
import zipfile


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def make(tree, version, out):
    info = "websockets-%s.dist-info" % version
    path = os.path.join(out, "websockets-%s-py3-none-any.whl" % version)
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        pkg = os.path.join(tree, "websockets")
        for root, dirs, files in os.walk(pkg):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            for f in sorted(files):
                if f.endswith((".c", ".so", ".pyc")):
                    continue
                full = os.path.join(root, f)
                name = os.path.relpath(full, tree)
                with open(full, "rb") as fh:
                    data = fh.read()
                z.writestr(name, data)
                records.append(record_line(name, data))
        meta = {
            "METADATA": "Metadata-Version: 2.1\nName: websockets\nVersion: %s\n" % version,
            "WHEEL": "Wheel-Version: 1.0\nGenerator: daemonlab-tests\nRoot-Is-Purelib: true\n"
                     "Tag: py3-none-any\n",
        }
        for f, text in meta.items():
            data = text.encode()
            z.writestr(info + "/" + f, data)
            records.append(record_line(info + "/" + f, data))
        records.append(info + "/RECORD,,")
        z.writestr(info + "/RECORD", "\n".join(records) + "\n")
    return path


def main():
    vendor, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for version in sorted(os.listdir(vendor)):
        if os.path.isdir(os.path.join(vendor, version, "websockets")):
            print(make(os.path.join(vendor, version), version, out))


if __name__ == "__main__":
    main()
