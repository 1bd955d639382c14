//! The transport against the fake printer: what each printer behaviour looks like to Kedai.

use std::time::Duration;

use kedai::printing::transport::{send, PrintError, PrinterState, Timeouts};

use crate::fake_printer::{text_of, Behaviour, FakePrinter};

const JOB: &[u8] = b"\x1b@Nasi Goreng\n\x1dV\x42\x00";

fn quick() -> Timeouts {
    Timeouts {
        connect: Duration::from_millis(500),
        status: Duration::from_millis(300),
        drain: Duration::from_millis(500),
    }
}

async fn printer(behaviour: Behaviour) -> FakePrinter {
    let mut printer = FakePrinter::start().await;
    printer.set(behaviour).await;
    printer
}

#[tokio::test]
async fn a_ready_printer_takes_the_job_byte_for_byte() {
    let printer = printer(Behaviour::Print).await;
    let state = send(&printer.address(), JOB, &quick()).await.unwrap();
    assert_eq!(state, Some(PrinterState::Ready));
    let jobs = printer.wait_for_jobs(1, Duration::from_secs(2)).await;
    assert_eq!(
        jobs,
        vec![JOB.to_vec()],
        "status queries are not part of the job"
    );
    assert_eq!(text_of(&jobs[0]).trim(), "Nasi Goreng");
}

#[tokio::test]
async fn a_printer_that_never_answers_status_still_prints() {
    let printer = printer(Behaviour::Silent).await;
    assert_eq!(send(&printer.address(), JOB, &quick()).await.unwrap(), None);
    assert_eq!(
        printer.wait_for_jobs(1, Duration::from_secs(2)).await.len(),
        1
    );
}

#[tokio::test]
async fn paper_out_cover_open_and_offline_are_refused_before_anything_is_written() {
    for (behaviour, state) in [
        (Behaviour::PaperOut, PrinterState::PaperOut),
        (Behaviour::CoverOpen, PrinterState::CoverOpen),
        (Behaviour::Offline, PrinterState::Offline),
    ] {
        let printer = printer(behaviour).await;
        match send(&printer.address(), JOB, &quick()).await {
            Err(PrintError::NotReady(said)) => assert_eq!(said, state),
            other => panic!("{behaviour:?}: {other:?}"),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(printer.jobs().is_empty(), "{behaviour:?}");
    }
}

#[tokio::test]
async fn a_refused_connection_is_unreachable() {
    let printer = printer(Behaviour::Refuse).await;
    let outcome = send(&printer.address(), JOB, &quick()).await;
    assert!(
        matches!(outcome, Err(PrintError::Unreachable(_))),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn a_reset_mid_job_is_lost_not_printed() {
    let printer = printer(Behaviour::ResetMidJob).await;
    let outcome = send(&printer.address(), JOB, &quick()).await;
    assert!(matches!(outcome, Err(PrintError::Lost(_))), "{outcome:?}");
    assert!(printer.jobs().is_empty());
}

#[tokio::test]
async fn a_stalled_printer_gives_up_within_the_timeouts() {
    let printer = printer(Behaviour::Stall).await;
    // More than the socket buffers hold, so the write itself cannot finish.
    let big = vec![b'x'; 32 * 1024 * 1024];
    let started = std::time::Instant::now();
    let outcome = send(&printer.address(), &big, &quick()).await;
    assert!(matches!(outcome, Err(PrintError::Stalled)), "{outcome:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn a_printer_back_on_the_same_port_prints_again() {
    let mut printer = printer(Behaviour::Refuse).await;
    assert!(send(&printer.address(), JOB, &quick()).await.is_err());
    printer.set(Behaviour::Print).await;
    assert!(send(&printer.address(), JOB, &quick()).await.is_ok());
    assert_eq!(
        printer.port(),
        printer
            .address()
            .rsplit(':')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap()
    );
}
