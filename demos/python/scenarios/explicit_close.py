# explicit-close: passed-in plus the first workaround: main closes the connection before
# it ends. CLOSE=0 leaves the close out, and this is passed-in again.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=0] python3 explicit_close.py
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE", "1") == "1"  # this lesson closes unless told not to

got_message = Event()

def ws(sock):
    for msg in sock:
        print(msg)
        got_message.set()

c = client.connect(URI)  # step: connect
t = Thread(target=ws, args=(c,), daemon=True)
t.start()  # step: start
got_message.wait(timeout=5)
if CLOSE:
    c.close()  # step: close
print("main is done")  # step: main-end
