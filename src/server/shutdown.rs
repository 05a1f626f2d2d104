//! Stopping: SIGINT/SIGTERM become a graceful shutdown (a second one exits
//! at once), also when they arrive while the server is still starting.

use std::future::Future;

use anyhow::Context as _;

/// Holds SIGINT and SIGTERM pending from the first instruction of `serve`
/// until [`shutdown_signal`] has installed its handlers, so that a signal
/// sent right after start (`grpc-demo serve & kill $!`) is a graceful
/// shutdown instead of the default death by signal. Call it before any
/// thread is started: threads inherit the mask.
pub fn hold_shutdown_signals() {
    set_shutdown_signal_mask(libc::SIG_BLOCK);
}

/// Undoes [`hold_shutdown_signals`]; a pending signal is delivered now.
pub fn release_shutdown_signals() {
    set_shutdown_signal_mask(libc::SIG_UNBLOCK);
}

fn set_shutdown_signal_mask(how: libc::c_int) {
    // SAFETY: sigemptyset/sigaddset fill a zeroed sigset_t we own, and
    // pthread_sigmask only changes this thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::pthread_sigmask(how, &set, std::ptr::null_mut());
    }
}

/// Resolves on the first SIGINT or SIGTERM. After that, a second one exits
/// the process at once with 130 (SIGINT) or 143 (SIGTERM). The handlers are
/// installed when this is called, not when it is first polled, so call it
/// before announcing the listener.
pub fn shutdown_signal() -> anyhow::Result<impl Future<Output = ()> + Send> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt()).context("installing SIGINT handler")?;
    let mut terminate = signal(SignalKind::terminate()).context("installing SIGTERM handler")?;
    // A signal that came while starting up was held pending: it is handled
    // now, as a graceful shutdown.
    release_shutdown_signals();
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("SIGINT received"),
            _ = terminate.recv() => tracing::info!("SIGTERM received"),
        }
        tokio::spawn(async move {
            let code = tokio::select! {
                _ = interrupt.recv() => 130,
                _ = terminate.recv() => 143,
            };
            eprintln!("second signal: exiting at once");
            std::process::exit(code);
        });
    })
}
