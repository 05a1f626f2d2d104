//! The server- and client-streaming workloads: one unit of work is one
//! whole stream, counted by its messages.

use tonic::{metadata::MetadataMap, Code, Status};

use super::Transport;
use crate::proto::{
    report_service_client::ReportServiceClient, stock_service_client::StockServiceClient, Reading,
    WatchRequest,
};

/// One watch stream of `quotes` quotes, sent as fast as flow control
/// allows (`interval_ms` 0). Ok is the number of quotes received.
pub(super) async fn watch(
    client: &mut StockServiceClient<impl Transport>,
    metadata: &MetadataMap,
    quotes: u32,
) -> Result<u64, Status> {
    let request = tonic::Request::from_parts(
        metadata.clone(),
        tonic::Extensions::default(),
        WatchRequest {
            symbol: "BENCH".to_owned(),
            count: quotes,
            interval_ms: 0,
        },
    );
    let mut inbound = client.watch(request).await?.into_inner();
    let mut received = 0u64;
    while inbound.message().await?.is_some() {
        received += 1;
    }
    if received < u64::from(quotes) {
        return Err(Status::new(
            Code::DataLoss,
            format!("stream ended after {received} of {quotes} quotes"),
        ));
    }
    Ok(received)
}

/// One report stream of `readings` readings from `device`, sent as fast as
/// flow control allows. Ok is the number of readings the summary counted.
pub(super) async fn report(
    client: &mut ReportServiceClient<impl Transport>,
    metadata: &MetadataMap,
    readings: u32,
    device: &str,
) -> Result<u64, Status> {
    let device = device.to_owned();
    let outbound = tokio_stream::iter((0..readings).map(move |index| Reading {
        device: device.clone(),
        value: f64::from(index),
        time_unix_ms: 0,
    }));
    let request =
        tonic::Request::from_parts(metadata.clone(), tonic::Extensions::default(), outbound);
    let summary = client.report(request).await?.into_inner();
    if summary.count != u64::from(readings) {
        return Err(Status::new(
            Code::DataLoss,
            format!("summary counted {} of {readings} readings", summary.count),
        ));
    }
    Ok(summary.count)
}
