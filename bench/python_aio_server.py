"""The tutorial's server on grpc.aio (asyncio), for bench/compare.sh.
Same answers as tests/interop/server.py; prints "listening on 127.0.0.1:PORT".
"""
import asyncio
import sys

import grpc

import greet_pb2
import greet_pb2_grpc
import message_pb2
import message_pb2_grpc


class Greeter(greet_pb2_grpc.GreetServiceServicer):
    async def sayHello(self, request, context):
        return greet_pb2.helloResponse(msg="hello, " + request.name)


class Messenger(message_pb2_grpc.MessageServiceServicer):
    async def iter_message(self, request_iterator, context):
        async for _request in request_iterator:
            yield message_pb2.MessageResponse(code=200, message="doing")


async def main():
    server = grpc.aio.server()
    greet_pb2_grpc.add_GreetServiceServicer_to_server(Greeter(), server)
    message_pb2_grpc.add_MessageServiceServicer_to_server(Messenger(), server)
    port = server.add_insecure_port("127.0.0.1:" + (sys.argv[1] if len(sys.argv) > 1 else "0"))
    await server.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    await server.wait_for_termination()


if __name__ == "__main__":
    asyncio.run(main())
