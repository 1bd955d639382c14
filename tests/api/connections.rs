//! The listener under slow and greedy clients: header and idle timeouts, connection caps, and
//! the request timeout and load shedding that no header can lift.

use std::{
    net::{IpAddr, SocketAddr},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpSocket, TcpStream},
};

use crate::helpers::{spawn_app_with, TestApp};

fn server_address(app: &TestApp) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], app.config.bind.port()))
}

/// A raw connection to `app`, from the loopback address `from` (Linux routes all of
/// 127.0.0.0/8 to loopback, so 127.0.0.2 is another client on the same machine).
async fn connect_from(app: &TestApp, from: [u8; 4]) -> TcpStream {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(SocketAddr::new(IpAddr::from(from), 0)).unwrap();
    socket.connect(server_address(app)).await.unwrap()
}

/// Reads until the server closes the connection (EOF or reset); `None` if it is still open
/// after `wait`. Returns what was read.
async fn read_until_closed(stream: &mut TcpStream, wait: Duration) -> Option<String> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(wait, async {
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&received).into_owned())
}

async fn timed_ping(app: &TestApp) -> Duration {
    let started = Instant::now();
    let response = app.get("/ping", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    started.elapsed()
}

#[tokio::test]
async fn half_sent_requests_do_not_starve_others_and_are_closed_at_the_header_timeout() {
    let header_timeout = Duration::from_secs(2);
    let app =
        spawn_app_with(|config| config.connections.header_read_timeout = header_timeout).await;
    // 200 connections that never finish a request: half a request line, half the headers,
    // or nothing at all.
    let openings: [&[u8]; 3] = [b"GE", b"GET /api/v1/ping HTTP/1.1\r\nHost: kedai\r\n", b""];
    let mut held = Vec::new();
    for i in 0..200 {
        let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
        stream.write_all(openings[i % 3]).await.unwrap();
        held.push(stream);
    }
    let opened = Instant::now();

    // Someone else is served at once meanwhile.
    let mut pings: Vec<Duration> = Vec::new();
    for _ in 0..5 {
        pings.push(timed_ping(&app).await);
    }
    pings.sort();
    assert!(
        pings[2] < Duration::from_millis(100),
        "median /ping with 200 half-open connections: {pings:?}"
    );

    // Every held connection is closed once the header timeout has passed, none before.
    for stream in &mut held {
        let left = (header_timeout + Duration::from_secs(3)).saturating_sub(opened.elapsed());
        assert!(
            read_until_closed(stream, left).await.is_some(),
            "a half-open connection outlived the header timeout"
        );
    }
    assert!(opened.elapsed() >= header_timeout - Duration::from_millis(200));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_at_the_header_timeout() {
    let app = spawn_app_with(|config| {
        config.connections.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
    stream
        .write_all(b"GET /api/v1/ping HTTP/1.1\r\nHost: kedai\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    // Kept alive after the answer, then closed when no next request comes.
    let idle = Instant::now();
    assert!(read_until_closed(&mut stream, Duration::from_secs(4))
        .await
        .is_some());
    assert!(idle.elapsed() >= Duration::from_millis(800));
}

#[tokio::test]
async fn a_connection_where_nothing_moves_is_closed_at_the_idle_timeout() {
    // Headers complete, the body stalls: the request timeout is far away (30 s), the idle
    // timeout is not.
    let app =
        spawn_app_with(|config| config.connections.idle_timeout = Duration::from_secs(1)).await;
    let mut stream = connect_from(&app, [127, 0, 0, 1]).await;
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: kedai\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"username\":",
        )
        .await
        .unwrap();
    let started = Instant::now();
    assert!(
        read_until_closed(&mut stream, Duration::from_secs(5))
            .await
            .is_some(),
        "a stalled connection was kept open"
    );
    assert!(started.elapsed() >= Duration::from_millis(800));
    timed_ping(&app).await;
}

#[tokio::test]
async fn one_client_cannot_take_every_connection() {
    let app = spawn_app_with(|config| {
        config.connections.max_connections = 4;
        config.connections.max_per_client = 2;
    })
    .await;
    // Two connections from one address are the most it gets; a third is closed at once.
    let mut first = vec![
        connect_from(&app, [127, 0, 0, 2]).await,
        connect_from(&app, [127, 0, 0, 2]).await,
    ];
    let mut third = connect_from(&app, [127, 0, 0, 2]).await;
    assert_eq!(
        read_until_closed(&mut third, Duration::from_secs(2)).await,
        Some(String::new()),
        "a connection over the per-client cap is closed unanswered"
    );
    // Another client still gets in, up to the overall cap of four.
    let mut second = [
        connect_from(&app, [127, 0, 0, 3]).await,
        connect_from(&app, [127, 0, 0, 3]).await,
    ];
    let mut over = connect_from(&app, [127, 0, 0, 4]).await;
    assert!(read_until_closed(&mut over, Duration::from_secs(2))
        .await
        .is_some());
    // The held connections still work, and closing one frees its slot.
    second[0]
        .write_all(b"GET /api/v1/ping HTTP/1.1\r\nHost: kedai\r\n\r\n")
        .await
        .unwrap();
    let mut status = [0u8; 12];
    second[0].read_exact(&mut status).await.unwrap();
    assert_eq!(&status, b"HTTP/1.1 200");
    drop(first.pop());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut again = connect_from(&app, [127, 0, 0, 4]).await;
    again
        .write_all(b"GET /api/v1/ping HTTP/1.1\r\nHost: kedai\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut again, Duration::from_secs(2))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn an_upgrade_header_lifts_neither_the_request_timeout_nor_load_shedding() {
    let app = spawn_app_with(|config| {
        config.limits.request_timeout = Duration::from_secs(1);
        config.limits.max_in_flight = 1;
    })
    .await;
    // A plain REST route with a slow body, dressed up as a WebSocket upgrade.
    let mut slow = connect_from(&app, [127, 0, 0, 1]).await;
    slow.write_all(
        b"POST /api/v1/auth/login HTTP/1.1\r\nHost: kedai\r\nConnection: Upgrade\r\n\
          Upgrade: websocket\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    )
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    // It holds the one request slot, so another "upgrade" is shed.
    let mut other = connect_from(&app, [127, 0, 0, 1]).await;
    other
        .write_all(
            b"GET /api/v1/ping HTTP/1.1\r\nHost: kedai\r\nConnection: Upgrade, close\r\n\
              Upgrade: websocket\r\n\r\n",
        )
        .await
        .unwrap();
    let shed = read_until_closed(&mut other, Duration::from_secs(3))
        .await
        .unwrap();
    assert!(shed.starts_with("HTTP/1.1 503"), "{shed}");
    assert!(shed.contains("OVERLOADED"), "{shed}");

    // And the slow one is abandoned at the request timeout.
    let mut answer = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), slow.read(&mut answer))
        .await
        .expect("answered within the request timeout")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer[..n]);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("TIMEOUT"), "{answer}");
}
