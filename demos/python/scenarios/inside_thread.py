# inside-thread: the daemon thread's own target calls connect(), so a daemon thread
# creates recv_events.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=1] python3 inside_thread.py
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

got_message = Event()

def ws():
    ws = client.connect(URI)  # step: connect
    for msg in ws:
        print(msg)
        got_message.set()
        if CLOSE:
            ws.close()

t = Thread(target=ws, daemon=True)
t.start()  # step: start
got_message.wait(timeout=5)
print("main is done")  # step: main-end
