# threaded-client: the reporter's program. A daemon Thread subclass connects in
# __init__, which runs on the main thread, so main creates recv_events. From
# python-websockets issue #1455 (websockets 12.0; fixed in 13.0), plus a few lab lines.
# Run: ECHO_URI=wss://... [CLOSE=1] python3 threaded_client.py
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

got_message = Event()

class ThreadedClient(Thread):
    def __init__(self):
        super().__init__(name="ThreadedClient")
        self.daemon = True
        self.ws = client.connect(URI)  # step: connect
        self.start()  # step: start

    def run(self):
        for msg in self.ws:
            print(msg)
            got_message.set()

ws_client = ThreadedClient()
got_message.wait(timeout=5)
if CLOSE:
    ws_client.ws.close()  # step: close
print("main is done")  # step: main-end
exit()
