# asyncio-executor (chapter 2): a coroutine hands blocking work to the default executor
# (loop.run_in_executor(None, ...)) and returns. asyncio.run() ends with
# loop.shutdown_default_executor(), which joins the executor's thread: forever on 3.9-3.11;
# on 3.12 and later it gives up after 300 s, and then concurrent.futures' exit hook joins
# the same thread again. CLOSE=1 is the fix: the coroutine ends the work before it returns.
# Run: [CLOSE=1] python3 asyncio_executor.py (hangs without the fix)
import asyncio
import os
import threading

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: end the executor's work first

stop = threading.Event()


async def main():
    loop = asyncio.get_running_loop()
    work = loop.run_in_executor(None, stop.wait)  # step: submit
    await asyncio.sleep(0.05)
    if CLOSE:
        stop.set()  # step: fix
        await work
    print("main coroutine is done")  # step: main-end


asyncio.run(main())
print("main is done")
