"""An HTTP/2 server that answers every request with GOAWAY (NO_ERROR, last
stream id 0): the request was not processed, as a draining server tells a
client whose stream crossed its GOAWAY (RFC 9113 section 6.8). Prints
`PORT=N` once listening on 127.0.0.1; serves until stdin closes.

usage: goaway_server.py
"""
import socket
import sys
import threading

import h2.config
import h2.connection
import h2.events
import h2.exceptions


def serve(sock):
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=False, header_encoding=None)
    )
    conn.initiate_connection()
    sock.sendall(conn.data_to_send())
    sock.settimeout(10)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.RequestReceived):
                    conn.close_connection(error_code=0, last_stream_id=0)
            sock.sendall(conn.data_to_send())
    except (OSError, h2.exceptions.ProtocolError):
        return
    finally:
        sock.close()


def main():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print(f"PORT={listener.getsockname()[1]}", flush=True)

    def accept():
        while True:
            sock, _ = listener.accept()
            threading.Thread(target=serve, args=(sock,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()


if __name__ == "__main__":
    main()
