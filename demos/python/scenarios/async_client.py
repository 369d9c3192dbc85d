# async-client: the asyncio client, run entirely inside a daemon thread, a workaround a
# Chinese write-up of python-websockets issue #1455 suggests. No receiver thread; the
# event loop runs in the daemon thread t.
# Run: ECHO_URI=wss://... [CLOSE=1] python3 async_client.py
import asyncio
import os
from threading import Event, Thread

from websockets import connect

URI = os.environ.get("ECHO_URI", "wss://echo.websocket.org")
CLOSE = os.environ.get("CLOSE") == "1"

got_message = Event()

async def read_messages():
    async with connect(URI) as ws:  # step: connect
        async for msg in ws:
            print(msg)
            got_message.set()
            if CLOSE:
                await ws.close()

def ws():
    asyncio.run(read_messages())

t = Thread(target=ws, daemon=True)
t.start()  # step: start
got_message.wait(timeout=5)
print("main is done")  # step: main-end
