//! `kedai-bench outlets`: many outlets ordering at once against a running server (a chain on
//! PostgreSQL), one connection per outlet, each placing 2-item orders with fresh
//! Idempotency-Keys as fast as it is answered. Prints one `key=value` line for
//! `bench/ratios.sh`: orders/s over all, non-201 answers, and the spread of the per-outlet p99
//! (an outlet starved by the others shows as a max far above the median).

use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use futures_util::future::join_all;
use serde_json::json;

use crate::OutletsArgs;

pub async fn run(args: OutletsArgs) -> Result<()> {
    let targets = std::fs::read_to_string(&args.targets)
        .with_context(|| format!("cannot read {}", args.targets.display()))?;
    let targets: Vec<(String, String)> = targets
        .lines()
        .filter_map(|line| {
            let (outlet, product) = line.trim().split_once(' ')?;
            Some((outlet.to_owned(), product.to_owned()))
        })
        .collect();
    if targets.is_empty() {
        bail!(
            "no `outlet_id product_id` lines in {}",
            args.targets.display()
        );
    }
    let duration = Duration::from_secs(args.duration_secs);
    let started = Instant::now();
    let runs = targets
        .into_iter()
        .enumerate()
        .map(|(n, (outlet, product))| {
            let (url, token) = (format!("{}/api/v1/orders", args.url), args.token.clone());
            async move {
                // One connection per outlet, kept alive: a tablet.
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(1)
                    .build()?;
                let body = json!({"outlet_id": outlet, "items": [
                    {"product_id": product, "quantity": 1},
                    {"product_id": product, "quantity": 2},
                ]});
                let (mut latencies, mut bad) = (Vec::new(), 0_u64);
                let mut i = 0_u64;
                while started.elapsed() < duration {
                    i += 1;
                    let sent = Instant::now();
                    let response = client
                        .post(&url)
                        .bearer_auth(&token)
                        .header(
                            "Idempotency-Key",
                            format!("outlets-{n}-{i}-{}", std::process::id()),
                        )
                        .json(&body)
                        .send()
                        .await;
                    match response {
                        Ok(response) if response.status().as_u16() == 201 => {
                            response.bytes().await?;
                            latencies.push(sent.elapsed());
                        }
                        _ => bad += 1,
                    }
                }
                anyhow::Ok((latencies, bad))
            }
        });
    let results: Vec<(Vec<Duration>, u64)> =
        join_all(runs).await.into_iter().collect::<Result<_>>()?;
    let elapsed = started.elapsed().as_secs_f64();
    let bad: u64 = results.iter().map(|(_, bad)| bad).sum();
    let mut all: Vec<Duration> = results
        .iter()
        .flat_map(|(l, _)| l.iter().copied())
        .collect();
    let mut outlet_p99: Vec<Duration> = results
        .iter()
        .map(|(l, _)| {
            let mut l = l.clone();
            percentile(&mut l, 0.99)
        })
        .collect();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "orders_per_s={:.0} non201={bad} p50_ms={:.1} p99_ms={:.1} outlet_p99_median_ms={:.1} outlet_p99_max_ms={:.1}",
        all.len() as f64 / elapsed,
        ms(percentile(&mut all, 0.50)),
        ms(percentile(&mut all, 0.99)),
        ms(percentile(&mut outlet_p99, 0.50)),
        ms(outlet_p99.iter().copied().max().unwrap_or_default()),
    );
    Ok(())
}

fn percentile(values: &mut [Duration], q: f64) -> Duration {
    if values.is_empty() {
        return Duration::ZERO;
    }
    values.sort();
    let at = ((values.len() as f64 - 1.0) * q).round() as usize;
    values[at.min(values.len() - 1)]
}
