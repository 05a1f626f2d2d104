"""The tutorial's Python client, unchanged in spirit: an insecure channel,
GreetServiceStub.sayHello, and iter_message fed by a generator of
START / PROGRESS / END messages. Prints what it receives, one line each.

usage: client.py ADDR [--gzip] [--hello-only]
"""
import sys

import grpc

import greet_pb2
import greet_pb2_grpc
import message_pb2
import message_pb2_grpc


def generate_messages():
    yield message_pb2.MessageRequest(
        msgType=message_pb2.START, msgIndex=0, role=message_pb2.CUSTOMER, data="hi")
    yield message_pb2.MessageRequest(
        msgType=message_pb2.PROGRESS, msgIndex=1, role=message_pb2.AGENT, data="working")
    yield message_pb2.MessageRequest(
        msgType=message_pb2.END, msgIndex=2, role=message_pb2.CUSTOMER, data="bye")


def main():
    addr = sys.argv[1]
    compression = grpc.Compression.Gzip if "--gzip" in sys.argv[2:] else grpc.Compression.NoCompression
    with grpc.insecure_channel(addr, compression=compression) as channel:
        greet = greet_pb2_grpc.GreetServiceStub(channel)
        response = greet.sayHello(greet_pb2.helloRequest(name="zhangjian"), timeout=10)
        print("hello:", response.msg, flush=True)
        if "--hello-only" in sys.argv[2:]:
            return

        messages = message_pb2_grpc.MessageServiceStub(channel)
        for response in messages.iter_message(generate_messages(), timeout=10):
            print("stream:", response.code, response.message, flush=True)


if __name__ == "__main__":
    main()
