//! The HTTP listener: hyper's HTTP/1 connection loop, with the time limits `axum::serve` has
//! no settings for. An inbox faces the internet, so a client that opens a connection and
//! sends its request head slowly (or never) is cut off after [`Timeouts::read`], and at
//! shutdown open connections (a live-log stream, an idle keep-alive) get a bounded grace
//! period instead of holding the drain up forever. The request body's pauses are bounded by
//! the inbox itself (it reads the body with the same limit).

use std::future::Future;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// How long the listener waits for clients.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// Time a client has to send a request's head (also an idle keep-alive connection's
    /// wait for its next request).
    pub read: Duration,
    /// At shutdown, time open connections get to finish their current request.
    pub shutdown_grace: Duration,
}

/// Serves `router` on `listener` until `shutdown` completes; then stops accepting, lets open
/// connections finish their request for up to `shutdown_grace`, and closes the rest.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    timeouts: Timeouts,
) {
    let (close_tx, close_rx) = tokio::sync::watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, _peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // out of file descriptors and the like: wait for connections to close
                    eprintln!("fnhost serve: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(router.clone());
        let mut close = close_rx.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(timeouts.read);
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            let closing = async move {
                let _ = close.wait_for(|closing| *closing).await;
            };
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = closing => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = close_tx.send(true);
    let drained = tokio::time::timeout(timeouts.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        eprintln!(
            "fnhost serve: closed {} connection(s) still open after {:?}",
            connections.len(),
            timeouts.shutdown_grace
        );
        connections.abort_all();
    }
}
