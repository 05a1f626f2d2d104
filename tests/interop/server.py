"""The tutorial's Python server: a thread-pool grpc.server answering
sayHello with "hello, NAME", every stream message with
{code: 200, message: "doing"}, watch with quotes priced 100 + seq, and
report with a summary of the readings (printing "reading DEVICE VALUE" on
stdout as each one arrives). Listens on 127.0.0.1:0 and prints
"listening on 127.0.0.1:PORT" once it serves. Stops on SIGTERM.
"""
import math
import signal
import sys
import threading
import time
from concurrent import futures

import grpc

import greet_pb2
import greet_pb2_grpc
import message_pb2
import message_pb2_grpc
import report_pb2
import report_pb2_grpc
import stock_pb2
import stock_pb2_grpc


class Greeter(greet_pb2_grpc.GreetServiceServicer):
    def sayHello(self, request, context):
        return greet_pb2.helloResponse(msg="hello, " + request.name)


class Messenger(message_pb2_grpc.MessageServiceServicer):
    def iter_message(self, request_iterator, context):
        for _request in request_iterator:
            yield message_pb2.MessageResponse(code=200, message="doing")


class Stocks(stock_pb2_grpc.StockServiceServicer):
    def watch(self, request, context):
        seq = 0
        while context.is_active() and (request.count == 0 or seq < request.count):
            seq += 1
            yield stock_pb2.Quote(symbol=request.symbol.upper(), seq=seq, price=100 + seq,
                                  time_unix_ms=int(time.time() * 1000))
            time.sleep(request.interval_ms / 1000)


class Reporter(report_pb2_grpc.ReportServiceServicer):
    def report(self, request_iterator, context):
        values, devices = [], set()
        for reading in request_iterator:
            print("reading", reading.device, reading.value, flush=True)
            if not reading.device or not math.isfinite(reading.value):
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, "bad reading %d" % (len(values) + 1))
            values.append(reading.value)
            devices.add(reading.device)
        if not values:
            return report_pb2.Summary()
        return report_pb2.Summary(count=len(values), min=min(values), max=max(values),
                                  mean=sum(values) / len(values), devices=sorted(devices))


def main():
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
    greet_pb2_grpc.add_GreetServiceServicer_to_server(Greeter(), server)
    message_pb2_grpc.add_MessageServiceServicer_to_server(Messenger(), server)
    stock_pb2_grpc.add_StockServiceServicer_to_server(Stocks(), server)
    report_pb2_grpc.add_ReportServiceServicer_to_server(Reporter(), server)
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
