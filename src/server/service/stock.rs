//! StockService: server streaming. One request, then quotes until `count`,
//! the client's cancel or its deadline.

use std::{
    cmp::Ordering,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use tokio::time::{Interval, MissedTickBehavior, Sleep};
use tokio_stream::Stream;
use tonic::{Request, Response, Status};

use super::message::stream_deadline;
use crate::proto::{stock_service_server::StockService, Quote, WatchRequest};

const MAX_SYMBOL_LEN: usize = 12;

#[derive(Debug, Default, Clone)]
pub struct Stocks;

#[tonic::async_trait]
impl StockService for Stocks {
    type watchStream = Quotes;

    async fn watch(
        &self,
        request: Request<WatchRequest>,
    ) -> Result<Response<Self::watchStream>, Status> {
        let deadline = stream_deadline(request.metadata());
        let WatchRequest {
            symbol,
            count,
            interval_ms,
        } = request.into_inner();
        let symbol = normalise_symbol(&symbol)?;
        let ticks = (interval_ms > 0).then(|| {
            // The first tick is immediate: the first quote goes at once.
            let mut ticks = tokio::time::interval(Duration::from_millis(interval_ms.into()));
            // A reader that fell behind gets the next quote one interval
            // after it asked, not a burst of the missed ones.
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            ticks
        });
        Ok(Response::new(Quotes {
            walk: PriceWalk::new(&symbol),
            symbol,
            sent: 0,
            count: u64::from(count),
            ticks,
            deadline,
            done: false,
        }))
    }
}

/// Upper-cases `symbol` and checks it: 1 to 12 characters of A-Z, 0-9, ".".
pub fn normalise_symbol(symbol: &str) -> Result<String, Status> {
    let upper = symbol.to_ascii_uppercase();
    let valid = (1..=MAX_SYMBOL_LEN).contains(&upper.len())
        && upper
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'.');
    if valid {
        Ok(upper)
    } else {
        Err(Status::invalid_argument(format!(
            "invalid symbol {symbol:?}: use 1 to {MAX_SYMBOL_LEN} characters A-Z, 0-9 or '.'"
        )))
    }
}

/// The response stream. A quote is made only when the transport polls for
/// the next message, which hyper does only while the client's HTTP/2 flow
/// control window has room: a slow reader slows the producer down (no
/// queue), and a client that cancels drops the stream, so nothing more is
/// produced for it.
pub struct Quotes {
    symbol: String,
    walk: PriceWalk,
    sent: u64,
    /// 0: no limit.
    count: u64,
    /// `None` for `interval_ms` 0.
    ticks: Option<Interval>,
    deadline: Option<Pin<Box<Sleep>>>,
    done: bool,
}

impl Stream for Quotes {
    type Item = Result<Quote, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done || (this.count > 0 && this.sent >= this.count) {
            return Poll::Ready(None);
        }
        if let Some(deadline) = this.deadline.as_mut() {
            if deadline.as_mut().poll(cx).is_ready() {
                this.done = true;
                return Poll::Ready(Some(Err(Status::deadline_exceeded("deadline exceeded"))));
            }
        }
        if let Some(ticks) = this.ticks.as_mut() {
            if ticks.poll_tick(cx).is_pending() {
                return Poll::Pending;
            }
        }
        this.sent += 1;
        Poll::Ready(Some(Ok(Quote {
            symbol: this.symbol.clone(),
            seq: this.sent,
            price: this.walk.next_price(),
            time_unix_ms: unix_ms(SystemTime::now()),
        })))
    }
}

impl Drop for Quotes {
    fn drop(&mut self) {
        tracing::debug!(symbol = %self.symbol, quotes = self.sent, "watch stream ended");
    }
}

fn unix_ms(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH).map_or(0, |since| {
        i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
    })
}

/// A deterministic random walk in cents, seeded from the symbol: each step
/// moves the price by up to ±1%, never below one cent.
#[derive(Debug, Clone)]
pub struct PriceWalk {
    state: u64,
    cents: u64,
}

impl PriceWalk {
    pub fn new(symbol: &str) -> Self {
        // FNV-1a: stable across platforms and releases, unlike std's hasher.
        let seed = symbol.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, b| {
            (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let mut walk = Self {
            state: seed,
            cents: 0,
        };
        // A starting price from 10.00 to 499.99.
        walk.cents = 1_000 + walk.next_random() % 49_000;
        walk
    }

    /// The next price, in currency units with two decimals.
    pub fn next_price(&mut self) -> f64 {
        let price = self.cents as f64 / 100.0;
        // Up to 100 basis points either way; a fall divides by what a rise
        // multiplies by, so the walk has no drift, and any move is at least
        // a cent, so a low price does not get stuck.
        let step = self.next_random() % 201;
        self.cents = match step.cmp(&100) {
            Ordering::Greater => {
                let bp = step - 100;
                self.cents
                    .saturating_add((self.cents.saturating_mul(bp) / 10_000).max(1))
            }
            Ordering::Less => {
                let bp = 100 - step;
                let fall = (self.cents.saturating_mul(bp) / (10_000 + bp)).max(1);
                self.cents.saturating_sub(fall).max(1)
            }
            Ordering::Equal => self.cents,
        };
        price
    }

    /// splitmix64.
    fn next_random(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_are_upper_cased_and_checked() {
        assert_eq!(normalise_symbol("aapl").expect("valid"), "AAPL");
        assert_eq!(normalise_symbol("BRK.B").expect("valid"), "BRK.B");
        assert_eq!(
            normalise_symbol("ABCDEFGHIJ12").expect("valid"),
            "ABCDEFGHIJ12"
        );
        for bad in ["", "aa$", "ABCDEFGHIJ123", "A B", "ÄPFEL", "a-b"] {
            let status = normalise_symbol(bad).expect_err(bad);
            assert_eq!(status.code(), tonic::Code::InvalidArgument, "{bad}");
            assert!(status.message().contains("A-Z, 0-9 or '.'"), "{bad}");
        }
    }

    #[test]
    fn the_same_symbol_walks_the_same_prices() {
        let mut a = PriceWalk::new("AAPL");
        let mut b = PriceWalk::new("AAPL");
        let mut other = PriceWalk::new("MSFT");
        let prices: Vec<f64> = (0..100).map(|_| a.next_price()).collect();
        assert_eq!(prices, (0..100).map(|_| b.next_price()).collect::<Vec<_>>());
        assert_ne!(
            prices,
            (0..100).map(|_| other.next_price()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn prices_stay_positive_and_in_cents() {
        let mut walk = PriceWalk::new("X");
        for _ in 0..100_000 {
            let price = walk.next_price();
            assert!(price >= 0.01, "{price}");
            let cents = price * 100.0;
            assert!((cents - cents.round()).abs() < 1e-6, "{price}");
        }
    }
}
