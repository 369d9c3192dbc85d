# asyncio-executor: executor work that never ends. asyncio.run() ends with
# loop.shutdown_default_executor(), which joins the executor's thread: forever on 3.9-3.11,
# up to 300 s on 3.12 and later (then the exit hook joins it again).
# Run: python3 asyncio_executor.py (hangs)
import asyncio
import threading

never = threading.Event()


async def main():
    asyncio.get_running_loop().run_in_executor(None, never.wait)
    await asyncio.sleep(0.05)
    print("main coroutine is done")


asyncio.run(main())
