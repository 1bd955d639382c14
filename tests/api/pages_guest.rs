//! Browser tests of the guest pages (table menu, receipt) and the sign-in page.

use image::ImageFormat;
use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{guest_on_phone, sign_in, untaxed_shop, Browser, Page, LIVE, WAIT};
use crate::helpers::{expect_json, gradient_image, spawn_app, TestApp, WsClient};

async fn upload_photo(app: &TestApp, token: &str, product: uuid::Uuid) -> Value {
    let photo = gradient_image(640, 480, ImageFormat::Jpeg);
    expect_json(
        app.upload_photo(token, product, photo).await,
        StatusCode::OK,
    )
    .await
}

/// The guest taps `button`: the staff socket rings with a request of `kind`, and the phone
/// says `status` (then a screenshot named `shot`). Returns the staff's frame.
async fn call(
    guest: &mut Page,
    till: &mut WsClient,
    (button, kind): (&str, &str),
    status: &str,
    shot: &str,
) -> Value {
    guest.press(button).await;
    let rang = till
        .next_of("GUEST_REQUEST", LIVE)
        .await
        .unwrap_or_else(|| panic!("the {kind} request rings on the staff socket"));
    assert_eq!(rang["payload"]["kind"], kind);
    guest
        .wait_for(
            &format!("document.getElementById('call-status').textContent === '{status}'"),
            WAIT,
        )
        .await;
    guest.screenshot(shot).await;
    rang
}

#[tokio::test]
async fn a_guest_asks_for_the_bill_from_a_phone_and_a_second_tap_waits() {
    let test = "a_guest_asks_for_the_bill_from_a_phone_and_a_second_tap_waits";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    // A long menu: the calls must stay within reach once it has scrolled.
    let prices: Vec<i64> = (1..=14).map(|i| i * 1_000).collect();
    let shop = untaxed_shop(&app, &prices).await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    app.open_table(&kasir, shop.table).await;
    let mut till = app.ws(&format!("token={kasir}")).await.unwrap();

    let mut guest = guest_on_phone(&mut browser, "guest-calls", &app, &shop.qr_slug).await;
    assert_eq!(guest.text("#call-waiter").await, "Call waiter");
    assert_eq!(guest.text("#call-bill").await, "Ask for the bill");
    let scrolled = guest
        .eval("window.scrollTo(0, document.documentElement.scrollHeight); window.scrollY")
        .await;
    assert!(
        scrolled.as_f64().unwrap() > 0.0,
        "the menu is long enough to scroll"
    );
    // Big enough for a thumb: at least 44 px tall, and a fair share of the phone's width.
    let size = guest
        .eval("(() => { const r = document.getElementById('call-bill').getBoundingClientRect(); return [r.width, r.height]; })()")
        .await;
    assert!(
        size[0].as_f64().unwrap() >= 140.0 && size[1].as_f64().unwrap() >= 44.0,
        "{size}"
    );

    let rang = call(
        &mut guest,
        &mut till,
        ("#call-bill", "BILL"),
        "The bill is on its way",
        "bill-called",
    )
    .await;
    assert_eq!(rang["payload"]["table_name"], "Meja 1");

    // Tapping again within 30 s: a friendly wait, the button held off, nothing new stored.
    guest.press("#call-bill").await;
    guest
        .wait_for(
            "document.getElementById('call-status').dataset.state === 'wait' \
             && document.getElementById('call-bill').disabled",
            WAIT,
        )
        .await;
    assert_eq!(
        guest.text("#call-status").await,
        "Already called, please wait a moment"
    );
    assert_eq!(
        guest
            .eval("document.getElementById('call-waiter').disabled")
            .await,
        false
    );
    guest.screenshot("bill-wait").await;
    let open = expect_json(
        app.get("/guest-requests", Some(&kasir)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(open.as_array().unwrap().len(), 1, "{open}");

    // Staff take it on: the guest's phone says someone is coming.
    let id = rang["payload"]["id"].as_str().unwrap();
    let answered = app
        .post(
            &format!("/guest-requests/{id}/ack"),
            Some(&kasir),
            &json!({}),
        )
        .await;
    expect_json(answered, StatusCode::OK).await;
    guest
        .wait_for(
            "document.getElementById('call-status').textContent === 'A waiter is on the way to your table'",
            LIVE,
        )
        .await;

    // Calling the waiter is a call of its own.
    call(
        &mut guest,
        &mut till,
        ("#call-waiter", "CALL_WAITER"),
        "A waiter has been called",
        "waiter-called",
    )
    .await;
    guest.assert_no_problems().await;
}

#[tokio::test]
async fn dish_photos_show_on_the_guest_menu_and_in_the_dish_sheet() {
    let test = "dish_photos_show_on_the_guest_menu_and_in_the_dish_sheet";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[25_000, 18_000]).await;
    let (pictured, plain) = (shop.products[0], shop.products[1]);
    let product = upload_photo(&app, &shop.owner, pictured).await;
    assert!(product["image_url"].is_string(), "{product}");
    app.open_table(&shop.owner, shop.table).await;

    let mut guest = browser.new_page("guest-photos").await;
    guest.viewport(360, 740, true).await;
    guest
        .goto(&format!("{}/t/{}", app.address, shop.qr_slug))
        .await;
    guest
        .wait_for("document.body.dataset.view === 'menu'", WAIT)
        .await;
    let thumb = format!("[data-product-id='{pictured}'] img.product-thumb");
    let loaded = guest
        .wait_for(
            &format!(
                "(() => {{ const img = document.querySelector(\"{thumb}\"); \
                 return img && img.complete && img.naturalWidth > 0 && {{src: img.getAttribute('src'), \
                 loading: img.loading, box: [Math.round(img.getBoundingClientRect().width), Math.round(img.getBoundingClientRect().height)]}}; }})()"
            ),
            WAIT,
        )
        .await;
    let src = loaded["src"].as_str().unwrap();
    assert!(
        src.starts_with(product["image_url"].as_str().unwrap()) && src.ends_with("&size=thumb"),
        "{src}"
    );
    assert_eq!(loaded["loading"], "lazy");
    assert_eq!(loaded["box"], json!([72, 72]));
    assert_eq!(
        guest
            .eval(&format!(
                "!!document.querySelector(\"[data-product-id='{plain}'] img\")"
            ))
            .await,
        false
    );
    guest.screenshot("menu").await;

    // The dish's sheet shows the whole photo; a dish without one shows none.
    guest
        .click(&format!("[data-product-id='{pictured}'] .product-button"))
        .await;
    let full = guest
        .wait_for(
            "(() => { const img = document.getElementById('sheet-photo'); \
             return document.getElementById('sheet').open && !img.hidden && img.complete \
               && img.naturalWidth > 0 && img.getAttribute('src'); })()",
            WAIT,
        )
        .await;
    assert_eq!(full, product["image_url"]);
    guest.screenshot("sheet").await;
    guest.click("#sheet-cancel").await;
    guest
        .click(&format!("[data-product-id='{plain}'] .product-button"))
        .await;
    guest
        .wait_for(
            "document.getElementById('sheet').open && document.getElementById('sheet-photo').hidden",
            WAIT,
        )
        .await;
    guest.assert_no_problems().await;
}

#[tokio::test]
async fn a_fresh_install_opens_on_the_owner_form_and_then_only_signs_in() {
    let test = "a_fresh_install_opens_on_the_owner_form_and_then_only_signs_in";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let setup = expect_json(app.get("/setup", None).await, StatusCode::OK).await;
    assert_eq!(setup["needs_owner"], true);

    // In Indonesian, the welcome says so.
    let mut indonesian = browser.new_page("first-run-id").await;
    indonesian.goto(&format!("{}/", app.address)).await;
    indonesian
        .eval("localStorage.setItem('kedai.lang', 'id')")
        .await;
    indonesian.goto(&format!("{}/", app.address)).await;
    indonesian
        .wait_for("!document.getElementById('setup').hidden", WAIT)
        .await;
    assert_eq!(
        indonesian.text("#setup-title").await,
        "Selamat datang di Kedai — buat akun pemilik"
    );
    indonesian.screenshot("setup").await;

    // Nothing to click first: the owner form is open and focused, the sign-in out of the way.
    let mut page = browser.new_page("first-run-open").await;
    page.viewport(360, 740, true).await;
    page.goto(&format!("{}/", app.address)).await;
    page.wait_for(
        "!document.getElementById('setup').hidden && document.activeElement.id === 'setup-username'",
        WAIT,
    )
    .await;
    assert_eq!(
        page.eval("document.getElementById('login-card').hidden")
            .await,
        true
    );
    assert_eq!(
        page.text("#setup-title").await,
        "Welcome to Kedai — create the owner account"
    );
    page.screenshot("setup").await;
    page.fill("#setup-username", "pemilik").await;
    page.fill("#setup-password", "pemilik-password").await;
    page.fill("#setup-confirm", "pemilik-password").await;
    page.click("#setup-submit").await;
    page.wait_for(
        "location.pathname === '/admin' && document.readyState === 'complete'",
        WAIT,
    )
    .await;
    page.assert_no_problems().await;

    // Once there is an owner, `/` only signs in.
    let mut later = browser.new_page("after-setup").await;
    later.viewport(360, 740, true).await;
    later.goto(&format!("{}/", app.address)).await;
    later
        .wait_for(
            "!document.getElementById('setup') && !document.getElementById('setup-form') \
             && !document.getElementById('login-card').hidden",
            WAIT,
        )
        .await;
    assert_eq!(later.text("#login-title").await, "Staff sign in");
    later.screenshot("sign-in").await;
    sign_in(&mut later, &app, "pemilik", "pemilik-password", "/admin").await;
    later.assert_no_problems().await;
}

/// The words a person sees on the page (text, and the labels of controls), for checking that
/// an Indonesian page has no English left.
const VISIBLE_WORDS: &str = "(() => {
  const seen = [document.body.innerText];
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (el.closest('[hidden]')) continue;
    seen.push(el.getAttribute('aria-label') || '', el.getAttribute('title') || '', el.getAttribute('placeholder') || '');
  }
  for (const d of document.querySelectorAll('dialog[open]')) seen.push(d.innerText);
  seen.push(document.title);
  return seen.join('\\n');
})()";

/// English words that must not show on a page rendered in Indonesian (names from the data
/// such as `Dish 0` and the allowed words — Menu, Total, Subtotal, QRIS, Kedai — are not here).
const ENGLISH: &str =
    "the and order orders table add sold loading sign kitchen receipt paid change cash \
     received accept accepted cooking ready new tap sound waiter call ask your please view \
     place service tax discount note quantity cancel welcome print paper date cashier \
     username password waiting for of on to is more less one choose optional served \
     cancelled start again try closed open stations all tickets picked mark takeaway void \
     comp setup documentation staff thank outstanding card other off";

fn english_left(text: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| {
            let word = word.to_lowercase();
            ENGLISH.split_whitespace().any(|english| english == word)
        })
        .map(str::to_owned)
        .collect();
    found.sort();
    found.dedup();
    found
}

async fn assert_indonesian(page: &mut crate::browser::Page, screen: &str) {
    let text = page.eval(VISIBLE_WORDS).await;
    let text = text.as_str().unwrap_or_default().to_owned();
    let left = english_left(&text);
    assert!(
        left.is_empty(),
        "{screen} in Indonesian still says {left:?}:\n{text}"
    );
}

#[tokio::test]
async fn the_guest_menu_kitchen_receipt_and_sign_in_speak_indonesian() {
    let test = "the_guest_menu_kitchen_receipt_and_sign_in_speak_indonesian";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[25_000, 5_000]).await;
    let rates = json!({"service_charge_bp": 500, "tax_bp": 1100});
    let patched = app
        .patch(
            &format!("/outlets/{}", shop.outlet),
            Some(&shop.owner),
            &rates,
        )
        .await;
    expect_json(patched, StatusCode::OK).await;
    let dish = shop.products[0];
    let spice = json!({"name": "Level pedas", "min_select": 1, "max_select": 1,
        "options": [{"name": "Sedang"}, {"name": "Pedas", "price_delta": 2_000}]});
    let spice = app
        .post(
            &format!("/products/{dish}/modifier-groups"),
            Some(&shop.owner),
            &spice,
        )
        .await;
    let spice = expect_json(spice, StatusCode::CREATED).await;
    let hot = spice["options"][1]["id"].as_str().unwrap().to_owned();
    upload_photo(&app, &shop.owner, dish).await;
    let off = app
        .patch(
            &format!("/products/{}", shop.products[1]),
            Some(&shop.owner),
            &json!({"available": false}),
        )
        .await;
    expect_json(off, StatusCode::OK).await;
    app.staff(&shop.owner, "koki", Role::Kitchen, shop.outlet)
        .await;

    // The sign-in page.
    let mut guest = browser.new_page("indonesian-guest").await;
    guest.viewport(360, 740, true).await;
    guest.goto(&format!("{}/", app.address)).await;
    guest.eval("localStorage.setItem('kedai.lang', 'id')").await;
    guest.goto(&format!("{}/?expired=1", app.address)).await;
    guest
        .wait_for(
            "!document.getElementById('setup') && document.documentElement.lang === 'id'",
            WAIT,
        )
        .await;
    guest.click("#login-submit").await;
    guest
        .wait_for("!document.getElementById('login-error').hidden", WAIT)
        .await;
    assert_indonesian(&mut guest, "/").await;

    // The table not open yet.
    guest
        .goto(&format!("{}/t/{}", app.address, shop.qr_slug))
        .await;
    guest
        .wait_for(
            "document.getElementById('message').dataset.kind === 'not-open'",
            WAIT,
        )
        .await;
    assert_indonesian(&mut guest, "not open").await;

    // The menu, a dish's sheet, the cart, the orders and the bill.
    let session = app.open_table(&shop.owner, shop.table).await;
    guest.click("#message-retry").await;
    guest
        .wait_for(
            "document.body.dataset.view === 'menu' && document.body.dataset.live === 'live'",
            WAIT,
        )
        .await;
    assert_indonesian(&mut guest, "the menu").await;
    guest
        .click(&format!("[data-product-id='{dish}'] .product-button"))
        .await;
    guest
        .wait_for("document.getElementById('sheet').open", WAIT)
        .await;
    guest.click("#sheet-add").await;
    guest
        .wait_for("!document.getElementById('sheet-error').hidden", WAIT)
        .await;
    assert_indonesian(&mut guest, "the dish sheet").await;
    guest.click(&format!("#opt-{hot}")).await;
    guest.click("#sheet-plus").await;
    guest.click("#sheet-add").await;
    guest.click("#cart-open").await;
    guest
        .wait_for("document.getElementById('cart').open", WAIT)
        .await;
    assert_indonesian(&mut guest, "the cart").await;
    guest.screenshot("cart").await;
    guest.click("#place-order").await;
    guest
        .wait_for(
            "document.querySelector('#orders .order[data-status=\"NEW\"]')",
            WAIT,
        )
        .await;
    guest.press("#call-bill").await;
    guest
        .wait_for(
            "document.getElementById('call-status').dataset.state === 'called'",
            WAIT,
        )
        .await;
    guest
        .wait_for(
            "document.getElementById('bill').textContent.includes('Total')",
            WAIT,
        )
        .await;
    assert_indonesian(&mut guest, "the orders").await;
    guest.screenshot("orders").await;

    // The kitchen.
    let mut kitchen = browser.new_page("indonesian-kitchen").await;
    kitchen.goto(&format!("{}/", app.address)).await;
    kitchen
        .eval("localStorage.setItem('kedai.lang', 'id')")
        .await;
    sign_in(&mut kitchen, &app, "koki", "koki-password", "/kitchen").await;
    kitchen
        .wait_for(
            "document.body.dataset.ready === '1' && document.querySelector('.ticket')",
            WAIT,
        )
        .await;
    kitchen.click("#soldout-toggle").await;
    assert_indonesian(&mut kitchen, "/kitchen").await;
    kitchen.screenshot("board").await;

    // Paid: the receipt.
    let orders = expect_json(
        app.get(
            &format!("/orders?outlet_id={}", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let order = &orders["items"][0];
    expect_json(
        app.post(
            "/shifts/open",
            Some(&shop.owner),
            &json!({"outlet_id": shop.outlet, "start_cash": 0}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let pay = json!({"method": "CASH", "amount": order["total_amount"], "tendered": 100_000});
    let id = order["id"].as_str().unwrap();
    expect_json(
        app.post(&format!("/orders/{id}/payments"), Some(&shop.owner), &pay)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let link = guest
        .wait_for(
            "(document.querySelector(\"a[href^='/r/']\") || {}).href",
            WAIT,
        )
        .await;
    assert_indonesian(&mut guest, "the paid orders").await;
    guest.goto(link.as_str().unwrap()).await;
    guest
        .wait_for("document.getElementById('receipt-total')", WAIT)
        .await;
    assert_indonesian(&mut guest, "the receipt").await;
    guest.screenshot("receipt").await;

    // The table closed.
    guest
        .goto(&format!("{}/t/{}", app.address, shop.qr_slug))
        .await;
    guest
        .wait_for("document.body.dataset.view === 'menu'", WAIT)
        .await;
    let close = format!("/table-sessions/{}/close", session["id"].as_str().unwrap());
    expect_json(
        app.post(&close, Some(&shop.owner), &json!({})).await,
        StatusCode::OK,
    )
    .await;
    guest
        .wait_for(
            "document.getElementById('message').dataset.kind === 'closed'",
            LIVE,
        )
        .await;
    assert_indonesian(&mut guest, "the closed table").await;
    guest.assert_no_problems().await;
    kitchen.assert_no_problems().await;
}
