//! RPCs in flight per connection: for `--max-connection-idle` and for
//! choosing which idle connection to close when full.

use std::sync::{atomic::Ordering, Arc};

use http::Request;

use crate::server::layer::observe::{Observer, Watch};

use super::{now_ms, ConnInfo, ConnState};

/// Counts each connection's RPCs in flight (for `--max-connection-idle`
/// and for choosing which idle connection to close when full): an RPC is
/// in flight until its response body ends or is dropped. An observer of the
/// server's observe layer.
#[derive(Debug, Clone, Copy, Default)]
pub struct Activity;

impl Observer for Activity {
    type Watch = Option<InFlight>;

    fn start<B>(&self, request: &Request<B>) -> Self::Watch {
        ConnInfo::of(request.extensions()).map(|info| InFlight::start(&info.state))
    }
}

/// One RPC in flight; dropped when its response ends (or is abandoned).
#[derive(Debug)]
pub struct InFlight(Arc<ConnState>);

impl InFlight {
    fn start(state: &Arc<ConnState>) -> Self {
        state.active.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(state))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.last_active_ms.store(now_ms(), Ordering::Relaxed);
        self.0.active.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Watch for Option<InFlight> {
    fn headers(&mut self, _: &mut http::HeaderMap, _: &mut Option<tonic::Code>) {}
    fn trailers(&mut self, _: &mut http::HeaderMap, _: &mut Option<tonic::Code>) {}
}
