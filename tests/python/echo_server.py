# A local TLS WebSocket echo server for the tests, on the real websockets library (any of
# the vendored versions: its sync server). It behaves like the public echo service and like
# `daemonlab serve`: a greeting first, then every message echoed back, and it never closes
# an idle connection on its own (the lessons need that).
#
#   PYTHONPATH=.../websockets/13.0 python3 echo_server.py CERT.pem KEY.pem
#
# prints the port it listens on (127.0.0.1) on one line, then serves until killed.
import ssl
import sys
import threading

from websockets.sync.server import serve

GREETING = "Request served by daemonlab-echo"


def handler(ws):
    try:
        ws.send(GREETING)
        for message in ws:
            ws.send(message)
    except Exception:
        pass


def main():
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[1], sys.argv[2])
    # No TLS 1.3 session tickets: sent just after the handshake, they reach websockets 12.0's
    # receiver thread while main writes the upgrade request, and Python's ssl then has two
    # threads in one SSL object ("[SSL] internal error", or a lost request). `daemonlab
    # serve` sends none either.
    ctx.options |= ssl.OP_NO_TICKET
    ctx.num_tickets = 0
    with serve(handler, "127.0.0.1", 0, ssl_context=ctx) as server:
        print(server.socket.getsockname()[1], flush=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        sys.stdin.read()  # until the test closes our stdin (or kills us)


if __name__ == "__main__":
    main()
