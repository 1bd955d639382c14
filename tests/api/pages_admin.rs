//! Browser tests of the admin pages.

use image::ImageFormat;
use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::browser::{admin_tab, sign_in, untaxed_shop, Browser, WAIT};
use crate::helpers::{expect_json, gradient_image, spawn_app, OWNER};

async fn product(app: &crate::helpers::TestApp, token: &str, id: uuid::Uuid) -> Value {
    expect_json(
        app.get(&format!("/products/{id}"), Some(token)).await,
        StatusCode::OK,
    )
    .await
}

#[tokio::test]
async fn a_manager_uploads_and_removes_a_dish_photo_on_the_menu_tab() {
    let test = "a_manager_uploads_and_removes_a_dish_photo_on_the_menu_tab";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[25_000]).await;
    let dish = shop.products[0];
    let (_, manajer) = app
        .staff(&shop.owner, "manajer", Role::Manager, shop.outlet)
        .await;
    let files = tempfile::tempdir().unwrap();
    let photo = files.path().join("nasi-goreng.png");
    std::fs::write(&photo, gradient_image(800, 600, ImageFormat::Png)).unwrap();
    let broken = files.path().join("broken.png");
    std::fs::write(&broken, b"not a photo at all").unwrap();
    let huge = files.path().join("huge.jpg");
    std::fs::write(&huge, vec![0u8; 6 * 1024 * 1024]).unwrap();

    let mut page = browser.new_page("photo").await;
    sign_in(&mut page, &app, "manajer", "manajer-password", "/admin").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    admin_tab(&mut page, "menu").await;
    let row = format!("#product-list li[data-product-id='{dish}']");
    let input = format!("#product-photo-{dish}");
    page.click(&format!("{row} details summary")).await;
    assert_eq!(
        page.eval(&format!(
            "Boolean(document.querySelector(\"{row} img.admin-thumb\"))"
        ))
        .await,
        false,
        "no photo yet"
    );
    let labelled = page
        .eval(&format!(
            "document.querySelector(\"{input}\").labels[0]?.textContent"
        ))
        .await;
    assert_eq!(labelled, "Upload photo");

    // Too large: refused on the page, nothing is sent.
    page.set_files(&input, &[&huge]).await;
    let error = format!("{row} p.error");
    page.wait_for(
        &format!("!document.querySelector(\"{error}\").hidden"),
        WAIT,
    )
    .await;
    let text = page.text(&error).await;
    assert!(text.contains("5 MB"), "{text}");
    // Not a photo: the server's problem, in words.
    page.set_files(&input, &[&broken]).await;
    page.wait_for(
        &format!(
            "document.querySelector(\"{error}\").textContent !== {}",
            json!(text)
        ),
        WAIT,
    )
    .await;
    let refused = page.text(&error).await;
    assert!(!refused.is_empty(), "the INVALID_IMAGE problem is shown");
    assert!(product(&app, &manajer, dish).await["image_url"].is_null());

    // A real photo: the thumbnail shows in the row, the product has its image_url.
    page.set_files(&input, &[&photo]).await;
    let thumb = format!("{row} img.admin-thumb");
    page.wait_for(
        &format!(
            "(() => {{ const img = document.querySelector(\"{thumb}\"); \
             if (!img) return false; img.scrollIntoView({{block: 'center'}}); \
             return img.complete && img.naturalWidth > 0; }})()"
        ),
        WAIT,
    )
    .await;
    let url = product(&app, &manajer, dish).await["image_url"]
        .as_str()
        .expect("image_url after the upload")
        .to_owned();
    assert!(
        url.starts_with(&format!("/api/v1/products/{dish}/image?v=")),
        "{url}"
    );
    let src = page
        .eval(&format!(
            "document.querySelector(\"{thumb}\").getAttribute('src')"
        ))
        .await;
    assert_eq!(src, format!("{url}&size=thumb").as_str());
    assert!(
        page.eval(&format!("document.querySelector(\"{error}\").hidden"))
            .await
            == true
    );
    page.screenshot("uploaded").await;

    // Remove photo: gone from the row and from the product.
    page.eval("window.confirm = () => true").await;
    page.click(&format!("{row} button.photo-remove")).await;
    page.wait_for(
        &format!("!document.querySelector(\"{thumb}\") && document.querySelector(\"{row} .admin-thumb.empty\")"),
        WAIT,
    )
    .await;
    assert!(product(&app, &manajer, dish).await["image_url"].is_null());
    page.assert_no_problems().await;
}

/// The steps of the checklist: `[step, done]` in their order.
const STEPS: &str = "[...document.querySelectorAll('#setup-steps li')].map((li) => [li.dataset.step, li.dataset.done === '1'])";

#[tokio::test]
async fn a_new_outlet_shows_its_setup_checklist_until_every_step_is_done() {
    let test = "a_new_outlet_shows_its_setup_checklist_until_every_step_is_done";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let owner = app.owner_token().await;
    let outlet = app.create_outlet(&owner, "Warung Baru").await;

    let mut page = browser.new_page("checklist").await;
    page.viewport(360, 740, true).await;
    sign_in(&mut page, &app, OWNER.0, OWNER.1, "/admin").await;
    page.wait_for(
        "document.body.dataset.ready === '1' && !document.getElementById('setup-checklist').hidden",
        WAIT,
    )
    .await;
    assert_eq!(
        page.eval(STEPS).await,
        json!([
            ["outlet", false],
            ["tables", false],
            ["menu", false],
            ["staff", false],
            ["qr", false]
        ])
    );
    let links = page
        .eval("[...document.querySelectorAll('#setup-steps a')].map((a) => a.getAttribute('href'))")
        .await;
    assert_eq!(
        links,
        json!(["#outlets", "#tables", "#menu", "#staff", "#tables"])
    );
    page.screenshot("fresh").await;

    // A table, a dish and a cashier, made elsewhere: ticked after a reload.
    app.create_table(&owner, outlet, "Meja 1").await;
    app.create_product(&owner, outlet, "Es Teh", 5_000).await;
    app.create_user(&owner, "kasir", Role::Kasir, Some(outlet))
        .await;
    page.goto(&format!("{}/admin", app.address)).await;
    page.wait_for(
        "document.body.dataset.ready === '1' && document.querySelector('#setup-steps li[data-step=\"tables\"]')?.dataset.done === '1'",
        WAIT,
    )
    .await;
    assert_eq!(
        page.eval(STEPS).await,
        json!([
            ["outlet", false],
            ["tables", true],
            ["menu", true],
            ["staff", true],
            ["qr", false]
        ])
    );

    // The outlet's address, saved on the page: ticked at once.
    page.fill("#outlet-address", "Jl. Sabang 12, Jakarta").await;
    page.click("#outlet-save").await;
    page.wait_for(
        "document.querySelector('#setup-steps li[data-step=\"outlet\"]')?.dataset.done === '1'",
        WAIT,
    )
    .await;
    page.screenshot("four-done").await;

    // Printing the QR sheet is the last step: the checklist goes, and stays gone.
    page.click("#setup-steps li[data-step='qr'] a").await;
    page.wait_for("!document.getElementById('tab-tables').hidden", WAIT)
        .await;
    page.eval("window.print = () => {}").await;
    page.click("#print-all").await;
    page.wait_for("document.getElementById('setup-checklist').hidden", WAIT)
        .await;
    assert_eq!(
        page.eval(&format!(
            "localStorage.getItem('kedai.qr_printed.{outlet}')"
        ))
        .await,
        "1"
    );
    page.goto(&format!("{}/admin", app.address)).await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    assert!(
        page.eval("document.getElementById('setup-checklist').hidden")
            .await
            == true
    );
    page.assert_no_problems().await;
}

#[tokio::test]
async fn the_outlets_tab_sets_the_printing_language_and_tells_how_backups_stand() {
    let test = "the_outlets_tab_sets_the_printing_language_and_tells_how_backups_stand";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[25_000]).await;
    let mut page = browser.new_page("outlet-language").await;
    sign_in(&mut page, &app, OWNER.0, OWNER.1, "/admin").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    assert_eq!(
        page.eval("document.getElementById('outlet-language').value")
            .await,
        "id"
    );
    // The test server schedules no backups, and the page says so.
    page.wait_for(
        "document.getElementById('backup-status').textContent.includes('Scheduled backups are off')",
        WAIT,
    )
    .await;

    page.fill("#outlet-language", "en").await;
    page.click("#outlet-save").await;
    let outlet = format!("/outlets/{}", shop.outlet);
    for _ in 0..50 {
        let now = expect_json(app.get(&outlet, Some(&shop.owner)).await, StatusCode::OK).await;
        if now["language"] == "en" {
            page.assert_no_problems().await;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the outlet's language was not saved");
}
