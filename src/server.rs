//! The HTTP listener: accepts TCP connections and serves HTTP/1.1 on them with bounded
//! resources, so one slow or hostile device on the shop network cannot hold the server:
//!
//! - at most `max_connections` open connections, and `max_per_client` from one address
//!   (trusted proxies excepted); a connection over either cap is closed at once;
//! - a request's headers must arrive within `header_read_timeout`, counted from when the
//!   connection starts waiting for them, so an idle keep-alive connection ends then too;
//! - a connection on which no byte moves either way for `idle_timeout` is closed (a client
//!   that stops reading its response, a silent upgraded socket).
//!
//! A slow request *body* is bounded by the request timeout in `middleware::shed_load`.
//! WebSockets keep their connection slot (and the idle rule) for as long as they live.

use std::{
    collections::HashMap,
    convert::Infallible,
    future::Future,
    io,
    net::{IpAddr, SocketAddr},
    pin::Pin,
    sync::{Arc, Mutex},
    task::{Context, Poll},
    time::{Duration, Instant},
};

use hyper::{body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::rt::{TokioIo, TokioTimer};
use poem::{
    endpoint::BoxEndpoint,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
    Addr, Endpoint,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
    sync::{watch, OwnedSemaphorePermit, Semaphore},
    time::Sleep,
};

/// Bounds on connections; see the module documentation.
#[derive(Debug, Clone)]
pub struct ConnectionLimits {
    pub max_connections: usize,
    pub max_per_client: usize,
    pub header_read_timeout: Duration,
    pub idle_timeout: Duration,
    /// Addresses exempt from `max_per_client` (load balancers carry many clients).
    pub exempt: Vec<IpAddr>,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            max_connections: 4096,
            max_per_client: 256,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            exempt: Vec::new(),
        }
    }
}

/// Serves `endpoint` on `listener` until `shutdown` resolves, then stops accepting, lets
/// in-flight requests finish and waits up to `grace` for open connections to close.
pub async fn run(
    listener: TcpListener,
    endpoint: BoxEndpoint<'static>,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
    grace: Duration,
) {
    let endpoint: Arc<BoxEndpoint<'static>> = Arc::new(endpoint);
    let limits = Arc::new(limits);
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let per_client: ClientCounts = Arc::default();
    let (stop, stopping) = watch::channel(false);
    let mut last_refusal_logged: Option<Instant> = None;
    tokio::pin!(shutdown);

    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors or a peer that reset before accept: wait a
                    // moment instead of spinning.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(slot) = ConnectionSlot::take(&slots, &per_client, &limits, peer.ip()) else {
            // Logged at most once a minute: a flood must not fill the log.
            if last_refusal_logged.is_none_or(|at| at.elapsed() > Duration::from_secs(60)) {
                last_refusal_logged = Some(Instant::now());
                tracing::warn!(
                    "refusing connections from {}: over the connection limit ({} in all, {} per client)",
                    peer.ip(),
                    limits.max_connections,
                    limits.max_per_client
                );
            }
            continue;
        };
        let local = stream.local_addr().unwrap_or(peer);
        let _ = stream.set_nodelay(true);
        let io = GuardedStream::new(stream, limits.idle_timeout, slot);
        tokio::spawn(serve_connection(
            io,
            local,
            peer,
            endpoint.clone(),
            limits.header_read_timeout,
            stopping.clone(),
        ));
    }

    let _ = stop.send(true);
    drop(listener);
    let all = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
    if tokio::time::timeout(grace, slots.acquire_many(all))
        .await
        .is_err()
    {
        tracing::warn!("some connections were still open after {grace:?}; closing them");
    }
}

async fn serve_connection(
    io: GuardedStream,
    local: SocketAddr,
    peer: SocketAddr,
    endpoint: Arc<BoxEndpoint<'static>>,
    header_read_timeout: Duration,
    mut stopping: watch::Receiver<bool>,
) {
    let service = service_fn(move |req: hyper::Request<Incoming>| {
        let endpoint = endpoint.clone();
        async move {
            let req = poem::Request::from((
                req,
                LocalAddr(Addr::SocketAddr(local)),
                RemoteAddr(Addr::SocketAddr(peer)),
                Scheme::HTTP,
            ));
            let response: hyper::Response<_> = endpoint.get_response(req).await.into();
            Ok::<_, Infallible>(response)
        }
    });
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .serve_connection(TokioIo::new(io), service)
        .with_upgrades();
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stopping.wait_for(|stop| *stop) => {}
    }
    // Finish the request in flight (if any), then close.
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

type ClientCounts = Arc<Mutex<HashMap<IpAddr, usize>>>;

/// A connection's share of the caps, given back when the connection's socket is dropped.
struct ConnectionSlot {
    _permit: OwnedSemaphorePermit,
    /// `None` for an exempt address.
    client: Option<(ClientCounts, IpAddr)>,
}

impl ConnectionSlot {
    fn take(
        slots: &Arc<Semaphore>,
        per_client: &ClientCounts,
        limits: &ConnectionLimits,
        ip: IpAddr,
    ) -> Option<ConnectionSlot> {
        let permit = slots.clone().try_acquire_owned().ok()?;
        if limits.exempt.contains(&ip) {
            return Some(ConnectionSlot {
                _permit: permit,
                client: None,
            });
        }
        let mut counts = per_client
            .lock()
            .unwrap_or_else(|poison| poison.into_inner());
        let count = counts.entry(ip).or_insert(0);
        if *count >= limits.max_per_client {
            return None;
        }
        *count += 1;
        Some(ConnectionSlot {
            _permit: permit,
            client: Some((per_client.clone(), ip)),
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        if let Some((counts, ip)) = &self.client {
            let mut counts = counts.lock().unwrap_or_else(|poison| poison.into_inner());
            if let Some(count) = counts.get_mut(ip) {
                *count -= 1;
                if *count == 0 {
                    counts.remove(ip);
                }
            }
        }
    }
}

/// A client socket that fails with `TimedOut` once no byte has moved either way for
/// `idle_timeout`, and holds the connection's slot until it is dropped.
struct GuardedStream {
    inner: TcpStream,
    idle_timeout: Duration,
    last_progress: Instant,
    /// Fires at `last_progress + idle_timeout` or earlier; re-armed when it fires early.
    deadline: Pin<Box<Sleep>>,
    _slot: ConnectionSlot,
}

impl GuardedStream {
    fn new(inner: TcpStream, idle_timeout: Duration, slot: ConnectionSlot) -> Self {
        GuardedStream {
            inner,
            idle_timeout,
            last_progress: Instant::now(),
            deadline: Box::pin(tokio::time::sleep(idle_timeout)),
            _slot: slot,
        }
    }

    fn progressed(&mut self) {
        self.last_progress = Instant::now();
    }

    /// Called when the socket has nothing for us: is it time to give up?
    fn idle_expired(&mut self, cx: &mut Context<'_>) -> bool {
        while self.deadline.as_mut().poll(cx).is_ready() {
            let due = self.last_progress + self.idle_timeout;
            if Instant::now() >= due {
                return true;
            }
            self.deadline.as_mut().reset(due.into());
        }
        false
    }

    fn timed_out() -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, "connection idle for too long")
    }

    fn after_write(
        &mut self,
        cx: &mut Context<'_>,
        written: Poll<io::Result<usize>>,
    ) -> Poll<io::Result<usize>> {
        match written {
            Poll::Ready(Ok(n)) if n > 0 => {
                self.progressed();
                Poll::Ready(Ok(n))
            }
            Poll::Pending if self.idle_expired(cx) => Poll::Ready(Err(Self::timed_out())),
            other => other,
        }
    }
}

impl AsyncRead for GuardedStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.progressed();
                }
                Poll::Ready(result)
            }
            Poll::Pending if this.idle_expired(cx) => Poll::Ready(Err(Self::timed_out())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for GuardedStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.after_write(cx, written)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.after_write(cx, written)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
