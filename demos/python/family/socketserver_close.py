# socketserver-close: ThreadingMixIn.server_close() joins the handler threads
# (block_on_close) while a client is still connected: the handler reads a connection that
# is still open. Run: python3 socketserver_close.py (does not exit)
import socket
import socketserver
import threading


handling = threading.Event()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        handling.set()
        self.request.recv(1)  # the client never sends


server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
serving = threading.Thread(target=server.serve_forever, daemon=True)
serving.start()
client = socket.create_connection(server.server_address)
handling.wait()
server.shutdown()
server.server_close()  # joins the handler, which waits for the client
print("main is done")
