//! Hands the counters' values to prometheus-client's encoder at each
//! scrape.

use std::sync::atomic::Ordering;

use prometheus_client::{
    collector::Collector,
    encoding::{DescriptorEncoder, NoLabelSet},
    metrics::MetricType,
};

use crate::server::layer::response_budget;
use crate::status::{all_codes, go_code_name};

use super::{MethodStats, Metrics};

#[derive(Debug)]
pub(super) struct GrpcCollector(pub(super) &'static Metrics);

type NoExemplar = prometheus_client::metrics::exemplar::Exemplar<NoLabelSet, u64>;

impl GrpcCollector {
    fn counter(
        &self,
        encoder: &mut DescriptorEncoder,
        name: &str,
        help: &str,
        value: impl Fn(&MethodStats) -> u64,
    ) -> std::fmt::Result {
        let mut family = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
        for stats in self.0.all_methods() {
            family
                .encode_family(&stats.labels())?
                .encode_counter(&value(stats), None::<&NoExemplar>)?;
        }
        Ok(())
    }
}

impl Collector for GrpcCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> std::fmt::Result {
        self.counter(
            &mut encoder,
            "grpc_server_started",
            "Total number of RPCs started on the server.",
            |stats| stats.started.load(Ordering::Relaxed),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "grpc_server_handled",
                "Total number of RPCs completed on the server, regardless of success or failure.",
                None,
                MetricType::Counter,
            )?;
            for stats in self.0.all_methods() {
                let [grpc_type, service, method] = stats.labels();
                for code in all_codes() {
                    let labels = [
                        grpc_type,
                        service,
                        method,
                        ("grpc_code", go_code_name(code)),
                    ];
                    let value = stats.handled[code as usize].load(Ordering::Relaxed);
                    family
                        .encode_family(&labels)?
                        .encode_counter(&value, None::<&NoExemplar>)?;
                }
            }
        }
        self.counter(
            &mut encoder,
            "grpc_server_msg_received",
            "Total number of RPC stream messages received on the server.",
            |stats| stats.msg_received.load(Ordering::Relaxed),
        )?;
        self.counter(
            &mut encoder,
            "grpc_server_msg_sent",
            "Total number of gRPC stream messages sent by the server.",
            |stats| stats.msg_sent.load(Ordering::Relaxed),
        )?;
        {
            let mut family = encoder.encode_descriptor(
                "grpc_server_handling_seconds",
                "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
                None,
                MetricType::Histogram,
            )?;
            for stats in self.0.all_methods() {
                let (sum, count, buckets) = stats.handling.snapshot();
                family
                    .encode_family(&stats.labels())?
                    .encode_histogram::<NoLabelSet>(sum, count, &buckets, None)?;
            }
        }
        let gauges = [
            (
                "grpc_server_open_connections",
                "Connections open to the gRPC server (under TLS, from the end of their handshake).",
                &self.0.open_connections,
            ),
            (
                "grpc_server_in_flight_streams",
                "RPCs (HTTP/2 streams) the gRPC server is handling now.",
                &self.0.in_flight_streams,
            ),
        ];
        for (name, help, value) in gauges {
            encoder
                .encode_descriptor(name, help, None, MetricType::Gauge)?
                .encode_gauge(&value.load(Ordering::Relaxed))?;
        }
        encoder
            .encode_descriptor(
                "grpc_demo_response_buffer_bytes",
                "Response bytes handed to HTTP/2 and not yet taken by the clients' flow-control windows (--max-response-buffer).",
                None,
                MetricType::Gauge,
            )?
            .encode_gauge(&(response_budget::owed_bytes() as u64))?;
        encoder
            .encode_descriptor(
                "grpc_demo_response_buffer_refused",
                "Streams refused with RESOURCE_EXHAUSTED because their client owed too many unread responses.",
                None,
                MetricType::Counter,
            )?
            .encode_counter(&response_budget::refused_streams(), None::<&NoExemplar>)?;
        if let Some(registered) = crate::server::registry::registered_gauge() {
            encoder
                .encode_descriptor(
                    "grpc_demo_registered",
                    "1 while this replica's key is in the registry (serve --register), else 0.",
                    None,
                    MetricType::Gauge,
                )?
                .encode_gauge(&registered)?;
        }
        if crate::server::telemetry::otlp::enabled() {
            let spans = [
                (
                    "grpc_demo_otlp_spans_exported",
                    "Spans exported to the OTLP collector.",
                    crate::server::telemetry::otlp::exported(),
                ),
                (
                    "grpc_demo_otlp_spans_dropped",
                    "Spans dropped: export queue full or the collector unreachable.",
                    crate::server::telemetry::otlp::dropped(),
                ),
            ];
            for (name, help, value) in spans {
                encoder
                    .encode_descriptor(name, help, None, MetricType::Counter)?
                    .encode_counter(&value, None::<&NoExemplar>)?;
            }
        }
        Ok(())
    }
}
