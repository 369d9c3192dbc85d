# passed-in: main connects and hands the connection to a daemon thread that only reads.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=1] python3 passed_in.py
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

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
