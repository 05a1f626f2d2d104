"""Sends COUNT sayHello calls whose :authority is AUTHORITY (set with the
channel option grpc.default_authority), one after another on one channel,
and prints how they ended: one line per distinct status, `CODE COUNT`.

usage: malformed.py ADDR AUTHORITY COUNT
"""
import collections
import sys

import grpc

import greet_pb2
import greet_pb2_grpc


def main():
    addr, authority, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    outcomes = collections.Counter()
    options = [("grpc.default_authority", authority)]
    with grpc.insecure_channel(addr, options=options) as channel:
        greet = greet_pb2_grpc.GreetServiceStub(channel)
        for _ in range(count):
            try:
                greet.sayHello(greet_pb2.helloRequest(name="x"), timeout=10)
                outcomes["OK"] += 1
            except grpc.RpcError as err:
                outcomes[err.code().name] += 1
    for code, n in sorted(outcomes.items()):
        print(code, n, flush=True)


if __name__ == "__main__":
    main()
