//! A fake network thermal printer on 127.0.0.1: it answers `DLE EOT` status queries as an
//! ESC/POS printer does, records every job it takes, and can be told to misbehave.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

/// How the printer behaves towards the next connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Ready: answers status, takes the job, closes.
    Print,
    /// Not listening: connections are refused.
    Refuse,
    /// Answers status, then never reads again and keeps the connection open.
    Stall,
    /// Reads a few bytes of the job, then resets the connection.
    ResetMidJob,
    PaperOut,
    CoverOpen,
    Offline,
    /// Never answers a status query, but prints what it is sent (many cheap printers).
    Silent,
}

const DLE_EOT: [u8; 2] = [0x10, 0x04];

impl Behaviour {
    /// The answers to `DLE EOT 1` and `DLE EOT 2` (bits 1 and 4 are always set).
    fn status(self, query: u8) -> Option<u8> {
        let (printer, cause) = match self {
            Behaviour::Silent | Behaviour::Refuse => return None,
            Behaviour::PaperOut => (0x1a, 0x32),
            Behaviour::CoverOpen => (0x1a, 0x16),
            Behaviour::Offline => (0x1a, 0x52),
            Behaviour::Print | Behaviour::Stall | Behaviour::ResetMidJob => (0x12, 0x12),
        };
        Some(if query == 1 { printer } else { cause })
    }
}

struct Shared {
    behaviour: Behaviour,
    jobs: Vec<Vec<u8>>,
    connections: usize,
}

pub struct FakePrinter {
    port: u16,
    shared: Arc<Mutex<Shared>>,
    listener: Option<JoinHandle<()>>,
}

impl FakePrinter {
    /// A ready printer on a free loopback port.
    pub async fn start() -> FakePrinter {
        Self::start_on(0).await
    }

    pub async fn start_on(port: u16) -> FakePrinter {
        let shared = Arc::new(Mutex::new(Shared {
            behaviour: Behaviour::Print,
            jobs: Vec::new(),
            connections: 0,
        }));
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(accept(listener, shared.clone()));
        FakePrinter {
            port,
            shared,
            listener: Some(task),
        }
    }

    /// `127.0.0.1:<port>`, as a printer's address is written.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Changes the behaviour; `Refuse` stops listening, anything else listens again.
    pub async fn set(&mut self, behaviour: Behaviour) {
        self.shared.lock().unwrap().behaviour = behaviour;
        match (behaviour, self.listener.is_some()) {
            (Behaviour::Refuse, true) => self.stop(),
            (Behaviour::Refuse, false) | (_, true) => {}
            (_, false) => {
                let listener = TcpListener::bind(("127.0.0.1", self.port)).await.unwrap();
                self.listener = Some(tokio::spawn(accept(listener, self.shared.clone())));
            }
        }
    }

    /// Every job taken so far, oldest first.
    pub fn jobs(&self) -> Vec<Vec<u8>> {
        self.shared.lock().unwrap().jobs.clone()
    }

    /// Connections accepted so far (status checks and jobs alike).
    pub fn connections(&self) -> usize {
        self.shared.lock().unwrap().connections
    }

    /// Waits (at most `within`) until `count` jobs were taken, and returns them.
    pub async fn wait_for_jobs(&self, count: usize, within: Duration) -> Vec<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let jobs = self.jobs();
            if jobs.len() >= count || tokio::time::Instant::now() >= deadline {
                return jobs;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops listening (the port is then refused).
    pub fn stop(&mut self) {
        if let Some(task) = self.listener.take() {
            task.abort();
        }
    }
}

impl Drop for FakePrinter {
    fn drop(&mut self) {
        self.stop();
    }
}

async fn accept(listener: TcpListener, shared: Arc<Mutex<Shared>>) {
    // Connections live in this set, so stopping the listener drops them too.
    let mut connections = tokio::task::JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        shared.lock().unwrap().connections += 1;
        connections.spawn(serve(stream, shared.clone()));
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Mutex<Shared>>) {
    let behaviour = shared.lock().unwrap().behaviour;
    let mut buffer = Vec::new();
    let mut chunk = [0_u8; 4096];
    // Status queries come first, each answered before the next is sent.
    loop {
        while buffer.len() >= 3 && buffer.starts_with(&DLE_EOT) {
            if let Some(answer) = behaviour.status(buffer[2]) {
                if stream.write_all(&[answer]).await.is_err() {
                    return;
                }
            }
            buffer.drain(..3);
        }
        let partial_query = DLE_EOT.starts_with(&buffer);
        if !buffer.is_empty() && !partial_query {
            break;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
        }
    }
    match behaviour {
        Behaviour::Stall => {
            // Holds the connection without reading, until the test ends.
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Behaviour::ResetMidJob => {
            // A reset, not a clean close: what was not read is thrown away. A zero linger
            // resets at once, so the drop it warns about never blocks.
            #[allow(deprecated)]
            let _ = stream.set_linger(Some(Duration::ZERO));
        }
        _ => {
            loop {
                match stream.read(&mut chunk).await {
                    Ok(0) => break,
                    Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                    Err(_) => return,
                }
            }
            shared.lock().unwrap().jobs.push(buffer);
        }
    }
}

/// The printable text of a job: ESC/POS commands dropped, one string per printed line.
pub fn text_of(job: &[u8]) -> String {
    let mut text = String::new();
    let mut i = 0;
    while let Some(&byte) = job.get(i) {
        i += match byte {
            // ESC @, ESC a n, ESC E n, ESC t n, ESC d n, GS ! n, GS V m n, ESC p m t1 t2
            0x1b => match job.get(i + 1) {
                Some(b'@') => 2,
                Some(b'p') => 5,
                _ => 3,
            },
            0x1d => match job.get(i + 1) {
                Some(b'V') => 4,
                // GS ( k pL pH …: a QR code; its data is skipped with it.
                Some(b'(') => {
                    let low = usize::from(*job.get(i + 3).unwrap_or(&0));
                    let high = usize::from(*job.get(i + 4).unwrap_or(&0));
                    5 + low + 256 * high
                }
                _ => 3,
            },
            b'\n' => {
                text.push('\n');
                1
            }
            0x20..=0x7e => {
                text.push(char::from(byte));
                1
            }
            _ => 1,
        };
    }
    text
}
