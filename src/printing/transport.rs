//! One job to one network printer over raw TCP (port 9100): connect, ask its status, write
//! the bytes, and wait for the printer to take them.

use std::{fmt, io, time::Duration};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
    time::timeout,
};

/// `DLE EOT 1`: printer status.
const STATUS_PRINTER: [u8; 3] = [0x10, 0x04, 0x01];
/// `DLE EOT 2`: offline cause.
const STATUS_OFFLINE_CAUSE: [u8; 3] = [0x10, 0x04, 0x02];

/// How long each step may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// For each status answer.
    pub status: Duration,
    /// For writing the job, and again for the printer to take it.
    pub drain: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(3),
            status: Duration::from_secs(1),
            drain: Duration::from_secs(5),
        }
    }
}

/// What a printer says about itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrinterState {
    Ready,
    Offline,
    PaperOut,
    CoverOpen,
}

impl PrinterState {
    pub fn as_str(self) -> &'static str {
        match self {
            PrinterState::Ready => "OK",
            PrinterState::Offline => "OFFLINE",
            PrinterState::PaperOut => "PAPER_OUT",
            PrinterState::CoverOpen => "COVER_OPEN",
        }
    }
}

impl fmt::Display for PrinterState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a job did not print.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("cannot connect to the printer: {0}")]
    Unreachable(String),
    #[error("printer reports {0}")]
    NotReady(PrinterState),
    #[error("connection lost while printing: {0}")]
    Lost(String),
    #[error("the printer stopped taking data")]
    Stalled,
}

/// Asks the printer how it is (`DLE EOT 1`, then `DLE EOT 2` for the cause). `None` when it
/// does not answer in time: many printers never do.
pub async fn query_status(
    stream: &mut TcpStream,
    timeouts: &Timeouts,
) -> Result<Option<PrinterState>, PrintError> {
    let Some(printer) = ask(stream, &STATUS_PRINTER, timeouts.status).await? else {
        return Ok(None);
    };
    let offline = printer & 0x08 != 0;
    let cause = ask(stream, &STATUS_OFFLINE_CAUSE, timeouts.status).await?;
    let state = match cause {
        Some(cause) if cause & 0x04 != 0 => PrinterState::CoverOpen,
        Some(cause) if cause & 0x20 != 0 => PrinterState::PaperOut,
        Some(cause) if cause & 0x40 != 0 => PrinterState::Offline,
        _ if offline => PrinterState::Offline,
        _ => PrinterState::Ready,
    };
    Ok(Some(state))
}

/// One status byte, or `None` when none comes within `wait`. A printer that hangs up here
/// is as good as unreachable.
async fn ask(
    stream: &mut TcpStream,
    query: &[u8],
    wait: Duration,
) -> Result<Option<u8>, PrintError> {
    let unreachable = |err: io::Error| PrintError::Unreachable(err.to_string());
    stream.write_all(query).await.map_err(unreachable)?;
    let mut answer = [0_u8; 1];
    match timeout(wait, stream.read(&mut answer)).await {
        Err(_) => Ok(None),
        Ok(Ok(0)) => Err(PrintError::Unreachable("the printer hung up".into())),
        Ok(Ok(_)) => {
            let [byte] = answer;
            Ok(Some(byte))
        }
        Ok(Err(err)) => Err(unreachable(err)),
    }
}

/// Prints `bytes` on the printer at `address` (`host:port`). Refuses, writing nothing, when
/// the printer says it cannot print. Returns the status it reported, `None` if it did not.
pub async fn send(
    address: &str,
    bytes: &[u8],
    timeouts: &Timeouts,
) -> Result<Option<PrinterState>, PrintError> {
    let mut stream = match timeout(timeouts.connect, TcpStream::connect(address)).await {
        Err(_) => return Err(PrintError::Unreachable("no answer".into())),
        Ok(Err(err)) => return Err(PrintError::Unreachable(err.to_string())),
        Ok(Ok(stream)) => stream,
    };
    // Status queries are tiny: waiting to batch them only delays the answer.
    stream.set_nodelay(true).ok();
    let state = query_status(&mut stream, timeouts).await?;
    if let Some(state) = state.filter(|s| *s != PrinterState::Ready) {
        return Err(PrintError::NotReady(state));
    }
    let lost = |err: io::Error| PrintError::Lost(err.to_string());
    let write = async {
        stream.write_all(bytes).await?;
        stream.shutdown().await
    };
    match timeout(timeouts.drain, write).await {
        Err(_) => return Err(PrintError::Stalled),
        Ok(result) => result.map_err(lost)?,
    }
    // The printer closing its side says it has everything; one that keeps the connection open
    // has it too once the drain time is up. A reset means it threw away what it had not read.
    let drain = async {
        let mut discard = [0_u8; 256];
        while stream.read(&mut discard).await? > 0 {}
        Ok::<(), io::Error>(())
    };
    if let Ok(result) = timeout(timeouts.drain, drain).await {
        result.map_err(lost)?;
    }
    Ok(state)
}
