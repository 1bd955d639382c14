//! Paper: kitchen tickets per station, void tickets, bills and receipts, the cash drawer, and
//! the durable queue (printer down, jobs that fail, two instances), all on fake printers on
//! 127.0.0.1.

use std::time::Duration;

use kedai::{printing::transport::Timeouts, printing::worker::PrintConfig, Config};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::fake_printer::{text_of, Behaviour, FakePrinter};
use crate::helpers::{
    expect_json, expect_problem, id_of, spawn_app_with, spawn_second_instance, TestApp,
};

const ESC_P: [u8; 2] = [0x1b, b'p'];

/// Short timeouts and back-off, so faults play out in seconds.
pub fn fast_printing(config: &mut Config) {
    config.print = PrintConfig {
        timeouts: Timeouts {
            connect: Duration::from_millis(500),
            status: Duration::from_millis(300),
            drain: Duration::from_millis(500),
        },
        backoff: vec![Duration::from_millis(100), Duration::from_millis(300)],
        give_up_after: Duration::from_secs(600),
        lease: Duration::from_secs(5),
        poll: Duration::from_millis(100),
        probe_every: Duration::from_millis(200),
    };
}

async fn printing_app() -> TestApp {
    spawn_app_with(fast_printing).await
}

/// An outlet with a Food and a Drinks category, two dishes and a drink, and no taxes.
struct Kitchen {
    owner: String,
    outlet: Uuid,
    food: Uuid,
    drinks: Uuid,
    /// Nasi Goreng 25.000, Sate Ayam 30.000 (Food); Es Teh 5.000 (Drinks).
    nasi: Uuid,
    sate: Uuid,
    teh: Uuid,
}

async fn kitchen(app: &TestApp) -> Kitchen {
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Warung Kedai").await;
    let untaxed = json!({"tax_bp": 0, "service_charge_bp": 0, "address": "Jl. Merdeka 10"});
    expect_json(
        app.patch(&format!("/outlets/{outlet}"), Some(&owner), &untaxed)
            .await,
        StatusCode::OK,
    )
    .await;
    let food = app.create_category(&owner, outlet, "Makanan", 0).await;
    let drinks = expect_json(
        app.post(
            &format!("/outlets/{outlet}/categories"),
            Some(&owner),
            &json!({"name": "Minuman", "station": "Bar"}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let drinks = id_of(&drinks);
    let product = |name: &'static str, price: i64, category: Uuid| {
        let owner = owner.clone();
        async move {
            let body = json!({"name": name, "price": price, "category_id": category});
            id_of(
                &expect_json(
                    app.post(&format!("/outlets/{outlet}/products"), Some(&owner), &body)
                        .await,
                    StatusCode::CREATED,
                )
                .await,
            )
        }
    };
    let nasi = product("Nasi Goreng", 25_000, food).await;
    let sate = product("Sate Ayam", 30_000, food).await;
    let teh = product("Es Teh", 5_000, drinks).await;
    Kitchen {
        owner,
        outlet,
        food,
        drinks,
        nasi,
        sate,
        teh,
    }
}

async fn add_printer(app: &TestApp, k: &Kitchen, body: Value) -> Value {
    expect_json(
        app.post(
            &format!("/outlets/{}/printers", k.outlet),
            Some(&k.owner),
            &body,
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// A fake printer added as the outlet's KITCHEN printer "Dapur".
async fn kitchen_printer(app: &TestApp, k: &Kitchen) -> FakePrinter {
    let dapur = FakePrinter::start().await;
    let body = json!({"name": "Dapur", "kind": "KITCHEN", "address": dapur.address()});
    add_printer(app, k, body).await;
    dapur
}

fn takeaway(k: &Kitchen, items: &[(Uuid, i32)]) -> Value {
    let items: Vec<Value> = items
        .iter()
        .map(|(product, quantity)| json!({"product_id": product, "quantity": quantity}))
        .collect();
    json!({"outlet_id": k.outlet, "items": items})
}

async fn jobs(app: &TestApp, k: &Kitchen, query: &str) -> Vec<Value> {
    let response = app
        .get(
            &format!("/print-jobs?outlet_id={}{query}", k.outlet),
            Some(&k.owner),
        )
        .await;
    expect_json(response, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .clone()
}

/// Waits (bounded) until the job has `status`; returns it as it is then.
async fn job_reaches(app: &TestApp, k: &Kitchen, id: &str, status: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..100 {
        if let Some(job) = jobs(app, k, "&limit=200")
            .await
            .into_iter()
            .find(|j| j["id"] == id)
        {
            if job["status"] == status {
                return job;
            }
            last = job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("job {id} never reached {status}: {last}");
}

async fn open_shift(app: &TestApp, k: &Kitchen) {
    expect_json(
        app.post(
            "/shifts/open",
            Some(&k.owner),
            &json!({"outlet_id": k.outlet, "start_cash": 100_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
}

async fn pay(app: &TestApp, k: &Kitchen, order: &Value, method: &str) -> Value {
    let mut body = json!({"method": method, "amount": order["total_amount"]});
    if method == "CASH" {
        body["tendered"] = json!(100_000);
    }
    let path = format!("/orders/{}/payments", order["id"].as_str().unwrap());
    expect_json(
        app.post(&path, Some(&k.owner), &body).await,
        StatusCode::CREATED,
    )
    .await
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn a_new_order_touching_two_stations_prints_one_ticket_on_each_with_only_its_lines() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let (dapur, bar) = (FakePrinter::start().await, FakePrinter::start().await);
    add_printer(
        &app,
        &k,
        json!({"name": "Dapur", "kind": "KITCHEN", "address": dapur.address(),
               "paper_width_mm": 80, "category_ids": [k.food]}),
    )
    .await;
    add_printer(
        &app,
        &k,
        json!({"name": "Bar", "kind": "KITCHEN", "address": bar.address(),
               "paper_width_mm": 58, "category_ids": [k.drinks]}),
    )
    .await;

    let mut body = takeaway(&k, &[(k.nasi, 2), (k.sate, 1), (k.teh, 3)]);
    body["note"] = json!("alergi kacang");
    let order = app.order(&k.owner, &body).await;

    let kitchen_jobs = dapur.wait_for_jobs(1, Duration::from_secs(10)).await;
    let bar_jobs = bar.wait_for_jobs(1, Duration::from_secs(10)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(dapur.jobs().len(), 1, "one ticket for the kitchen");
    assert_eq!(bar.jobs().len(), 1, "one ticket for the bar");
    let kitchen_text = text_of(&kitchen_jobs[0]);
    let bar_text = text_of(&bar_jobs[0]);
    let number = format!("#{}", order["number"]);
    assert!(kitchen_text.contains(&number) && bar_text.contains(&number));
    assert!(kitchen_text.contains("2x Nasi Goreng") && kitchen_text.contains("1x Sate Ayam"));
    assert!(!kitchen_text.contains("Es Teh"), "{kitchen_text}");
    assert!(bar_text.contains("3x Es Teh"), "{bar_text}");
    assert!(
        !bar_text.contains("Nasi") && !bar_text.contains("Sate"),
        "{bar_text}"
    );
    assert!(kitchen_text.contains("alergi kacang"));
    for line in bar_text.lines() {
        assert!(
            line.len() <= 32,
            "58 mm paper holds 32 characters: {line:?}"
        );
    }
    // Each job ends with a cut, and no kitchen ticket opens the drawer.
    assert!(kitchen_jobs[0].ends_with(&[0x1d, b'V', 66, 0]));
    assert!(!contains(&kitchen_jobs[0], &ESC_P));

    let listed = jobs(&app, &k, "").await;
    assert_eq!(listed.len(), 2);
    for job in &listed {
        assert_eq!(job["kind"], "KITCHEN_TICKET");
        assert_eq!(job["order_id"], order["id"]);
        let job = job_reaches(&app, &k, job["id"].as_str().unwrap(), "DONE").await;
        assert_eq!(job["attempts"], 1);
        assert!(job["printed_at"].is_string());
    }
}

#[tokio::test]
async fn a_void_after_the_ticket_printed_sends_a_void_ticket_with_only_the_voided_dish() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let dapur = kitchen_printer(&app, &k).await;
    let order = app
        .order(&k.owner, &takeaway(&k, &[(k.nasi, 2), (k.teh, 1)]))
        .await;
    dapur.wait_for_jobs(1, Duration::from_secs(10)).await;

    let item = order["items"][0]["id"].as_str().unwrap();
    let path = format!(
        "/orders/{}/items/{item}/void",
        order["id"].as_str().unwrap()
    );
    let voided = app
        .post(
            &path,
            Some(&k.owner),
            &json!({"quantity": 1, "reason": "salah pesan"}),
        )
        .await;
    expect_json(voided, StatusCode::OK).await;
    let printed = dapur.wait_for_jobs(2, Duration::from_secs(10)).await;
    assert_eq!(printed.len(), 2);
    let void = text_of(&printed[1]);
    assert!(void.contains("BATAL"), "{void}");
    assert!(
        void.contains("1x Nasi Goreng") && !void.contains("Es Teh"),
        "{void}"
    );

    // A comp is still cooked: no ticket.
    let path = format!(
        "/orders/{}/items/{}/void",
        order["id"].as_str().unwrap(),
        order["items"][1]["id"].as_str().unwrap()
    );
    let comp = json!({"quantity": 1, "reason": "ulang tahun", "comp": true});
    expect_json(app.post(&path, Some(&k.owner), &comp).await, StatusCode::OK).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(dapur.jobs().len(), 2);
    let kinds: Vec<Value> = jobs(&app, &k, "")
        .await
        .iter()
        .map(|j| j["kind"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("VOID_TICKET"), json!("KITCHEN_TICKET")]);
}

#[tokio::test]
async fn an_order_that_rolls_back_produces_no_print_job() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let dapur = kitchen_printer(&app, &k).await;
    let sold_out = app
        .patch(
            &format!("/products/{}", k.sate),
            Some(&k.owner),
            &json!({"available": false}),
        )
        .await;
    expect_json(sold_out, StatusCode::OK).await;

    let refused = app
        .post(
            "/orders",
            Some(&k.owner),
            &takeaway(&k, &[(k.nasi, 1), (k.sate, 1)]),
        )
        .await;
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let too_many = app
        .post("/orders", Some(&k.owner), &takeaway(&k, &[(k.nasi, 5000)]))
        .await;
    assert_eq!(too_many.status(), StatusCode::BAD_REQUEST);

    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(jobs(&app, &k, "").await.is_empty());
    let rows = app.query_db("SELECT id FROM print_jobs").await;
    assert!(rows.is_empty(), "no job row was written");
    assert_eq!(dapur.connections(), 0, "the printer was never called");
}

#[tokio::test]
async fn a_printer_down_for_20_s_while_10_orders_arrive_prints_every_ticket_in_order_once() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let mut dapur = FakePrinter::start().await;
    let printer = add_printer(
        &app,
        &k,
        json!({"name": "Dapur", "kind": "KITCHEN", "address": dapur.address()}),
    )
    .await;
    dapur.set(Behaviour::Refuse).await;

    let mut numbers = Vec::new();
    for _ in 0..10 {
        let order = app.order(&k.owner, &takeaway(&k, &[(k.nasi, 1)])).await;
        numbers.push(order["number"].as_i64().unwrap());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Down for 20 s in all: every try so far failed, nothing was lost.
    tokio::time::sleep(Duration::from_secs(18)).await;
    let waiting: Vec<Value> = jobs(&app, &k, "")
        .await
        .into_iter()
        .filter(|j| j["status"] != "DONE")
        .collect();
    assert_eq!(waiting.len(), 10, "all ten wait");
    let head = waiting.last().unwrap();
    assert!(head["attempts"].as_i64().unwrap() > 1, "{head}");
    assert!(
        head["last_error"].as_str().unwrap().contains("connect"),
        "{head}"
    );
    let listed = expect_json(
        app.get(&format!("/outlets/{}/printers", k.outlet), Some(&k.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["status"], "UNREACHABLE");
    assert!(app
        .event_kinds()
        .await
        .contains(&"PRINTER_STATUS".to_owned()));

    let mut socket = app
        .ws(&format!("token={}&outlet_id={}", k.owner, k.outlet))
        .await
        .unwrap();
    dapur.set(Behaviour::Print).await;
    let printed = dapur.wait_for_jobs(10, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(dapur.jobs().len(), 10, "each ticket once");
    let printed_numbers: Vec<i64> = printed
        .iter()
        .map(|job| {
            let text = text_of(job);
            let hash = text.find('#').unwrap();
            text[hash + 1..]
                .split_whitespace()
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(printed_numbers, numbers, "in the order they were taken");
    let back = socket
        .next_of("PRINTER_STATUS", Duration::from_secs(5))
        .await
        .expect("a PRINTER_STATUS frame when it is back");
    assert_eq!(back["payload"]["status"], "OK");
    assert_eq!(back["payload"]["id"], printer["id"]);
    assert_eq!(back["payload"]["previous_status"], "UNREACHABLE");
}

#[tokio::test]
async fn a_job_still_failing_after_its_window_is_failed_and_a_retry_prints_it() {
    let app = spawn_app_with(|config| {
        fast_printing(config);
        config.print.give_up_after = Duration::from_secs(1);
    })
    .await;
    let k = kitchen(&app).await;
    let mut bar = FakePrinter::start().await;
    let printer = add_printer(
        &app,
        &k,
        json!({"name": "Bar", "kind": "KITCHEN", "address": bar.address()}),
    )
    .await;
    bar.set(Behaviour::PaperOut).await;
    app.order(&k.owner, &takeaway(&k, &[(k.teh, 1)])).await;
    let job = jobs(&app, &k, "").await.remove(0);
    let id = job["id"].as_str().unwrap();
    let failed = job_reaches(&app, &k, id, "FAILED").await;
    assert!(
        failed["last_error"].as_str().unwrap().contains("PAPER_OUT"),
        "{failed}"
    );
    assert!(
        bar.jobs().is_empty(),
        "nothing is sent to a printer without paper"
    );
    let listed = expect_json(
        app.get(&format!("/outlets/{}/printers", k.outlet), Some(&k.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed[0]["status"], "PAPER_OUT");
    assert_eq!(listed[0]["id"], printer["id"]);

    // The waiter's retry, once the paper is in.
    let (_, cook) = app
        .staff(&k.owner, "cook", kedai::auth::Role::Kitchen, k.outlet)
        .await;
    bar.set(Behaviour::Print).await;
    // Idle, it is asked now and then how it is: the banner clears before anything prints.
    let mut status = Value::Null;
    for _ in 0..50 {
        let listed = expect_json(
            app.get(&format!("/outlets/{}/printers", k.outlet), Some(&k.owner))
                .await,
            StatusCode::OK,
        )
        .await;
        status = listed[0]["status"].clone();
        if status == "OK" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, "OK");
    let retried = app
        .post(&format!("/print-jobs/{id}/retry"), Some(&cook), &json!({}))
        .await;
    let retried = expect_json(retried, StatusCode::ACCEPTED).await;
    assert_eq!(retried["status"], "QUEUED");
    assert_eq!(bar.wait_for_jobs(1, Duration::from_secs(10)).await.len(), 1);
    job_reaches(&app, &k, id, "DONE").await;
    let again = app
        .post(&format!("/print-jobs/{id}/retry"), Some(&cook), &json!({}))
        .await;
    expect_problem(again, StatusCode::CONFLICT, "PRINT_JOB_NOT_FAILED").await;
}

#[tokio::test]
async fn a_stalled_printer_does_not_hold_up_taking_orders() {
    // The printer takes the connection and never answers or reads: each try hangs for the
    // whole drain time (made long here), the ticket stays PRINTING, and orders go on.
    let app = spawn_app_with(|config| {
        fast_printing(config);
        config.print.timeouts.drain = Duration::from_secs(60);
        config.print.lease = Duration::from_secs(180);
    })
    .await;
    let k = kitchen(&app).await;
    let mut dapur = FakePrinter::start().await;
    dapur.set(Behaviour::Stall).await;
    add_printer(
        &app,
        &k,
        json!({"name": "Dapur", "kind": "KITCHEN", "address": dapur.address()}),
    )
    .await;
    let first = app.order(&k.owner, &takeaway(&k, &[(k.nasi, 1)])).await;
    let mut stuck = Value::Null;
    for _ in 0..100 {
        stuck = jobs(&app, &k, "&status=PRINTING")
            .await
            .pop()
            .unwrap_or(Value::Null);
        if !stuck.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        stuck["order_id"], first["id"],
        "the first ticket hangs on the printer"
    );
    for _ in 0..5 {
        app.order(&k.owner, &takeaway(&k, &[(k.nasi, 1)])).await;
    }
    let listed = jobs(&app, &k, "").await;
    let statuses: Vec<&str> = listed
        .iter()
        .map(|j| j["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["QUEUED", "QUEUED", "QUEUED", "QUEUED", "QUEUED", "PRINTING"],
        "five orders taken while the printer hangs, their tickets waiting their turn"
    );
    assert!(dapur.jobs().is_empty());
}

#[tokio::test]
async fn two_instances_on_one_database_print_each_job_once() {
    let app = printing_app().await;
    let second = spawn_second_instance(&app, fast_printing).await;
    let k = kitchen(&app).await;
    let dapur = kitchen_printer(&app, &k).await;
    let mut numbers = Vec::new();
    for i in 0..20 {
        let instance = if i % 2 == 0 { &app } else { &second };
        let order = instance
            .order(&k.owner, &takeaway(&k, &[(k.nasi, 1)]))
            .await;
        numbers.push(order["number"].as_i64().unwrap());
    }
    let printed = dapur.wait_for_jobs(20, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(dapur.jobs().len(), 20, "every job once");
    let mut seen: Vec<String> = printed.iter().map(|job| text_of(job)).collect();
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 20, "no ticket twice");
    let done = jobs(&app, &k, "&status=DONE&limit=200").await;
    assert_eq!(done.len(), 20);
    assert!(done
        .iter()
        .all(|j| j["attempts"] == 1 && j["reprint"] == false));
}

#[tokio::test]
async fn a_cash_payment_kicks_the_drawer_and_a_card_payment_does_not() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let kasir = FakePrinter::start().await;
    add_printer(
        &app,
        &k,
        json!({"name": "Kasir", "kind": "RECEIPT", "address": kasir.address(), "paper_width_mm": 58}),
    )
    .await;
    open_shift(&app, &k).await;

    let cash = app.order(&k.owner, &takeaway(&k, &[(k.nasi, 1)])).await;
    pay(&app, &k, &cash, "CASH").await;
    let kicks = kasir.wait_for_jobs(1, Duration::from_secs(10)).await;
    assert_eq!(kicks.len(), 1);
    assert!(
        contains(&kicks[0], &[0x1b, b'p', 0, 25, 250]),
        "ESC p 0 25 250"
    );
    assert!(
        text_of(&kicks[0]).trim().is_empty(),
        "a kick alone prints nothing"
    );

    let card = app.order(&k.owner, &takeaway(&k, &[(k.sate, 1)])).await;
    pay(&app, &k, &card, "CARD").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(kasir.jobs().len(), 1, "a card payment opens nothing");

    // With receipts printed by themselves: one job each, the kick inside the cash one.
    let auto = json!({"auto_print_receipt": true, "receipt_footer": "Terima kasih!"});
    expect_json(
        app.patch(&format!("/outlets/{}", k.outlet), Some(&k.owner), &auto)
            .await,
        StatusCode::OK,
    )
    .await;
    let card = app.order(&k.owner, &takeaway(&k, &[(k.teh, 2)])).await;
    pay(&app, &k, &card, "QRIS").await;
    let cash = app.order(&k.owner, &takeaway(&k, &[(k.nasi, 2)])).await;
    pay(&app, &k, &cash, "CASH").await;
    let printed = kasir.wait_for_jobs(3, Duration::from_secs(10)).await;
    assert_eq!(printed.len(), 3);
    let (qris, tunai) = (&printed[1], &printed[2]);
    assert!(!contains(qris, &ESC_P));
    assert!(contains(tunai, &ESC_P));
    let text = text_of(tunai);
    for expected in [
        "STRUK",
        "Tunai",
        "Rp100.000",
        "Kembalian",
        "Rp50.000",
        "Terima kasih!",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(text_of(qris).contains("QRIS"));
}

#[tokio::test]
async fn bad_printer_settings_are_400_and_change_nothing() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let other = app.create_outlet(&k.owner, "Cabang").await;
    let elsewhere = app.create_category(&k.owner, other, "Lain", 0).await;
    let base = json!({"name": "Dapur", "kind": "KITCHEN", "address": "192.0.2.10:9100"});
    let cases = [
        ("address", json!("http://192.0.2.10:9100")),
        ("address", json!("192.0.2.10:0")),
        ("address", json!("192.0.2.10:99999")),
        ("address", json!("printer dapur")),
        ("address", json!("")),
        ("paper_width_mm", json!(57)),
        ("paper_width_mm", json!(0)),
        ("copies", json!(0)),
        ("copies", json!(4)),
        ("category_ids", json!([elsewhere])),
    ];
    for (field, value) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let response = app
            .post(
                &format!("/outlets/{}/printers", k.outlet),
                Some(&k.owner),
                &body,
            )
            .await;
        let problem = expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
        assert!(
            problem.to_string().contains(field),
            "{field}={value}: {problem}"
        );
    }
    let unknown_kind = json!({"name": "X", "kind": "LASER", "address": "192.0.2.10"});
    let response = app
        .post(
            &format!("/outlets/{}/printers", k.outlet),
            Some(&k.owner),
            &unknown_kind,
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let listed = expect_json(
        app.get(&format!("/outlets/{}/printers", k.outlet), Some(&k.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed, json!([]), "nothing was stored");

    // A good one: the port defaults to 9100; a name is taken once per outlet.
    let mut body = base.clone();
    body["address"] = json!("192.0.2.10");
    body["active"] = json!(false);
    let printer = add_printer(&app, &k, body.clone()).await;
    assert_eq!(printer["address"], "192.0.2.10:9100");
    assert_eq!(printer["paper_width_mm"], 80);
    assert_eq!(printer["copies"], 1);
    let twice = app
        .post(
            &format!("/outlets/{}/printers", k.outlet),
            Some(&k.owner),
            &body,
        )
        .await;
    expect_problem(twice, StatusCode::CONFLICT, "PRINTER_NAME_TAKEN").await;
    let patch = app
        .patch(
            &format!("/printers/{}", printer["id"].as_str().unwrap()),
            Some(&k.owner),
            &json!({"copies": 9}),
        )
        .await;
    expect_problem(patch, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;

    // Floor staff may not point Kedai at an address.
    let (_, kasir) = app
        .staff(&k.owner, "kasir", kedai::auth::Role::Kasir, k.outlet)
        .await;
    let response = app
        .post(
            &format!("/outlets/{}/printers", k.outlet),
            Some(&kasir),
            &base,
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bills_receipts_copies_and_the_digital_receipt() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let order = app
        .order(&k.owner, &takeaway(&k, &[(k.nasi, 2), (k.teh, 1)]))
        .await;
    let id = order["id"].as_str().unwrap();
    let print = |kind: &str| {
        let body = json!({"kind": kind});
        let path = format!("/orders/{id}/print");
        let app = &app;
        let owner = k.owner.clone();
        async move { app.post(&path, Some(&owner), &body).await }
    };
    expect_problem(print("BILL").await, StatusCode::CONFLICT, "NO_PRINTER").await;

    let kasir = FakePrinter::start().await;
    add_printer(
        &app,
        &k,
        json!({"name": "Kasir", "kind": "RECEIPT", "address": kasir.address(), "paper_width_mm": 58}),
    )
    .await;
    let bill = expect_json(print("BILL").await, StatusCode::ACCEPTED).await;
    assert_eq!(bill["kind"], "BILL");
    expect_problem(
        print("RECEIPT").await,
        StatusCode::CONFLICT,
        "ORDER_NOT_PAID",
    )
    .await;
    let printed = kasir.wait_for_jobs(1, Duration::from_secs(10)).await;
    let text = text_of(&printed[0]);
    assert!(
        text.contains("TAGIHAN") && text.contains("Rp55.000"),
        "{text}"
    );

    let text_bill = app
        .get(
            &format!("/orders/{id}/receipt.txt?width=48"),
            Some(&k.owner),
        )
        .await;
    assert_eq!(text_bill.status(), StatusCode::OK);
    assert!(text_bill.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text_bill = text_bill.text().await.unwrap();
    assert!(text_bill.lines().all(|l| l.chars().count() <= 48));
    assert!(text_bill.contains("TAGIHAN"));
    let wide = app
        .get(
            &format!("/orders/{id}/receipt.txt?width=40"),
            Some(&k.owner),
        )
        .await;
    expect_problem(wide, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    assert!(
        order["receipt_url"].is_null(),
        "no receipt before it is paid"
    );

    open_shift(&app, &k).await;
    pay(&app, &k, &order, "CASH").await;
    let first = expect_json(print("RECEIPT").await, StatusCode::ACCEPTED).await;
    assert_eq!(first["reprint"], false);
    let copy = expect_json(print("RECEIPT").await, StatusCode::ACCEPTED).await;
    assert_eq!(copy["reprint"], true);
    // The bill, the drawer kick of the cash payment, the receipt and its copy.
    let printed = kasir.wait_for_jobs(4, Duration::from_secs(10)).await;
    assert_eq!(printed.len(), 4);
    assert!(!text_of(&printed[2]).contains("SALINAN"));
    assert!(
        text_of(&printed[3]).contains("SALINAN"),
        "{}",
        text_of(&printed[3])
    );

    let text = app
        .get(&format!("/orders/{id}/receipt.txt"), Some(&k.owner))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("STRUK") && text.contains("Kembalian"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 32));

    let paid = expect_json(
        app.get(&format!("/orders/{id}"), Some(&k.owner)).await,
        StatusCode::OK,
    )
    .await;
    let url = paid["receipt_url"]
        .as_str()
        .expect("a receipt_url once paid");
    let token = url.strip_prefix("/r/").unwrap();
    assert!(token.len() >= 24, "unguessable: {token}");
    // The QR code links the digital receipt (as text, the URL wraps at the paper's width).
    let joined: String = text.split_whitespace().collect();
    assert!(joined.contains(url), "{text}");
    let digital = expect_json(
        app.get(&format!("/receipts/{token}"), None).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(digital["total"], 55_000);
    assert_eq!(digital["payments"][0]["method"], "CASH");
    assert_eq!(digital["payments"][0]["tendered"], 100_000);
    assert_eq!(digital["payments"][0]["change"], 45_000);
    assert_eq!(digital["lines"].as_array().unwrap().len(), 2);
    let page = app
        .client
        .get(format!("{}{url}", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let missing = app.get("/receipts/not-a-real-token-at-all", None).await;
    expect_problem(missing, StatusCode::NOT_FOUND, "NOT_FOUND").await;
}

#[tokio::test]
async fn a_table_bill_covers_every_order_of_the_table() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let kasir = FakePrinter::start().await;
    add_printer(
        &app,
        &k,
        json!({"name": "Kasir", "kind": "RECEIPT", "address": kasir.address()}),
    )
    .await;
    let (table, _) = app.create_table(&k.owner, k.outlet, "Meja 7").await;
    let session = app.open_table(&k.owner, table).await;
    let session_id = session["id"].as_str().unwrap();
    let mut numbers = Vec::new();
    for product in [k.nasi, k.teh] {
        let body = json!({"table_session_id": session_id, "items": [{"product_id": product, "quantity": 1}]});
        numbers.push(app.order(&k.owner, &body).await["number"].clone());
    }
    let job = app
        .post(
            &format!("/table-sessions/{session_id}/print"),
            Some(&k.owner),
            &json!({}),
        )
        .await;
    let job = expect_json(job, StatusCode::ACCEPTED).await;
    assert_eq!(job["table_session_id"], session["id"]);
    let printed = kasir.wait_for_jobs(1, Duration::from_secs(10)).await;
    let text = text_of(&printed[0]);
    assert!(text.contains("Meja 7"), "{text}");
    assert!(
        text.contains(&format!("#{}, #{}", numbers[0], numbers[1])),
        "{text}"
    );
    assert!(text.contains("Rp30.000"), "{text}");
}

#[tokio::test]
async fn test_pages_and_the_drawer_go_to_the_printer_asked_for() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let kasir = FakePrinter::start().await;
    let printer = add_printer(
        &app,
        &k,
        json!({"name": "Kasir", "kind": "RECEIPT", "address": kasir.address()}),
    )
    .await;
    let id = printer["id"].as_str().unwrap();
    expect_json(
        app.post(&format!("/printers/{id}/test"), Some(&k.owner), &json!({}))
            .await,
        StatusCode::ACCEPTED,
    )
    .await;
    expect_json(
        app.post(
            &format!("/printers/{id}/open-drawer"),
            Some(&k.owner),
            &json!({}),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let printed = kasir.wait_for_jobs(2, Duration::from_secs(10)).await;
    let page = text_of(&printed[0]);
    assert!(
        page.contains("TES PRINTER") && page.contains(&kasir.address()),
        "{page}"
    );
    assert!(contains(&printed[1], &ESC_P));

    // Switched off: nothing more is sent, and asking for it says why.
    let off = app
        .patch(
            &format!("/printers/{id}"),
            Some(&k.owner),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(expect_json(off, StatusCode::OK).await["active"], false);
    let test = app
        .post(&format!("/printers/{id}/test"), Some(&k.owner), &json!({}))
        .await;
    expect_problem(test, StatusCode::CONFLICT, "PRINTER_INACTIVE").await;
    let removed = app.delete(&format!("/printers/{id}"), Some(&k.owner)).await;
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    assert!(
        jobs(&app, &k, "").await.is_empty(),
        "its history went with it"
    );
}

#[tokio::test]
async fn tickets_and_receipts_are_printed_in_the_outlets_language() {
    let app = printing_app().await;
    let k = kitchen(&app).await;
    let outlet = format!("/outlets/{}", k.outlet);
    let shown = expect_json(app.get(&outlet, Some(&k.owner)).await, StatusCode::OK).await;
    assert_eq!(shown["language"], "id", "Bahasa Indonesia unless set");
    for wrong in [json!("fr"), json!(""), json!("indonesian")] {
        let response = app
            .patch(&outlet, Some(&k.owner), &json!({"language": wrong}))
            .await;
        expect_problem(response, StatusCode::BAD_REQUEST, "VALIDATION_FAILED").await;
    }
    let english = json!({"language": "EN", "auto_print_receipt": true});
    let changed = expect_json(
        app.patch(&outlet, Some(&k.owner), &english).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["language"], "en");

    let dapur = kitchen_printer(&app, &k).await;
    let kasir = FakePrinter::start().await;
    add_printer(
        &app,
        &k,
        json!({"name": "Kasir", "kind": "RECEIPT", "address": kasir.address()}),
    )
    .await;
    open_shift(&app, &k).await;
    let order = app.order(&k.owner, &takeaway(&k, &[(k.nasi, 2)])).await;
    let ticket = text_of(&dapur.wait_for_jobs(1, Duration::from_secs(10)).await[0]);
    assert!(
        ticket.contains("Takeaway") && !ticket.contains("Dibawa pulang"),
        "{ticket}"
    );
    pay(&app, &k, &order, "CASH").await;
    let receipt = text_of(&kasir.wait_for_jobs(1, Duration::from_secs(10)).await[0]);
    for expected in ["RECEIPT", "Cash", "Change"] {
        assert!(receipt.contains(expected), "{expected} in\n{receipt}");
    }
    for indonesian in ["STRUK", "Tunai", "Kembalian"] {
        assert!(!receipt.contains(indonesian), "{indonesian} in\n{receipt}");
    }
}
