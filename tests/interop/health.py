"""The standard Python health client (grpcio-health-checking).

usage: health.py ADDR check [SERVICE]   prints the status once
       health.py ADDR watch [SERVICE]   prints each status as it changes,
                                        until NOT_SERVING
"""
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def main():
    addr, mode = sys.argv[1], sys.argv[2]
    service = sys.argv[3] if len(sys.argv) > 3 else ""
    with grpc.insecure_channel(addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        request = health_pb2.HealthCheckRequest(service=service)
        if mode == "check":
            response = stub.Check(request, timeout=10)
            print(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status), flush=True)
            return
        for response in stub.Watch(request, timeout=30):
            name = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
            print(name, flush=True)
            if name == "NOT_SERVING":
                return


if __name__ == "__main__":
    main()
