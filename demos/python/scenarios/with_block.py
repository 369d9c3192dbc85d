# with-block: the recommended form. Leaving the with-block closes the connection, however
# the block is left, so recv_events has ended before the program does.
# From python-websockets issue #1455 (https://github.com/python-websockets/websockets/issues/1455).
# Run: ECHO_URI=wss://... [CLOSE=1] python3 with_block.py
import os

from websockets.sync import client

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

with client.connect(URI) as websocket:  # step: connect, close
    message = websocket.recv()
    print(message)
    if CLOSE:
        websocket.close()
print("main is done")  # step: main-end
