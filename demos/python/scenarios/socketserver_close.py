# socketserver-close (chapter 2): a ThreadingTCPServer's handler thread reads from a client
# that never sends. ThreadingMixIn's handler threads are non-daemon (daemon_threads = False)
# and server_close() joins them (block_on_close = True): main waits in server_close() for a
# handler that waits for the client. CLOSE=1 is the fix: the client's connection is closed
# first, so the handler's recv() returns b"" and the handler ends.
# Source: the socketserver docs (ThreadingMixIn.daemon_threads, block_on_close).
# Run: [CLOSE=1] python3 socketserver_close.py (does not exit without the fix)
import os
import socket
import socketserver
import threading

CLOSE = os.environ.get("CLOSE", "0") == "1"  # the fix: close the connection before server_close()

handling = threading.Event()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        handling.set()
        self.request.recv(1)  # the client never sends; b"" once it closes


server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
serving = threading.Thread(target=server.serve_forever, daemon=True)
serving.start()  # step: serve
client = socket.create_connection(server.server_address)  # step: connect
handling.wait()
server.shutdown()
if CLOSE:
    client.close()  # step: fix
server.server_close()  # step: server-close
print("main is done")  # step: main-end
