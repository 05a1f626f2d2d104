"""The tutorial's other two patterns, as a Python client writes them:
server streaming (StockServiceStub.watch, iterating over the quotes) and
client streaming (ReportServiceStub.report, fed by a generator of
readings). Prints what it receives, one line each.

usage: patterns_client.py ADDR
"""
import sys

import grpc

import report_pb2
import report_pb2_grpc
import stock_pb2
import stock_pb2_grpc


def generate_readings():
    yield report_pb2.Reading(device="sensor-2", value=3.5, time_unix_ms=1)
    yield report_pb2.Reading(device="sensor-1", value=-1.25, time_unix_ms=2)
    yield report_pb2.Reading(device="sensor-2", value=10, time_unix_ms=3)


def main():
    with grpc.insecure_channel(sys.argv[1]) as channel:
        stocks = stock_pb2_grpc.StockServiceStub(channel)
        for quote in stocks.watch(stock_pb2.WatchRequest(symbol="aapl", count=3, interval_ms=10), timeout=10):
            print("quote:", quote.seq, quote.symbol, "%.2f" % quote.price, flush=True)

        reports = report_pb2_grpc.ReportServiceStub(channel)
        summary = reports.report(generate_readings(), timeout=10)
        print("summary:", summary.count, summary.min, summary.max, summary.mean,
              ",".join(summary.devices), flush=True)


if __name__ == "__main__":
    main()
