# sandbox: every knob at once. Where connect() runs decides who creates recv_events; the
# worker's own flag decides whether the worker keeps the program alive; close and the
# with-block decide whether recv_events still runs when main ends.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=1] [WITH_BLOCK=1] [CONNECT_IN=main|worker]
#      [WORKER=none|daemon|non-daemon] python3 sandbox.py
import os
from threading import Event, Thread

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"
WITH_BLOCK = os.environ.get("WITH_BLOCK") == "1"
CONNECT_IN = os.environ.get("CONNECT_IN", "main")   # "main" or "worker"
WORKER = os.environ.get("WORKER", "daemon")         # "none", "daemon" or "non-daemon"
WORKER = None if WORKER == "none" else WORKER

got_message = Event()

def receive(ws):
    for msg in ws:
        print(msg)
        got_message.set()
        if CLOSE or WITH_BLOCK or WORKER is None:
            break                  # one message is enough

def session():                     # connect, receive, maybe close
    if WITH_BLOCK:
        with client.connect(URI) as ws:  # step: connect, close
            receive(ws)
    else:
        ws = client.connect(URI)  # step: connect
        receive(ws)
        if CLOSE:
            ws.close()  # step: close

if WORKER is None:                 # no thread: main does it all
    session()
elif CONNECT_IN == "worker":       # the worker connects: it creates recv_events
    t = Thread(target=session, daemon=(WORKER == "daemon"))
    t.start()  # step: start
    got_message.wait(timeout=5)
else:                              # main connects, the worker only reads
    ws = client.connect(URI)  # step: connect
    t = Thread(target=receive, args=(ws,), daemon=(WORKER == "daemon"))
    t.start()  # step: start
    got_message.wait(timeout=5)
    if CLOSE or WITH_BLOCK:        # no with-block on this branch: main closes as one would
        ws.close()  # step: close
print("main is done")  # step: main-end
