//! `kedai-bench logins`: the server's resident memory on a fresh start and after N sign-ins
//! (each an argon2id check with 19 MiB of working memory), `concurrency` at a time.

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::future::join_all;
use serde_json::json;
use tokio::time::sleep;

use crate::{scratch_dir, server_bin, wait_ready, Api, LoginsArgs, Server};

pub async fn run(args: LoginsArgs) -> Result<()> {
    if args.logins < 1 || args.concurrency < 1 {
        bail!("--logins and --concurrency must be at least 1");
    }
    let bin = server_bin(args.server_bin.as_deref())?;
    let data_dir = scratch_dir()?;
    let spawned = Instant::now();
    let result = match Server::spawn(&bin, &data_dir, None, None).await {
        Ok(mut server) => {
            let result = measure(&server, &args, spawned).await;
            server.stop().await;
            result
        }
        Err(err) => Err(err),
    };
    let _ = std::fs::remove_dir_all(&data_dir);
    result
}

async fn measure(server: &Server, args: &LoginsArgs, spawned: Instant) -> Result<()> {
    let api = Api::new(server, Duration::from_secs(60))?;
    wait_ready(&api, spawned).await?;
    let login = json!({"username": "owner", "password": "bench-password-1"});
    api.post("/auth/register", &login, 201)
        .await
        .context("the database must be empty")?;
    sleep(Duration::from_secs(1)).await;
    let fresh = server.rss_mib()?;

    let started = Instant::now();
    let mut peak = fresh;
    let mut done = 0;
    while done < args.logins {
        let batch = args.concurrency.min(args.logins - done);
        let results = join_all((0..batch).map(|_| api.post("/auth/login", &login, 200))).await;
        for result in results {
            result?;
        }
        done += batch;
        peak = peak.max(server.rss_mib()?);
    }
    let elapsed = started.elapsed();
    sleep(Duration::from_secs(2)).await;
    let after = server.rss_mib()?;
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!();
    println!(
        "{} logins, {} at a time, in {:.1} s ({:.0}/s); {cores} cores",
        args.logins,
        args.concurrency,
        elapsed.as_secs_f64(),
        args.logins as f64 / elapsed.as_secs_f64()
    );
    println!(
        "server RSS: fresh {fresh:.1} MiB, peak {peak:.1} MiB, idle after {after:.1} MiB \
         ({:.2}× fresh)",
        after / fresh
    );
    Ok(())
}
