//! One WebSocket client: replay from `since`, then live frames, pings, and limits.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use poem::web::websocket::{CloseCode, Message, WebSocketConfig, WebSocketStream};
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;
use uuid::Uuid;

use crate::{
    auth::{principal::principal_from_token, Role},
    error::AppError,
    service::events::{self, Audience},
    state::AppState,
};

/// Client frames are small control messages; anything bigger is refused by the protocol layer.
pub const MAX_CLIENT_FRAME: usize = 4 * 1024;
/// Client messages allowed per `RATE_WINDOW`.
const MAX_CLIENT_MESSAGES: u32 = 30;
const RATE_WINDOW: Duration = Duration::from_secs(10);
/// A send that takes longer than this means the client is gone or hopelessly slow.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);

/// Small buffers: the library's 128 KiB defaults cost ~130 KiB per kitchen screen or phone,
/// which adds up to 1.4 GiB at 10,000 connections. A client whose unsent frames pile past
/// 1 MiB is dropped (it resumes with `since`).
pub fn socket_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .max_message_size(Some(MAX_CLIENT_FRAME))
        .max_frame_size(Some(MAX_CLIENT_FRAME))
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024)
        .max_write_buffer_size(1024 * 1024)
}

/// Who is connected and where they resume.
pub struct Client {
    pub state: AppState,
    pub audience: Audience,
    /// The role it connected with (`None`: a guest); a change closes the socket like an
    /// audience change, so pages reload what the new role may do.
    pub role: Option<Role>,
    /// The outlet an OWNER asked to narrow to; the audience is derived again at every ping.
    pub outlet_id: Option<Uuid>,
    /// Re-checked at every ping: a deactivated user or closed table is disconnected.
    pub token: String,
    pub since: Option<i64>,
}

enum End {
    Close(CloseCode, &'static str),
    Gone,
}

pub async fn serve(socket: WebSocketStream, client: Client) {
    let (mut sink, mut stream) = socket.split();
    let end = run(&mut sink, &mut stream, &client).await;
    if let End::Close(code, reason) = end {
        let _ = send_message(&mut sink, Message::close_with(code, reason)).await;
    }
    let _ = sink.close().await;
}

async fn send<S>(sink: &mut S, text: String) -> Result<(), End>
where
    S: SinkExt<Message> + Unpin,
{
    send_message(sink, Message::Text(text)).await
}

/// Sends within `SEND_TIMEOUT`; a peer that does not take it is gone.
async fn send_message<S>(sink: &mut S, message: Message) -> Result<(), End>
where
    S: SinkExt<Message> + Unpin,
{
    match tokio::time::timeout(SEND_TIMEOUT, sink.send(message)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(End::Gone),
    }
}

async fn run<S, R>(sink: &mut S, stream: &mut R, client: &Client) -> End
where
    S: SinkExt<Message> + Unpin,
    R: StreamExt<Item = std::io::Result<Message>> + Unpin,
{
    // Subscribe before reading the backlog, so nothing committed meanwhile slips between.
    let mut live = client.state.realtime.subscribe();
    let mut shutdown = client.state.realtime.shutdown_signal();
    let db = &client.state.db;

    let mut last_sent = 0_i64;
    if let Some(since) = client.since {
        match events::can_resume_from(db.conn(), since).await {
            Ok(true) => {
                last_sent = since;
                loop {
                    let batch = match events::events_after(
                        db.conn(),
                        client.audience,
                        last_sent,
                        super::PAGE,
                    )
                    .await
                    {
                        Ok(batch) => batch,
                        Err(_) => {
                            return End::Close(CloseCode::Error, "cannot read events; reconnect")
                        }
                    };
                    let done = (batch.len() as u64) < super::PAGE;
                    for event in &batch {
                        if let Err(end) = send(sink, super::frame_value(event).to_string()).await {
                            return end;
                        }
                        last_sent = event.id;
                    }
                    if done {
                        break;
                    }
                }
            }
            Ok(false) => {
                if let Err(end) = send(sink, json!({"type": "RESYNC_REQUIRED"}).to_string()).await {
                    return end;
                }
            }
            Err(_) => return End::Close(CloseCode::Error, "cannot read events; reconnect"),
        }
    }

    let ping_every = client.state.realtime.config.ping_interval;
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut last_heard = Instant::now();
    let mut window_start = Instant::now();
    let mut messages_in_window = 0_u32;
    loop {
        tokio::select! {
            frame = live.recv() => match frame {
                Ok(frame) => {
                    if frame.id <= last_sent {
                        continue; // already sent from the backlog
                    }
                    last_sent = frame.id;
                    if client.audience.sees(&frame.kind, frame.outlet_id, frame.table_session_id) {
                        if let Err(end) = send(sink, frame.json.clone()).await {
                            return end;
                        }
                    }
                }
                Err(RecvError::Lagged(_)) => {
                    return End::Close(CloseCode::Again, "too slow; reconnect with since");
                }
                Err(RecvError::Closed) => return End::Close(CloseCode::Away, "server shutting down"),
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return End::Gone,
                Some(Ok(message)) => {
                    last_heard = Instant::now();
                    if window_start.elapsed() > RATE_WINDOW {
                        window_start = Instant::now();
                        messages_in_window = 0;
                    }
                    messages_in_window += 1;
                    if messages_in_window > MAX_CLIENT_MESSAGES {
                        return End::Close(CloseCode::Policy, "too many messages");
                    }
                    if let Message::Text(text) = message {
                        if text.contains("\"ping\"") {
                            if let Err(end) = send(sink, json!({"type": "pong"}).to_string()).await {
                                return end;
                            }
                        }
                    }
                }
            },
            _ = ping.tick() => {
                if last_heard.elapsed() > ping_every * 2 + Duration::from_secs(5) {
                    return End::Gone; // no pong: the peer is dead
                }
                // A refused token ends the socket, and so does a role or outlet change that
                // alters what it may see (REST applies those at once too); a failure to check
                // (the database being down) keeps the screen connected until the next ping.
                match principal_from_token(&client.state, &client.token).await {
                    Ok(principal) => {
                        let audience = Audience::of(&principal, client.outlet_id).ok();
                        if audience != Some(client.audience) || principal.role() != client.role {
                            return End::Close(CloseCode::Again, "your access changed; reconnect");
                        }
                    }
                    Err(AppError::Unauthorized(_) | AppError::Gone { .. }) => {
                        return End::Close(CloseCode::from(4401), "token no longer valid");
                    }
                    Err(_) => {}
                }
                if let Err(end) = send_message(sink, Message::Ping(Vec::new())).await {
                    return end;
                }
            },
            _ = shutdown.changed() => return End::Close(CloseCode::Away, "server shutting down"),
        }
    }
}
