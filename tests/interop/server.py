"""The tutorial's Python server: a thread-pool grpc.server answering
sayHello with "hello, NAME" and every stream message with
{code: 200, message: "doing"}. Listens on 127.0.0.1:0 and prints
"listening on 127.0.0.1:PORT" once it serves. Stops on SIGTERM.
"""
import signal
import sys
import threading
from concurrent import futures

import grpc

import greet_pb2
import greet_pb2_grpc
import message_pb2
import message_pb2_grpc


class Greeter(greet_pb2_grpc.GreetServiceServicer):
    def sayHello(self, request, context):
        return greet_pb2.helloResponse(msg="hello, " + request.name)


class Messenger(message_pb2_grpc.MessageServiceServicer):
    def iter_message(self, request_iterator, context):
        for _request in request_iterator:
            yield message_pb2.MessageResponse(code=200, message="doing")


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    greet_pb2_grpc.add_GreetServiceServicer_to_server(Greeter(), server)
    message_pb2_grpc.add_MessageServiceServicer_to_server(Messenger(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop(grace=1).wait()
    sys.exit(0)


if __name__ == "__main__":
    main()
