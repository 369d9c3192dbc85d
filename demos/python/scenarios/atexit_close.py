# atexit-close: the most common wrong fix. main connects, a daemon thread reads, and main
# registers ws.close with atexit. But atexit handlers run only after the interpreter has
# joined every non-daemon thread: with websockets <= 12.0, recv_events is one of them, so
# the registered close() never gets to run. CLOSE=1 also closes explicitly before main ends.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=1] python3 atexit_close.py
import atexit
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

got_message = Event()

def reader(ws):
    for msg in ws:
        print(msg)
        got_message.set()

ws = client.connect(URI)  # step: connect
t = Thread(target=reader, args=(ws,), daemon=True)
t.start()  # step: start
got_message.wait(timeout=5)
atexit.register(ws.close)  # step: atexit
if CLOSE:
    ws.close()  # step: close
print("main is done")  # step: main-end
