//! Every page in Bahasa Indonesia: a browser asking for `id-ID` gets Indonesian pages with no
//! English left on them, `en-US` gets English, and the switch wins over both and is remembered.
//!
//! "English left" is found without a dictionary: each page is rendered in English first and its
//! words (plus every word of `en.json`) make the English vocabulary; a word of the Indonesian
//! rendering that is in it, is not a word of `id.json`, and is not a name or brand is a leftover.

use std::collections::BTreeSet;

use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::{
    browser::{sign_in, Browser, Page, WAIT},
    helpers::{expect_json, spawn_app, TestApp, OWNER},
};

/// Words that are the same in both languages, and the names this test gives things.
const SHARED: &[&str] = &[
    "Kedai",
    "owner",
    "mm",
    "QRIS",
    "Rp",
    "OK",
    "PIN",
    "Shift",
    "Refund",
    "Admin",
    "Menu",
    "Subtotal",
    "Total",
    "Printer",
    "Tablet",
    "CSV",
    "QR",
    "Wi",
    "Fi",
    "English",
    "Bahasa",
    "Indonesia",
    "ESC",
    "POS",
    "IDR",
    "Asia",
    "Jakarta",
    "API",
    "Swagger",
    "Nasi",
    "Goreng",
    "Teh",
    "Manis",
    "Makanan",
    "Minuman",
    "Warung",
    "Sari",
    "Meja",
    "budi",
    "sari",
    "dapur",
    "Dapur",
    "Bar",
    "Jl",
    "Melati",
    "Pemilik",
    "Kasir",
    "Manajer",
    "Pelayan",
    "Terima",
    "kasih",
];

/// The words a person sees: visible text, the options of visible selects, and the labels of
/// visible buttons and inputs.
const VISIBLE_WORDS: &str = r#"(() => {
  const words = new Set();
  // Paths and addresses (`/kitchen?station=Bar`) are not words anyone translates.
  const add = (text) => {
    for (const token of String(text || '').split(/\s+/)) {
      if (token.startsWith('/') || token.includes('://')) continue;
      for (const word of token.split(/[^\p{L}]+/u)) if (word.length > 1) words.add(word);
    }
  };
  const seen = (el) => el && el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!el || el.closest('script, style, template, option')) continue;
    if (seen(el)) add(node.textContent);
  }
  for (const select of document.querySelectorAll('select')) {
    if (seen(select)) for (const option of select.options) add(option.textContent);
  }
  for (const el of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (seen(el)) add(el.placeholder);
  }
  for (const el of document.querySelectorAll('input[type=submit], input[type=button]')) {
    if (seen(el)) add(el.value);
  }
  add(document.title);
  return [...words];
})()"#;

fn vocabulary(lang: &str) -> BTreeSet<String> {
    let path = format!("{}/web/i18n/{lang}.json", env!("CARGO_MANIFEST_DIR"));
    let words: serde_json::Map<String, Value> =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    words
        .values()
        .filter_map(Value::as_str)
        .flat_map(|text| {
            text.split(|c: char| !c.is_alphabetic())
                .filter(|w| w.chars().count() > 1)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

async fn words_on(page: &mut Page) -> BTreeSet<String> {
    let words = page.eval(VISIBLE_WORDS).await;
    words
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect()
}

/// Opens `url` in English and then in Indonesian (as the browser's language), waiting for
/// `ready` each time, and fails on any English word left in the Indonesian one.
async fn no_english_on(page: &mut Page, url: &str, ready: &str, screen: &str) {
    let english: BTreeSet<String> = vocabulary("en");
    let indonesian: BTreeSet<String> = vocabulary("id");
    page.accept_language("en-US,en").await;
    // A new document each time, even for another `#tab` of the same page.
    page.goto("about:blank").await;
    page.goto(url).await;
    page.wait_for(
        &format!("document.documentElement.lang === 'en' && ({ready})"),
        WAIT,
    )
    .await;
    let mut seen_in_english = words_on(page).await;
    seen_in_english.extend(english);

    page.accept_language("id-ID,id").await;
    // A new document each time, even for another `#tab` of the same page.
    page.goto("about:blank").await;
    page.goto(url).await;
    page.wait_for(
        &format!("document.documentElement.lang === 'id' && ({ready})"),
        WAIT,
    )
    .await;
    page.screenshot(&format!("id-{screen}")).await;
    let left: Vec<String> = words_on(page)
        .await
        .into_iter()
        .filter(|w| seen_in_english.contains(w))
        .filter(|w| !indonesian.contains(w))
        .filter(|w| !SHARED.contains(&w.as_str()))
        .collect();
    assert!(
        left.is_empty(),
        "English on the {screen} page in id: {left:?}"
    );
    page.assert_no_problems().await;
}

/// A small Indonesian shop: a table open with an order, a paid takeaway order, staff.
struct Shop {
    owner: String,
    qr_slug: String,
    receipt_url: String,
}

async fn warung(app: &TestApp) -> Shop {
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Warung Sari").await;
    let setup = json!({"tax_bp": 1000, "service_charge_bp": 500, "address": "Jl. Melati 3",
        "receipt_footer": "Terima kasih"});
    expect_json(
        app.patch(&format!("/outlets/{outlet}"), Some(&owner), &setup)
            .await,
        StatusCode::OK,
    )
    .await;
    let makanan = app.create_category(&owner, outlet, "Makanan", 0).await;
    let nasi = expect_json(
        app.post(
            &format!("/outlets/{outlet}/products"),
            Some(&owner),
            &json!({"name": "Nasi Goreng", "price": 25_000, "category_id": makanan}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let nasi = nasi["id"].as_str().unwrap().to_owned();
    let (table, qr_slug) = app.create_table(&owner, outlet, "Meja 1").await;
    app.staff(&owner, "budi", Role::Kasir, outlet).await;
    app.staff(&owner, "sari", Role::Manager, outlet).await;
    app.staff(&owner, "dapur", Role::Kitchen, outlet).await;
    let session = app.open_table(&owner, table).await;
    let items = json!([{"product_id": nasi, "quantity": 2}]);
    app.order(
        &owner,
        &json!({"table_session_id": session["id"], "items": items}),
    )
    .await;
    expect_json(
        app.post(
            "/shifts/open",
            Some(&owner),
            &json!({"outlet_id": outlet, "start_cash": 100_000}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let paid = app
        .order(
            &owner,
            &json!({"outlet_id": outlet, "items": [{"product_id": nasi, "quantity": 1}]}),
        )
        .await;
    let id = paid["id"].as_str().unwrap();
    let pay = json!({"method": "CASH", "amount": paid["total_amount"], "tendered": 50_000});
    expect_json(
        app.post(&format!("/orders/{id}/payments"), Some(&owner), &pay)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let order = expect_json(
        app.get(&format!("/orders/{id}"), Some(&owner)).await,
        StatusCode::OK,
    )
    .await;
    let receipt_url = format!(
        "{}{}",
        app.address,
        order["receipt_url"]
            .as_str()
            .unwrap_or_else(|| panic!("receipt_url in {order}"))
    );
    Shop {
        owner,
        qr_slug,
        receipt_url,
    }
}

#[tokio::test]
async fn every_page_in_indonesian_shows_no_english() {
    let test = "every_page_in_indonesian_shows_no_english";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;

    // A fresh install: `/` opens on creating the owner.
    let mut page = browser.new_page("i18n").await;
    page.viewport(360, 740, true).await;
    let root = format!("{}/", app.address);
    no_english_on(
        &mut page,
        &root,
        "document.readyState === 'complete'",
        "first-run",
    )
    .await;

    let shop = warung(&app).await;
    let _ = &shop.owner;
    no_english_on(
        &mut page,
        &root,
        "document.readyState === 'complete'",
        "sign-in",
    )
    .await;
    let guest = format!("{}/t/{}", app.address, shop.qr_slug);
    no_english_on(
        &mut page,
        &guest,
        "document.body.dataset.view === 'menu'",
        "guest",
    )
    .await;
    no_english_on(
        &mut page,
        &shop.receipt_url,
        "document.getElementById('receipt-total')?.textContent.trim()",
        "receipt",
    )
    .await;

    sign_in(&mut page, &app, OWNER.0, OWNER.1, "/admin").await;
    let ready = "document.body.dataset.ready === '1'";
    for tab in [
        "outlets", "tables", "menu", "printers", "staff", "reports", "activity",
    ] {
        let url = format!("{}/admin#{tab}", app.address);
        no_english_on(&mut page, &url, ready, &format!("admin-{tab}")).await;
    }
    let kitchen = format!("{}/kitchen", app.address);
    no_english_on(&mut page, &kitchen, ready, "kitchen").await;

    // Signed out, or `/` would go straight back to the owner's page.
    page.eval("localStorage.clear()").await;
    sign_in(&mut page, &app, "budi", "budi-password", "/cashier").await;
    page.viewport(1024, 768, false).await;
    let cashier = format!("{}/cashier", app.address);
    no_english_on(&mut page, &cashier, ready, "cashier").await;
}

#[tokio::test]
async fn the_browser_language_chooses_and_the_switch_wins_and_is_remembered() {
    let test = "the_browser_language_chooses_and_the_switch_wins_and_is_remembered";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let root = format!("{}/", app.address);
    let mut page = browser.new_page("language").await;
    let lang = "document.readyState === 'complete' && document.getElementById('lang-switch') \
                && document.documentElement.lang";
    page.accept_language("id-ID,id;q=0.9").await;
    page.goto(&root).await;
    assert_eq!(page.wait_for(lang, WAIT).await, "id");
    page.accept_language("en-US,en;q=0.9").await;
    page.goto(&root).await;
    assert_eq!(page.wait_for(lang, WAIT).await, "en");

    // On an English browser the switch chooses Indonesian, and it sticks across loads.
    page.eval(
        "(() => { const s = document.getElementById('lang-switch'); s.value = 'id'; \
         s.dispatchEvent(new Event('change')); })()",
    )
    .await;
    page.wait_for("document.documentElement.lang === 'id'", WAIT)
        .await;
    page.goto(&root).await;
    assert_eq!(page.wait_for(lang, WAIT).await, "id");
    // A browser that speaks neither falls back to the outlet's language (Indonesian here).
    page.eval("localStorage.removeItem('kedai.lang')").await;
    page.accept_language("fr-FR,fr").await;
    page.goto(&root).await;
    assert_eq!(page.wait_for(lang, WAIT).await, "id");
    page.assert_no_problems().await;
}
