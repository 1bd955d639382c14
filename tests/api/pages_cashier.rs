//! Browser tests of the cashier page: guests' calls ringing on the till, dish photos on its
//! menu, and the whole page in Indonesian.

use image::ImageFormat;
use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{select_row, sign_in, untaxed_shop, Browser, LIVE, WAIT};
use crate::helpers::{expect_json, gradient_image, id_of, spawn_app};

/// Ready, and the live socket is up (a frame sent now reaches the page).
const LIVE_AND_READY: &str =
    "document.body.dataset.ready === '1' && document.body.dataset.live === 'live'";

/// A guest at Meja 1 calls the waiter before the till opens (read with the rest of the page),
/// then asks for the bill: it rings live on a 1024×768 tablet and a waiter's 360 px phone,
/// with a badge on the table's tile; one tap on the tablet answers it everywhere (the phone
/// says who took it), the phone answers the other, and the server has none left open.
#[tokio::test]
async fn a_guests_call_rings_on_the_cashier_page_until_one_tap_answers_it() {
    let test = "a_guests_call_rings_on_the_cashier_page_until_one_tap_answers_it";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[20_000]).await;
    for n in 2..=6 {
        app.create_table(&shop.owner, shop.outlet, &format!("Meja {n}"))
            .await;
    }
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    app.staff(&shop.owner, "pelayan", Role::Waiter, shop.outlet)
        .await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let guest = session["token"].as_str().unwrap().to_owned();
    let requests = format!("/table-sessions/{}/requests", id_of(&session));
    let waiter_call = expect_json(
        app.post(&requests, Some(&guest), &json!({"kind": "CALL_WAITER"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let waiter_row = format!(
        "#guest-call-list .guest-call[data-call-id='{}']",
        waiter_call["id"].as_str().unwrap()
    );
    let tile = format!("#table-list [data-table-id='{}']", shop.table);

    let mut tablet = browser.new_page("calls-tablet").await;
    tablet.viewport(1024, 768, false).await;
    sign_in(&mut tablet, &app, "kasir", "kasir-password", "/cashier").await;
    tablet.wait_for(LIVE_AND_READY, WAIT).await;
    // The call made before the page opened is there from the start.
    tablet
        .wait_for(&format!("document.querySelector(\"{waiter_row}\")"), WAIT)
        .await;
    assert!(tablet.text(&waiter_row).await.contains("Call waiter"));

    let mut phone = browser.new_page("calls-phone").await;
    phone.viewport(360, 740, true).await;
    sign_in(&mut phone, &app, "pelayan", "pelayan-password", "/cashier").await;
    phone.wait_for(LIVE_AND_READY, WAIT).await;

    // The bill, please: live on both, in the list and on the table's tile.
    let bill_call = expect_json(
        app.post(&requests, Some(&guest), &json!({"kind": "BILL"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let bill_row = format!(
        "#guest-call-list .guest-call[data-call-id='{}']",
        bill_call["id"].as_str().unwrap()
    );
    let shown = format!(
        "!document.getElementById('guest-calls').hidden && document.querySelector(\"{bill_row}\") \
         && document.querySelector(\"{tile} .tile-call[data-kind='BILL']\")"
    );
    for page in [&mut tablet, &mut phone] {
        page.wait_for(&shown, LIVE).await;
        let text = page.text(&bill_row).await;
        assert!(
            text.contains("Meja 1") && text.contains("Wants the bill") && text.contains("just now"),
            "{text}"
        );
        assert_eq!(
            page.text(&format!("{bill_row} button.ack")).await,
            "Acknowledge"
        );
        assert!(page
            .text(&format!("{tile} .tile-call[data-kind='BILL']"))
            .await
            .contains("Wants the bill"));
    }
    assert_eq!(
        tablet
            .eval("document.getElementById('guest-calls').getAttribute('role')")
            .await,
        "status"
    );
    // Oldest first: the waiter's call, then the bill.
    assert_eq!(
        tablet
            .eval("[...document.querySelectorAll('#guest-call-list .guest-call')].map((li) => li.dataset.kind)")
            .await,
        json!(["CALL_WAITER", "BILL"])
    );
    tablet.assert_fits("floor view with two calls").await;
    tablet.screenshot("1-two-calls").await;
    assert_eq!(
        phone
            .eval("document.documentElement.scrollWidth > 360")
            .await,
        false,
        "the calls make the phone scroll sideways"
    );
    phone.screenshot("1-two-calls").await;

    // One tap on the tablet answers the bill: gone on both, and the phone says who took it.
    tablet.press(&format!("{bill_row} button.ack")).await;
    let gone = format!(
        "!document.querySelector(\"{bill_row}\") && !document.querySelector(\"{tile} .tile-call[data-kind='BILL']\")"
    );
    tablet.wait_for(&gone, WAIT).await;
    phone.wait_for(&gone, LIVE).await;
    phone
        .wait_for(
            "document.getElementById('toast').textContent.includes('taken by kasir')",
            LIVE,
        )
        .await;
    phone.screenshot("2-answered-elsewhere").await;

    // The waiter answers the other from the phone: the strip goes away on the tablet too.
    phone.press(&format!("{waiter_row} button.ack")).await;
    for page in [&mut phone, &mut tablet] {
        page.wait_for(
            &format!(
                "document.getElementById('guest-calls').hidden && !document.querySelector(\"{tile} .tile-call\")"
            ),
            LIVE,
        )
        .await;
    }
    tablet.assert_fits("floor view without calls").await;
    tablet.screenshot("3-no-calls").await;

    let open = expect_json(
        app.get(
            &format!("/guest-requests?outlet_id={}", shop.outlet),
            Some(&kasir),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(open, json!([]), "every call is answered on the server");
    tablet.assert_no_problems().await;
    phone.assert_no_problems().await;
}

/// A dish with a photo shows its thumbnail (lazy, of a fixed size) on the menu; a dish without
/// one shows no image and no empty box; the order screen still fits a 1024×768 tablet.
#[tokio::test]
async fn the_cashier_menu_shows_dish_photos_as_small_thumbnails() {
    let test = "the_cashier_menu_shows_dish_photos_as_small_thumbnails";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[30_000, 20_000, 15_000, 12_000, 10_000]).await;
    let (with_photo, without) = (shop.products[0], shop.products[1]);
    let uploaded = app
        .upload_photo(
            &shop.owner,
            with_photo,
            gradient_image(320, 240, ImageFormat::Jpeg),
        )
        .await;
    let product: Value = expect_json(uploaded, StatusCode::OK).await;
    assert!(product["image_url"].is_string(), "{product}");
    app.staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;

    let mut page = browser.new_page("photos").await;
    page.viewport(1024, 768, false).await;
    sign_in(&mut page, &app, "kasir", "kasir-password", "/cashier").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    page.press("#takeaway-tile").await;
    let thumb = format!(".menu-item[data-product-id='{with_photo}'] img.menu-thumb");
    page.wait_for(
        &format!(
            "(() => {{ const img = document.querySelector(\"{thumb}\"); \
             return img && img.complete && img.naturalWidth > 0; }})()"
        ),
        WAIT,
    )
    .await;
    let img = page
        .eval(&format!(
            "(() => {{ const img = document.querySelector(\"{thumb}\"); const r = img.getBoundingClientRect(); \
             return {{src: img.getAttribute('src'), loading: img.loading, alt: img.alt, \
               width: Math.round(r.width), height: Math.round(r.height)}}; }})()"
        ))
        .await;
    let src = img["src"].as_str().unwrap();
    assert!(
        src.starts_with(product["image_url"].as_str().unwrap()) && src.ends_with("&size=thumb"),
        "{img}"
    );
    assert_eq!(img["loading"], "lazy");
    assert_eq!(img["height"], 64, "a fixed height: {img}");
    assert_eq!(
        page.eval(&format!(
            "document.querySelectorAll(\".menu-item[data-product-id='{without}'] img\").length"
        ))
        .await,
        0,
        "no photo, no image"
    );
    // The photo is served from the public GET as the thumbnail.
    let fetched = app.get(&src.replace("/api/v1", ""), None).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    assert_eq!(fetched.headers()["content-type"], "image/jpeg");

    page.press(&format!(".menu-item[data-product-id='{with_photo}']"))
        .await;
    page.wait_for(
        "document.getElementById('order-submit').textContent === 'Send order · Rp30.000'",
        WAIT,
    )
    .await;
    page.assert_fits("order screen with photos").await;
    page.screenshot("menu-with-photos").await;
    page.assert_no_problems().await;
}

/// Words of the English texts (`cashier.*`, `common.*`, `role.*`) that no Indonesian text
/// uses, minus names every language keeps; then those of them visible on the page now.
const ENGLISH_SEEN: &str = "(async () => {
  const [en, id] = await Promise.all(['en', 'id'].map((l) => fetch(`/static/i18n/${l}.json`).then((r) => r.json())));
  const words = (text) => (String(text).match(/[A-Za-z]{3,}/g) || []).map((w) => w.toLowerCase());
  const ours = (key) => /^(cashier|common|role|lock|approval|printer_status)\\./.test(key);
  const indonesian = new Set(Object.values(id).flatMap(words));
  const kept = new Set(['kedai', 'qris', 'pin', 'shift', 'refund', 'admin', 'menu', 'subtotal', 'total',
    'printer', 'tablet', 'email', 'csv', 'english', 'wi', 'fi']);
  const english = new Set(Object.entries(en).filter(([key]) => ours(key)).flatMap(([, text]) => words(text))
    .filter((w) => !indonesian.has(w) && !kept.has(w)));
  const shown = [document.title, document.body.innerText,
    ...[...document.querySelectorAll('[aria-label]')].map((el) => el.getAttribute('aria-label'))].join(' ');
  return [...new Set(words(shown).filter((w) => english.has(w)))];
})()";

/// The page in Indonesian (the browser's language): the floor, the order screen with a cart,
/// the payment screen, the void, discount and shift sheets show no English words.
#[tokio::test]
async fn the_cashier_page_speaks_indonesian() {
    let test = "the_cashier_page_speaks_indonesian";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[]).await;
    let nasi = app
        .create_product(&shop.owner, shop.outlet, "Nasi Goreng", 25_000)
        .await;
    app.create_product(&shop.owner, shop.outlet, "Es Teh", 8_000)
        .await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let session = app.open_table(&kasir, shop.table).await;
    let guest = session["token"].as_str().unwrap().to_owned();
    let requests = format!("/table-sessions/{}/requests", id_of(&session));
    expect_json(
        app.post(&requests, Some(&guest), &json!({"kind": "BILL"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let items = json!([{"product_id": nasi, "quantity": 2}]);
    app.order(
        &kasir,
        &json!({"table_session_id": session["id"], "items": items}),
    )
    .await;

    let mut page = browser.new_page("indonesian").await;
    page.accept_language("id-ID,id").await;
    page.viewport(1024, 768, false).await;
    sign_in(&mut page, &app, "kasir", "kasir-password", "/cashier").await;
    page.wait_for(
        "document.body.dataset.ready === '1' && document.documentElement.lang === 'id'",
        WAIT,
    )
    .await;
    page.wait_for(
        "document.querySelector('#guest-call-list .guest-call')",
        WAIT,
    )
    .await;
    assert!(page.text("#guest-calls").await.contains("Minta bill"));
    let english = |value: Value| -> Vec<String> {
        value
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned())
            .collect()
    };

    // The floor, with the shift still closed (the yellow "Open shift" button).
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("1-floor").await;
    assert!(seen.is_empty(), "English on the floor: {seen:?}");

    // The shift sheet: opening one.
    page.click("#shift-button").await;
    page.wait_for("document.getElementById('shift-dialog').open", WAIT)
        .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("2-shift").await;
    assert!(seen.is_empty(), "English on the shift sheet: {seen:?}");
    page.fill("#start-cash", "100000").await;
    page.click("#shift-open").await;
    page.wait_for("document.body.dataset.shift === 'open'", WAIT)
        .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    assert!(seen.is_empty(), "English on the open shift: {seen:?}");
    page.click("#shift-dismiss").await;

    // The table's ticket with a dish not sent yet.
    let table = format!("#table-list [data-table-id='{}']", shop.table);
    page.press(&format!("{table} .table-tile")).await;
    page.wait_for(
        "document.querySelector(\"#order-list .order-row[data-number='1']\")",
        WAIT,
    )
    .await;
    page.press(&format!(".menu-item[data-product-id='{nasi}']"))
        .await;
    page.wait_for("!document.getElementById('order-submit').disabled", WAIT)
        .await;
    assert_eq!(page.text("#order-submit").await, "Kirim pesanan · Rp25.000");
    select_row(
        &mut page,
        "#order-list .order-row[data-number='1']",
        ".order-main",
    )
    .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("3-ticket").await;
    assert!(seen.is_empty(), "English on the ticket: {seen:?}");

    // Void, discount, payment.
    let line = "#order-list .order-row[data-number='1'] .ticket-line";
    select_row(&mut page, line, ".line-main").await;
    page.press(&format!("{line} button.void")).await;
    page.wait_for("document.getElementById('void-dialog').open", WAIT)
        .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("4-void").await;
    assert!(seen.is_empty(), "English on the void sheet: {seen:?}");
    page.click("#void-cancel").await;

    select_row(
        &mut page,
        "#order-list .order-row[data-number='1']",
        ".order-main",
    )
    .await;
    page.press(".order-discount").await;
    page.wait_for("document.getElementById('discount-dialog').open", WAIT)
        .await;
    page.click("#discount-quick [data-value='1000']").await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("5-discount").await;
    assert!(seen.is_empty(), "English on the discount sheet: {seen:?}");
    page.click("#discount-cancel").await;

    page.press("#ticket-pay").await;
    page.wait_for("document.getElementById('pay-dialog').open", WAIT)
        .await;
    page.fill("#pay-tendered", "100000").await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("6-pay").await;
    assert!(seen.is_empty(), "English on the payment screen: {seen:?}");
    page.press("#pay-confirm").await;
    page.wait_for("!document.getElementById('pay-result').hidden", WAIT)
        .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("7-paid").await;
    assert!(seen.is_empty(), "English after paying: {seen:?}");
    page.click("#pay-done").await;

    // The Orders panel.
    page.click("#orders-button").await;
    page.wait_for("document.querySelector('#history-list .history-row')", WAIT)
        .await;
    let seen = english(page.eval(ENGLISH_SEEN).await);
    page.screenshot("8-orders").await;
    assert!(seen.is_empty(), "English on the Orders panel: {seen:?}");
    page.assert_no_problems().await;
}
