//! The embedded pages in headless Chromium (Debian's `chromium`), driven over the DevTools
//! protocol: a small driver first (`Browser`, `Page`), then the tests. Without Chromium each
//! test prints a notice and passes, unless `KEDAI_TEST_REQUIRE_ALL=1`. Screenshots land in
//! `target/tmp/screenshots/`.

use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use base64::Engine;
use futures::{SinkExt, StreamExt};
use kedai::auth::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_tungstenite::{tungstenite::Message, MaybeTlsStream, WebSocketStream};

use crate::helpers::{expect_json, require_all, spawn_app, Shop, TestApp, OWNER};

const CHROMIUM: &str = "/usr/bin/chromium";
/// Page loads and form round trips.
pub(crate) const WAIT: Duration = Duration::from_secs(15);
/// Something another client did must show up within this (live, without reload).
pub(crate) const LIVE: Duration = Duration::from_secs(10);

// ---- the driver ----------------------------------------------------------------------------

/// One DevTools WebSocket: numbered commands, each answered by the reply with its id.
/// Events arriving in between are skipped.
struct Cdp {
    socket: WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>,
    next_id: u64,
}

impl Cdp {
    async fn connect(url: &str) -> Cdp {
        let (socket, _) = tokio_tungstenite::connect_async(url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to DevTools at {url}: {e}"));
        Cdp { socket, next_id: 0 }
    }

    async fn call(&mut self, method: &str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let id = self.next_id;
        let command = json!({"id": id, "method": method, "params": params});
        self.socket
            .send(Message::text(command.to_string()))
            .await
            .map_err(|e| format!("{method}: {e}"))?;
        loop {
            let message = tokio::time::timeout(Duration::from_secs(30), self.socket.next())
                .await
                .map_err(|_| format!("{method}: no answer within 30 s"))?
                .ok_or_else(|| format!("{method}: DevTools connection closed"))?
                .map_err(|e| format!("{method}: {e}"))?;
            let Message::Text(text) = message else {
                continue;
            };
            let reply: Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            if reply["id"] != id {
                continue;
            }
            if let Some(error) = reply.get("error") {
                return Err(format!("{method}: {error}"));
            }
            return Ok(reply["result"].clone());
        }
    }
}

/// The Chromium process (its whole process group), killed on drop.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        // Chromium's renderers and helpers share its process group (see `process_group(0)`).
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.0.id())])
            .stderr(Stdio::null())
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A headless Chromium with a fresh profile, talking only to 127.0.0.1.
pub struct Browser {
    cdp: Cdp,
    port: u16,
    _process: Process,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium, or skips the test (`None`) when it is not installed.
    pub async fn launch(test: &str) -> Option<Browser> {
        let path = std::env::var("KEDAI_TEST_CHROMIUM").unwrap_or_else(|_| CHROMIUM.to_owned());
        if !Path::new(&path).exists() {
            if require_all() {
                panic!("{test}: {path} is required (KEDAI_TEST_REQUIRE_ALL=1): apt-get install chromium");
            }
            eprintln!("skipping {test}: chromium not found");
            return None;
        }
        let profile = tempfile::tempdir().expect("profile dir");
        let mut child = std::os::unix::process::CommandExt::process_group(
            Command::new(&path)
                .args([
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-extensions",
                    "--disable-default-apps",
                    "--no-first-run",
                    "--no-default-browser-check",
                    "--disable-quic",
                    "--no-proxy-server",
                    "--mute-audio",
                    // The pages follow the browser's language: English unless a test asks.
                    "--lang=en-US",
                    "--window-size=1280,900",
                    "--remote-debugging-port=0",
                ])
                .arg(format!("--user-data-dir={}", profile.path().display()))
                .arg("about:blank")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::piped()),
            0,
        )
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {path}: {e}"));
        let stderr = child.stderr.take().expect("stderr");
        let process = Process(child);

        // Keep reading stderr to its end, or a chatty Chromium would block on a full pipe.
        let (found, address) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.strip_prefix("DevTools listening on ") {
                    let _ = found.send(url.trim().to_owned());
                }
            }
        });
        let url =
            tokio::task::spawn_blocking(move || address.recv_timeout(Duration::from_secs(30)))
                .await
                .expect("join")
                .expect("Chromium did not print `DevTools listening on ws://…` within 30 s");
        let port = url
            .strip_prefix("ws://127.0.0.1:")
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected DevTools address {url}"));
        Some(Browser {
            cdp: Cdp::connect(&url).await,
            port,
            _process: process,
            _profile: profile,
        })
    }

    /// A new tab in a browser context of its own (own cookies and storage, like another
    /// device), with its own DevTools connection.
    pub async fn new_page(&mut self, name: &str) -> Page {
        let context = self
            .cdp
            .call("Target.createBrowserContext", json!({}))
            .await
            .expect("browser context")["browserContextId"]
            .clone();
        let target = self
            .cdp
            .call(
                "Target.createTarget",
                json!({"url": "about:blank", "browserContextId": context}),
            )
            .await
            .expect("target")["targetId"]
            .as_str()
            .expect("targetId")
            .to_owned();
        let url = format!("ws://127.0.0.1:{}/devtools/page/{target}", self.port);
        let mut page = Page {
            cdp: Cdp::connect(&url).await,
            name: name.to_owned(),
        };
        page.cdp.call("Page.enable", json!({})).await.expect("page");
        page.cdp
            .call(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": RECORD_PROBLEMS}),
            )
            .await
            .expect("problem recorder");
        page
    }
}

/// Runs first in every document: keeps script errors and CSP violations for `Page::problems`.
const RECORD_PROBLEMS: &str = "window.__problems = [];
addEventListener('error', (e) => __problems.push(`error: ${e.message}`));
addEventListener('unhandledrejection', (e) => __problems.push(`unhandled: ${e.reason}`));
addEventListener('securitypolicyviolation',
  (e) => __problems.push(`CSP ${e.violatedDirective}: ${e.blockedURI}`));";

/// One tab.
pub struct Page {
    cdp: Cdp,
    name: String,
}

impl Page {
    /// Opens `url` and waits until the new document has loaded.
    pub async fn goto(&mut self, url: &str) {
        // Mark the old document, so the wait below can tell the new one apart.
        let _ = self.try_eval("window.__leaving = true").await;
        let result = self
            .cdp
            .call("Page.navigate", json!({"url": url}))
            .await
            .expect("navigate");
        assert!(result.get("errorText").is_none(), "{url}: {result}");
        self.wait_for(
            "!window.__leaving && document.readyState === 'complete'",
            WAIT,
        )
        .await;
    }

    /// Evaluates `js` (awaiting it when it is a promise): its JSON value, or the exception.
    pub async fn try_eval(&mut self, js: &str) -> Result<Value, String> {
        let params = json!({"expression": js, "awaitPromise": true, "returnByValue": true,
            "userGesture": true});
        let result = self.cdp.call("Runtime.evaluate", params).await?;
        if let Some(exception) = result.get("exceptionDetails") {
            let text = exception["exception"]["description"]
                .as_str()
                .or(exception["text"].as_str())
                .unwrap_or("exception");
            return Err(text.to_owned());
        }
        Ok(result["result"]["value"].clone())
    }

    pub async fn eval(&mut self, js: &str) -> Value {
        match self.try_eval(js).await {
            Ok(value) => value,
            Err(error) => panic!("[{}] `{js}` failed: {error}", self.name),
        }
    }

    /// Polls `condition` until it is truthy; on timeout, a screenshot and the page's text.
    pub async fn wait_for(&mut self, condition: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let last = match self.try_eval(condition).await {
                Ok(value) if truthy(&value) => return value,
                Ok(value) => value.to_string(),
                Err(error) => error,
            };
            if Instant::now() >= deadline {
                self.screenshot("timeout").await;
                let text = self.try_eval("document.body.innerText").await;
                panic!(
                    "[{}] waited {timeout:?} for `{condition}` (last: {last})\npage text: {}",
                    self.name,
                    text.unwrap_or_default()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Asserts that the current document had no script error and no CSP violation.
    pub async fn assert_no_problems(&mut self) {
        let problems = self.eval("window.__problems").await;
        assert_eq!(problems, json!([]), "[{}] problems on the page", self.name);
    }

    pub async fn click(&mut self, selector: &str) {
        self.eval(&format!("{}.click()", element(selector))).await;
    }

    /// Real mouse clicks (`count` in a row, like a double tap) at the element's centre.
    pub async fn tap(&mut self, selector: &str, count: u32) {
        let js = format!(
            "(() => {{ const el = {}; el.scrollIntoView({{block: 'center'}}); \
             const r = el.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; }})()",
            element(selector)
        );
        let centre = self.eval(&js).await;
        self.mouse_clicks(&centre, count).await;
    }

    /// A finger on the element where it is now, as a user would without scrolling: it must be
    /// wholly inside the viewport and on top at its centre (not clipped, nothing over it).
    pub async fn press(&mut self, selector: &str) {
        let js = format!(
            "(() => {{ const el = {}; const r = el.getBoundingClientRect(); \
             const x = r.x + r.width / 2, y = r.y + r.height / 2; const top = document.elementFromPoint(x, y); \
             const inside = r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0 \
               && r.right <= innerWidth && r.bottom <= innerHeight; \
             return {{x, y, inside, onTop: Boolean(top && (top === el || el.contains(top))), \
               covered: top ? top.outerHTML.slice(0, 80) : null}}; }})()",
            element(selector)
        );
        // A screen still re-rendering (a socket frame, a reply) settles first, as for a user.
        let deadline = Instant::now() + WAIT;
        let at = loop {
            let at = self.try_eval(&js).await.unwrap_or_default();
            if at["inside"] == true && at["onTop"] == true {
                break at;
            }
            assert!(
                Instant::now() < deadline,
                "[{}] `{selector}` cannot be pressed without scrolling: {at}",
                self.name
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        self.mouse_clicks(&json!([at["x"], at["y"]]), 1).await;
    }

    /// Asserts the page itself does not scroll at its current size (panels may, inside).
    pub async fn assert_fits(&mut self, screen: &str) {
        let sizes = self
            .eval(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight, \
                 innerWidth, innerHeight]",
            )
            .await;
        assert!(
            sizes[0].as_i64() <= sizes[2].as_i64() && sizes[1].as_i64() <= sizes[3].as_i64(),
            "[{}] the {screen} scrolls: content {}×{} in a {}×{} window",
            self.name,
            sizes[0],
            sizes[1],
            sizes[2],
            sizes[3]
        );
    }

    async fn mouse_clicks(&mut self, centre: &Value, count: u32) {
        for click in 1..=count {
            for kind in ["mousePressed", "mouseReleased"] {
                let event = json!({"type": kind, "x": centre[0], "y": centre[1],
                    "button": "left", "clickCount": click});
                self.cdp
                    .call("Input.dispatchMouseEvent", event)
                    .await
                    .expect("mouse");
            }
        }
    }

    /// Types into an input as if by hand (the page sees `input` and `change` events).
    pub async fn fill(&mut self, selector: &str, value: &str) {
        self.eval(&format!(
            "(() => {{ const el = {}; el.focus(); el.value = {}; \
             el.dispatchEvent(new Event('input', {{bubbles: true}})); \
             el.dispatchEvent(new Event('change', {{bubbles: true}})); }})()",
            element(selector),
            json!(value)
        ))
        .await;
    }

    /// Chooses files on an `<input type="file">` as the file picker would (the page sees
    /// `input` and `change`).
    pub async fn set_files(&mut self, selector: &str, paths: &[&Path]) {
        let found = self
            .cdp
            .call("Runtime.evaluate", json!({"expression": element(selector)}))
            .await
            .expect("file input");
        let object = found["result"]["objectId"].clone();
        assert!(
            object.is_string(),
            "[{}] no `{selector}`: {found}",
            self.name
        );
        let files: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        self.cdp
            .call(
                "DOM.setFileInputFiles",
                json!({"files": files, "objectId": object}),
            )
            .await
            .expect("set files");
    }

    pub async fn text(&mut self, selector: &str) -> String {
        let text = self.eval(&format!("{}.innerText", element(selector))).await;
        text.as_str().unwrap_or_default().to_owned()
    }

    /// The browser's languages, as its Accept-Language header and `navigator.languages` say.
    pub async fn accept_language(&mut self, languages: &str) {
        let agent = self.eval("navigator.userAgent").await;
        let params = json!({"userAgent": agent, "acceptLanguage": languages});
        self.cdp
            .call("Emulation.setUserAgentOverride", params)
            .await
            .expect("accept language");
    }

    /// Emulates a phone (`mobile`) or tablet screen of this size.
    pub async fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        let metrics =
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile});
        self.cdp
            .call("Emulation.setDeviceMetricsOverride", metrics)
            .await
            .expect("viewport");
    }

    /// Cuts the tab off the network (open sockets drop, new ones fail), or restores it.
    pub async fn offline(&mut self, offline: bool) {
        self.cdp
            .call("Network.enable", json!({}))
            .await
            .expect("network");
        let conditions = json!({"offline": offline, "latency": 0,
            "downloadThroughput": -1, "uploadThroughput": -1});
        self.cdp
            .call("Network.emulateNetworkConditions", conditions)
            .await
            .expect("network conditions");
    }

    /// Emulates a CSS media type (`print`, or `screen` again).
    pub async fn media(&mut self, media: &str) {
        self.cdp
            .call("Emulation.setEmulatedMedia", json!({"media": media}))
            .await
            .expect("media");
    }

    /// Saves a PNG of the page to `target/tmp/screenshots/<page>-<step>.png`.
    pub async fn screenshot(&mut self, step: &str) {
        let Ok(shot) = self
            .cdp
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await
        else {
            return;
        };
        let Some(png) = shot["data"]
            .as_str()
            .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
        else {
            return;
        };
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join(format!("{}-{step}.png", self.name)), png);
    }
}

/// JS for the element `selector` matches, throwing when there is none.
fn element(selector: &str) -> String {
    format!(
        "(document.querySelector({0}) ?? (() => {{ throw new Error('no element matches ' + {0}); }})())",
        json!(selector)
    )
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        _ => true,
    }
}

// ---- the tests -----------------------------------------------------------------------------

/// A guest's 360 px phone on the table's QR page, with the menu shown and the socket live.
pub(crate) async fn guest_on_phone(
    browser: &mut Browser,
    name: &str,
    app: &TestApp,
    qr_slug: &str,
) -> Page {
    let mut guest = browser.new_page(name).await;
    guest.viewport(360, 740, true).await;
    guest.goto(&format!("{}/t/{qr_slug}", app.address)).await;
    guest
        .wait_for(
            "document.body.dataset.view === 'menu' && document.body.dataset.live === 'live'",
            WAIT,
        )
        .await;
    guest
}

/// Signs in through `/` and waits for the role's page.
pub(crate) async fn sign_in(
    page: &mut Page,
    app: &TestApp,
    username: &str,
    password: &str,
    lands_on: &str,
) {
    page.goto(&format!("{}/", app.address)).await;
    page.fill("#login-username", username).await;
    page.fill("#login-password", password).await;
    page.click("#login-submit").await;
    page.wait_for(
        &format!("location.pathname === '{lands_on}' && document.readyState === 'complete'"),
        WAIT,
    )
    .await;
}

#[tokio::test]
async fn first_run_creates_the_owner_from_the_browser() {
    let Some(mut browser) = Browser::launch("first_run_creates_the_owner_from_the_browser").await
    else {
        return;
    };
    let app = spawn_app().await;
    let mut page = browser.new_page("first-run").await;
    page.goto(&format!("{}/", app.address)).await;
    // A second device has the first-run page open too, from before the owner existed.
    let mut late = browser.new_page("first-run-late").await;
    late.goto(&format!("{}/", app.address)).await;
    late.wait_for("!document.getElementById('setup').hidden", WAIT)
        .await;

    // A fresh install opens on the owner form.
    page.wait_for("!document.getElementById('setup').hidden", WAIT)
        .await;
    page.fill("#setup-username", "boss").await;
    page.fill("#setup-password", "boss-password").await;
    page.fill("#setup-confirm", "boss-password").await;
    page.click("#setup-submit").await;
    page.wait_for(
        "location.pathname === '/admin' && document.getElementById('who').textContent === 'boss (Owner)'",
        WAIT,
    )
    .await;
    page.screenshot("admin").await;
    let token = page.eval("localStorage.getItem('kedai.token')").await;
    let token = token.as_str().expect("token in localStorage");
    let me = expect_json(app.get("/auth/me", Some(token)).await, StatusCode::OK).await;
    assert_eq!(
        (me["username"].as_str(), me["role"].as_str()),
        (Some("boss"), Some("OWNER"))
    );

    // Signed out, `/` has no first-run form any more; the one still open elsewhere says that
    // setup is done …
    page.click("#sign-out").await;
    page.wait_for(
        "location.pathname === '/' && !document.getElementById('setup-form') && localStorage.getItem('kedai.token') === null",
        WAIT,
    )
    .await;
    late.fill("#setup-username", "intruder").await;
    late.fill("#setup-password", "intruder-password").await;
    late.fill("#setup-confirm", "intruder-password").await;
    late.click("#setup-submit").await;
    late.wait_for(
        "document.getElementById('setup-error').textContent.includes('already done')",
        WAIT,
    )
    .await;
    late.screenshot("setup-done").await;
    late.assert_no_problems().await;

    // … a wrong password is refused, and the owner signs in with the form.
    page.fill("#login-username", "boss").await;
    page.fill("#login-password", "not-the-password").await;
    page.click("#login-submit").await;
    page.wait_for(
        "document.getElementById('login-error').textContent.includes('Wrong')",
        WAIT,
    )
    .await;
    sign_in(&mut page, &app, "boss", "boss-password", "/admin").await;
    page.assert_no_problems().await;
}

/// The signed-in staff token the page keeps in `localStorage`.
pub(crate) async fn page_token(page: &mut Page) -> String {
    let token = page.eval("localStorage.getItem('kedai.token')").await;
    token.as_str().expect("token in localStorage").to_owned()
}

/// Opens an admin tab through its link in the navigation.
pub(crate) async fn admin_tab(page: &mut Page, tab: &str) {
    page.click(&format!("#tabs a[data-tab='{tab}']")).await;
    page.wait_for(
        &format!("!document.getElementById('tab-{tab}').hidden"),
        WAIT,
    )
    .await;
}

#[tokio::test]
async fn first_run_sets_up_a_shop_on_the_admin_page_and_prints_its_qr_sheet() {
    let test = "first_run_sets_up_a_shop_on_the_admin_page_and_prints_its_qr_sheet";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let mut page = browser.new_page("admin").await;
    page.goto(&format!("{}/", app.address)).await;
    page.wait_for("!document.getElementById('setup').hidden", WAIT)
        .await;
    page.fill("#setup-username", "boss").await;
    page.fill("#setup-password", "boss-password").await;
    page.fill("#setup-confirm", "boss-password").await;
    page.click("#setup-submit").await;
    page.wait_for(
        "location.pathname === '/admin' && document.body.dataset.ready === '1'",
        WAIT,
    )
    .await;
    let notice = page.text("#load-error").await;
    assert!(notice.contains("No outlet yet"), "{notice}");

    // An outlet, …
    page.fill("#new-outlet-name", "Warung Pusat").await;
    page.click("#new-outlet-submit").await;
    page.wait_for(
        "document.getElementById('outlet-select').selectedOptions[0]?.textContent === 'Warung Pusat'",
        WAIT,
    )
    .await;
    page.fill("#outlet-tax", "11").await;
    page.click("#outlet-save").await;
    page.wait_for(
        "document.querySelector('#outlet-list .row')?.innerText.includes('tax 11%')",
        WAIT,
    )
    .await;

    // … two tables, …
    admin_tab(&mut page, "tables").await;
    for (name, seats) in [("Meja 7", "4"), ("Meja 8", "2")] {
        page.fill("#new-table-name", name).await;
        page.fill("#new-table-capacity", seats).await;
        page.click("#new-table-submit").await;
        page.wait_for(
            &format!("[...document.querySelectorAll('.qr-card .qr-table')].some((p) => p.textContent === '{name}')"),
            WAIT,
        )
        .await;
    }
    // … and a product.
    admin_tab(&mut page, "menu").await;
    page.fill("#new-product-name", "Nasi Goreng").await;
    page.fill("#new-product-price", "25.000").await;
    page.click("#new-product-submit").await;
    page.wait_for(
        "document.querySelector('#product-list .row')?.innerText.includes('Rp25.000')",
        WAIT,
    )
    .await;

    let token = page_token(&mut page).await;
    let outlets = expect_json(app.get("/outlets", Some(&token)).await, StatusCode::OK).await;
    assert_eq!(outlets["items"].as_array().unwrap().len(), 1, "{outlets}");
    assert_eq!(outlets["items"][0]["tax_bp"], 1100);
    let outlet = outlets["items"][0]["id"].as_str().unwrap().to_owned();
    let products = expect_json(
        app.get(&format!("/outlets/{outlet}/products"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(products["items"][0]["name"], "Nasi Goreng");
    assert_eq!(products["items"][0]["price"], 25_000);
    let tables = expect_json(
        app.get(&format!("/outlets/{outlet}/tables"), Some(&token))
            .await,
        StatusCode::OK,
    )
    .await;
    let table = tables["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Meja 7")
        .expect("Meja 7")
        .clone();
    assert_eq!(table["capacity"], 4);
    let table_id = table["id"].as_str().unwrap();
    let other_id = tables["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "Meja 8")
        .expect("Meja 8")["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The QR sheet: a card for the table, its QR image loaded, the code is the table's URL.
    admin_tab(&mut page, "tables").await;
    let card = format!(".qr-card[data-table-id='{table_id}']");
    page.wait_for(
        &format!("(() => {{ const img = document.querySelector(\"{card} img\"); return img && img.complete && img.naturalWidth > 0; }})()"),
        WAIT,
    )
    .await;
    let text = page.text(&card).await;
    for shown in ["Meja 7", "Warung Pusat", "Scan to order"] {
        assert!(
            text.contains(shown),
            "{shown} missing from the card: {text}"
        );
    }
    let expected = format!("{}/t/{}", app.address, table["qr_slug"].as_str().unwrap());
    let shown_url = page
        .eval(&format!("document.querySelector(\"{card}\").dataset.qrUrl"))
        .await;
    assert_eq!(shown_url, expected.as_str());
    // Decode the very image on the card: paint it onto a canvas and read it back as PNG.
    let painted = page
        .eval(&format!(
            "(() => {{ const img = document.querySelector(\"{card} img\"); \
             const canvas = document.createElement('canvas'); canvas.width = 600; canvas.height = 600; \
             const ctx = canvas.getContext('2d'); ctx.fillStyle = '#fff'; ctx.fillRect(0, 0, 600, 600); \
             ctx.drawImage(img, 0, 0, 600, 600); return canvas.toDataURL('image/png'); }})()"
        ))
        .await;
    let png = painted
        .as_str()
        .and_then(|url| url.strip_prefix("data:image/png;base64,"))
        .expect("a PNG data URL");
    let png = base64::engine::general_purpose::STANDARD
        .decode(png)
        .unwrap();
    assert_eq!(
        crate::tables::decode_qr(&png),
        expected,
        "the QR shown on the sheet"
    );
    page.screenshot("qr-sheet").await;

    // On paper only the sheet shows; "print selected" leaves out the tables not ticked.
    page.click(&format!("#qr-pick-{table_id}")).await;
    page.eval("document.body.dataset.print = 'picked'").await;
    page.media("print").await;
    let shown = |selector: &str| {
        format!("getComputedStyle(document.querySelector(\"{selector}\")).display !== 'none'")
    };
    assert_eq!(
        page.eval(&shown("#tabs")).await,
        false,
        "navigation printed"
    );
    assert_eq!(page.eval(&shown("#admin-main")).await, false);
    assert_eq!(page.eval(&shown(".topbar")).await, false);
    assert_eq!(page.eval(&shown("#qr-sheet")).await, true);
    assert_eq!(page.eval(&shown(&card)).await, true);
    assert_eq!(page.eval(&shown(&format!("{card} .qr-pick"))).await, false);
    let other = format!(".qr-card[data-table-id='{other_id}']");
    assert_eq!(page.eval(&shown(&other)).await, false);
    page.eval("delete document.body.dataset.print").await;
    assert_eq!(page.eval(&shown(&other)).await, true);
    page.screenshot("print").await;
    page.media("screen").await;
    assert_eq!(page.eval(&shown("#tabs")).await, true);
    page.assert_no_problems().await;
}

/// Taps a ticket row until it is selected (its actions show). The ticket is redrawn on every
/// socket frame, and a tap whose press and release straddle a redraw is lost, as on a real
/// tablet; the user taps again, and so does this, at most three times.
pub(crate) async fn select_row(page: &mut Page, row: &str, main: &str) {
    for _ in 0..3 {
        page.press(&format!("{row} {main}")).await;
        let shown = format!("document.querySelector(\"{row}\")?.classList.contains('selected')");
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if page.eval(&shown).await == true {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    page.screenshot("not-selected").await;
    panic!("{row} is not selected after three taps");
}

/// A shop without service charge or tax, so the prices a test taps are the totals it pays.
pub(crate) async fn untaxed_shop(app: &TestApp, prices: &[i64]) -> Shop {
    let shop = app.shop(prices).await;
    let untaxed = json!({"service_charge_bp": 0, "tax_bp": 0});
    let outlet = app
        .patch(
            &format!("/outlets/{}", shop.outlet),
            Some(&shop.owner),
            &untaxed,
        )
        .await;
    expect_json(outlet, StatusCode::OK).await;
    shop
}

#[tokio::test]
async fn the_cashier_takes_cash_sees_the_change_and_closes_the_shift_with_the_difference() {
    let test = "the_cashier_takes_cash_sees_the_change_and_closes_the_shift_with_the_difference";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[150_000]).await;
    let dish = shop.products[0];
    app.staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;

    let mut page = browser.new_page("cashier").await;
    page.viewport(390, 844, true).await;
    sign_in(&mut page, &app, "kasir", "kasir-password", "/cashier").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;

    // Open the shift with 200.000 in the drawer.
    page.wait_for("document.body.dataset.shift === 'none'", WAIT)
        .await;
    page.fill("#start-cash", "200000").await;
    page.click("#shift-open").await;
    page.wait_for("document.body.dataset.shift === 'open'", WAIT)
        .await;

    // A takeaway order from the menu.
    page.click(&format!(".menu-item[data-product-id='{dish}']"))
        .await;
    page.wait_for("!document.getElementById('order-submit').disabled", WAIT)
        .await;
    assert_eq!(page.text("#order-submit").await, "Send order · Rp150.000");
    page.click("#order-submit").await;
    let row = "#order-list .order-row[data-number='1']";
    page.wait_for(&format!("document.querySelector(\"{row}\")"), WAIT)
        .await;
    assert!(page.text(row).await.contains("Takeaway"));

    // Cash: 200.000 handed over for 150.000, the change shows before confirming.
    page.click(&format!("{row} .pay")).await;
    page.wait_for("document.getElementById('pay-dialog').open", WAIT)
        .await;
    assert_eq!(
        page.eval("document.getElementById('pay-amount').value")
            .await,
        "150000"
    );
    page.fill("#pay-tendered", "200000").await;
    assert_eq!(page.text("#pay-change").await, "Rp50.000");
    page.screenshot("change").await;
    page.click("#pay-confirm").await;
    page.wait_for(
        &format!("document.querySelector(\"{row}\")?.dataset.paid === 'PAID'"),
        WAIT,
    )
    .await;
    // The payment screen stays on the change until the cashier is done with it.
    page.click("#pay-done").await;

    // A second order, sent back: voided from its row with a reason, the total drops to 0.
    page.click(&format!(".menu-item[data-product-id='{dish}']"))
        .await;
    page.wait_for("!document.getElementById('order-submit').disabled", WAIT)
        .await;
    page.click("#order-submit").await;
    let second = "#order-list .order-row[data-number='2']";
    page.wait_for(
        &format!("document.querySelector(\"{second} button.void\")"),
        WAIT,
    )
    .await;
    page.click(&format!("{second} button.void")).await;
    page.wait_for("document.getElementById('void-dialog').open", WAIT)
        .await;
    page.fill("#void-reason-text", "too salty").await;
    page.screenshot("void").await;
    page.click("#void-confirm").await;
    page.wait_for(
        &format!("document.querySelector(\"{second}\")?.innerText.includes('1× void')"),
        WAIT,
    )
    .await;
    assert!(
        page.text(second).await.contains("Rp0"),
        "{}",
        page.text(second).await
    );

    // Closing: expected cash and the difference show as the count is typed.
    page.click("#close-panel summary").await;
    page.wait_for(
        "document.getElementById('close-expected').textContent === 'Rp350.000'",
        WAIT,
    )
    .await;
    page.fill("#close-count", "340000").await;
    assert!(page.text("#close-difference").await.contains("-Rp10.000"));
    page.screenshot("count").await;
    page.click("#close-confirm").await;
    page.wait_for("!document.getElementById('zreport').hidden", WAIT)
        .await;
    let z = page.text("#zreport").await;
    assert!(!z.contains("null"), "{z}");
    for shown in ["Rp350.000", "Rp340.000", "-Rp10.000", "CASH (1)"] {
        assert!(z.contains(shown), "{shown} missing from the Z report: {z}");
    }
    assert_eq!(page.eval("document.body.dataset.shift").await, "none");
    page.screenshot("z-report").await;

    let shifts = expect_json(
        app.get(
            &format!("/shifts?outlet_id={}", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let shift_id = shifts["items"][0]["id"].as_str().unwrap();
    let shift = expect_json(
        app.get(&format!("/shifts/{shift_id}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(shift["status"], "CLOSED");
    assert_eq!(shift["start_cash"], 200_000);
    assert_eq!(shift["expected_cash"], 350_000);
    assert_eq!(shift["end_cash"], 340_000);
    assert_eq!(shift["cash_difference"], -10_000);

    // A table: open it, its QR shows for the guest; with nothing unpaid it closes.
    let table = format!("#table-list [data-table-id='{}']", shop.table);
    page.click(&format!("{table} .table-tile")).await;
    page.wait_for(
        "document.body.dataset.view === 'order' && !document.getElementById('ticket-qr').hidden",
        WAIT,
    )
    .await;
    page.click("#ticket-qr").await;
    page.wait_for(
        "(() => { const img = document.getElementById('qr-image'); return document.getElementById('qr-dialog').open && img.complete && img.naturalWidth > 0; })()",
        WAIT,
    )
    .await;
    page.screenshot("table-qr").await;
    page.click("#qr-close").await;
    page.click("#table-close").await;
    page.wait_for(
        "document.getElementById('bill-outstanding')?.textContent === 'Rp0'",
        WAIT,
    )
    .await;
    page.click("#bill-close-table").await;
    page.wait_for(
        &format!("document.querySelector(\"{table}\")?.dataset.open === '0'"),
        WAIT,
    )
    .await;
    page.assert_no_problems().await;

    // A waiter keeps no drawer: no shift, no payment buttons.
    app.staff(&shop.owner, "waiter", Role::Waiter, shop.outlet)
        .await;
    let mut waiter = browser.new_page("waiter").await;
    sign_in(&mut waiter, &app, "waiter", "waiter-password", "/cashier").await;
    waiter
        .wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    waiter.click("#takeaway-tile").await;
    waiter
        .wait_for(
            &format!("document.body.dataset.ready === '1' && document.querySelector(\"{row}\")"),
            WAIT,
        )
        .await;
    assert_eq!(
        waiter
            .eval("document.getElementById('shift-card').hidden && !document.querySelector('.pay')")
            .await,
        true
    );
    waiter.assert_no_problems().await;
}

/// The main flow of a night on a 1024×768 or 1280×800 tablet, every tap on what is on screen (`press`
/// refuses anything scrolled away or covered): a table from the floor, dishes, a void, a split
/// and both bills paid; the kitchen strikes the void through live.
#[tokio::test]
async fn a_cashier_voids_splits_and_pays_a_table_on_a_tablet_without_scrolling() {
    let test = "a_cashier_voids_splits_and_pays_a_table_on_a_tablet_without_scrolling";
    void_split_and_pay_on_a_tablet(test, 1024, 768).await;
}

#[tokio::test]
async fn the_same_flow_fits_a_1280_by_800_tablet() {
    void_split_and_pay_on_a_tablet("the_same_flow_fits_a_1280_by_800_tablet", 1280, 800).await;
}

async fn void_split_and_pay_on_a_tablet(test: &str, width: u32, height: u32) {
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[30_000, 20_000]).await;
    let (nasi, teh) = (shop.products[0], shop.products[1]);
    for n in 2..=6 {
        app.create_table(&shop.owner, shop.outlet, &format!("Meja {n}"))
            .await;
    }
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let shift = json!({"outlet_id": shop.outlet, "start_cash": 100_000});
    expect_json(
        app.post("/shifts/open", Some(&kasir), &shift).await,
        StatusCode::CREATED,
    )
    .await;
    app.staff(&shop.owner, "chef", Role::Kitchen, shop.outlet)
        .await;

    let mut kitchen = browser.new_page(&format!("tablet-{width}-kitchen")).await;
    kitchen.viewport(width, height, false).await;
    sign_in(&mut kitchen, &app, "chef", "chef-password", "/kitchen").await;
    kitchen
        .wait_for(
            "document.body.dataset.ready === '1' && document.body.dataset.live === 'live'",
            WAIT,
        )
        .await;

    let mut page = browser.new_page(&format!("tablet-{width}")).await;
    page.viewport(width, height, false).await;
    sign_in(&mut page, &app, "kasir", "kasir-password", "/cashier").await;
    page.wait_for(
        "document.body.dataset.ready === '1' && document.body.dataset.view === 'floor'",
        WAIT,
    )
    .await;
    page.assert_fits("floor view").await;
    page.screenshot("1-floor").await;

    // The floor: Meja 1 opens from its tile, the order screen shows menu and ticket together.
    let table = format!("#table-list [data-table-id='{}']", shop.table);
    page.press(&format!("{table} .table-tile")).await;
    page.wait_for(
        "document.body.dataset.view === 'order' && !document.getElementById('ticket-qr').hidden",
        WAIT,
    )
    .await;
    for dish in [nasi, nasi, teh] {
        page.press(&format!(".menu-item[data-product-id='{dish}']"))
            .await;
    }
    page.wait_for(
        "document.getElementById('order-submit').textContent === 'Send order · Rp80.000'",
        WAIT,
    )
    .await;
    page.assert_fits("order screen").await;
    page.press("#order-submit").await;
    let first = "#order-list .order-row[data-number='1']";
    page.wait_for(&format!("document.querySelector(\"{first}\")"), WAIT)
        .await;
    page.screenshot("2-order").await;
    let order = expect_json(
        app.get(&format!("/orders?outlet_id={}", shop.outlet), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    let order = order["items"][0].clone();
    let order_id = order["id"].as_str().unwrap().to_owned();
    let line_of = |product: uuid::Uuid| {
        order["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|item| item["product_id"] == product.to_string())
            .map(|item| item["id"].as_str().unwrap().to_owned())
            .unwrap()
    };
    let (nasi_line, teh_line) = (line_of(nasi), line_of(teh));
    let ticket = format!(".ticket[data-order-id='{order_id}']");
    kitchen
        .wait_for(&format!("document.querySelector(\"{ticket}\")"), LIVE)
        .await;

    // One Nasi is sent back: the line's actions, then the void sheet with a reason.
    let nasi_row = format!("{first} .ticket-line[data-item-id='{nasi_line}']");
    select_row(&mut page, &nasi_row, ".line-main").await;
    page.press(&format!("{nasi_row} button.void")).await;
    page.wait_for("document.getElementById('void-dialog').open", WAIT)
        .await;
    assert_eq!(
        page.eval("document.getElementById('void-quantity').value")
            .await,
        "1"
    );
    page.fill("#void-reason-text", "too salty").await;
    page.screenshot("3-void").await;
    page.press("#void-confirm").await;
    page.wait_for(
        &format!("document.querySelector(\"{nasi_row} s.voided\")?.textContent === '1× void'"),
        WAIT,
    )
    .await;
    page.wait_for(
        "document.getElementById('ticket-due')?.textContent === 'Rp50.000'",
        WAIT,
    )
    .await;
    kitchen
        .wait_for(
            &format!("document.querySelector(\"{ticket} s.voided\")?.textContent === '1× void'"),
            LIVE,
        )
        .await;
    kitchen.screenshot("void-struck-through").await;

    // Two friends pay apart: the Teh goes on a new bill.
    select_row(&mut page, first, ".order-main").await;
    page.press(&format!("{first} .order-split")).await;
    page.wait_for("document.getElementById('split-dialog').open", WAIT)
        .await;
    page.press(&format!(
        "#split-lines li[data-item-id='{teh_line}'] .split-plus"
    ))
    .await;
    page.screenshot("4-split").await;
    page.press("#split-confirm").await;
    let second = "#order-list .order-row[data-number='2']";
    // Done when the new bill is the one selected (its row may arrive by socket before that).
    page.wait_for(
        &format!("!document.getElementById('split-dialog').open && document.querySelector(\"{second}.selected\")"),
        WAIT,
    )
    .await;
    page.assert_fits("ticket after the split").await;
    assert!(
        page.text(first).await.contains("Rp30.000"),
        "{}",
        page.text(first).await
    );
    assert!(
        page.text(second).await.contains("Rp20.000"),
        "{}",
        page.text(second).await
    );

    // The first pays the exact cash, the second by QRIS; then the table closes.
    select_row(&mut page, first, ".order-main").await;
    page.press(&format!("{first} .pay")).await;
    page.wait_for("document.getElementById('pay-dialog').open", WAIT)
        .await;
    assert_eq!(page.text("#pay-due").await, "Rp30.000");
    page.press("#pay-quick .exact").await;
    page.wait_for(
        "document.getElementById('pay-change').textContent === 'Rp0'",
        WAIT,
    )
    .await;
    page.screenshot("5-pay-cash").await;
    // Exact cash, no change and more left on the table: the screen closes by itself.
    page.press("#pay-confirm").await;
    page.wait_for(
        &format!("document.querySelector(\"{first}\")?.dataset.paid === 'PAID'"),
        WAIT,
    )
    .await;

    page.wait_for(
        "document.getElementById('ticket-pay').dataset.mode === 'order'",
        WAIT,
    )
    .await;
    assert_eq!(page.text("#ticket-pay").await, "Pay · Rp20.000");
    page.press("#ticket-pay").await;
    page.wait_for("document.getElementById('pay-dialog').open", WAIT)
        .await;
    page.press("#pay-method [data-method='QRIS']").await;
    page.screenshot("6-pay-qris").await;
    page.press("#pay-confirm").await;
    page.wait_for("!document.getElementById('pay-result').hidden", WAIT)
        .await;
    page.press("#pay-close-table").await;
    page.wait_for(
        "document.getElementById('bill-outstanding')?.textContent === 'Rp0'",
        WAIT,
    )
    .await;
    assert!(!page.text("#bill-body").await.contains("null"));
    page.screenshot("7-close").await;
    page.press("#bill-close-table").await;
    page.wait_for(
        &format!(
            "document.body.dataset.view === 'floor' && document.querySelector(\"{table}\")?.dataset.open === '0'"
        ),
        WAIT,
    )
    .await;
    page.screenshot("8-floor-again").await;
    page.assert_no_problems().await;
    kitchen.assert_no_problems().await;

    let orders = expect_json(
        app.get(&format!("/orders?outlet_id={}", shop.outlet), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    let mut bills: Vec<(i64, String, i64)> = orders["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["number"].as_i64().unwrap(),
                o["payment_status"].as_str().unwrap().to_owned(),
                o["total_amount"].as_i64().unwrap(),
            )
        })
        .collect();
    bills.sort();
    assert_eq!(
        bills,
        [
            (1, "PAID".to_owned(), 30_000),
            (2, "PAID".to_owned(), 20_000)
        ]
    );
}

/// Form fields without a label (`label[for]`, a wrapping label or `aria-label`), by id.
const UNLABELLED: &str = "[...document.querySelectorAll('input, select, textarea')]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
  .map((el) => el.id || el.outerHTML.slice(0, 80))";

/// Wider than a 360 px phone (a horizontal scrollbar)?
const TOO_WIDE: &str = "document.documentElement.scrollWidth > 360";

#[tokio::test]
async fn staff_pages_label_every_field_and_fit_a_phone() {
    let test = "staff_pages_label_every_field_and_fit_a_phone";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[25_000]).await;
    let dish = shop.products[0];
    let spice = json!({"name": "Spice level", "min_select": 1, "max_select": 1,
        "options": [{"name": "Mild"}, {"name": "Hot", "price_delta": 2_000}]});
    let spice = app
        .post(
            &format!("/products/{dish}/modifier-groups"),
            Some(&shop.owner),
            &spice,
        )
        .await;
    expect_json(spice, StatusCode::CREATED).await;
    app.open_table(&shop.owner, shop.table).await;
    let order = json!({"outlet_id": shop.outlet, "items": [{"product_id": dish, "quantity": 1,
        "modifier_option_ids": []}]});
    let order = app.post("/orders", Some(&shop.owner), &order).await;
    assert_eq!(
        order.status(),
        StatusCode::BAD_REQUEST,
        "the spice level is required"
    );

    let mut page = browser.new_page("phone").await;
    page.viewport(360, 740, true).await;
    sign_in(&mut page, &app, OWNER.0, OWNER.1, "/admin").await;
    page.wait_for(
        "document.body.dataset.ready === '1' && document.querySelector('.qr-card img')",
        WAIT,
    )
    .await;
    for tab in ["outlets", "tables", "menu", "staff", "reports"] {
        admin_tab(&mut page, tab).await;
        if tab == "menu" {
            page.click("#product-list details summary").await;
        }
        if tab == "reports" {
            page.click("#report-show").await;
            page.wait_for("!document.getElementById('report').hidden", WAIT)
                .await;
        }
        assert_eq!(page.eval(UNLABELLED).await, json!([]), "/admin#{tab}");
        assert_eq!(
            page.eval(TOO_WIDE).await,
            false,
            "/admin#{tab} scrolls sideways"
        );
        page.screenshot(&format!("admin-{tab}")).await;
    }
    page.assert_no_problems().await;

    page.goto(&format!("{}/cashier", app.address)).await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    assert_eq!(page.eval(UNLABELLED).await, json!([]), "/cashier");
    assert_eq!(
        page.eval(TOO_WIDE).await,
        false,
        "/cashier scrolls sideways"
    );
    page.screenshot("cashier").await;
    // The dish's options: one must be chosen, then it goes into the order.
    page.click(&format!(".menu-item[data-product-id='{dish}']"))
        .await;
    page.wait_for("document.getElementById('item-dialog').open", WAIT)
        .await;
    assert_eq!(page.eval(UNLABELLED).await, json!([]), "/cashier options");
    page.click("#item-add").await;
    page.wait_for(
        "document.getElementById('item-error').textContent.includes('choose 1')",
        WAIT,
    )
    .await;
    page.click("#item-groups input[type='radio']:not(:checked) ~ label")
        .await;
    page.click("#item-add").await;
    page.wait_for("!document.getElementById('item-dialog').open", WAIT)
        .await;
    assert!(page.text("#cart-lines").await.contains("Mild"));
    assert_eq!(page.eval(TOO_WIDE).await, false, "/cashier with an order");
    page.screenshot("cashier-cart").await;
    page.assert_no_problems().await;
}

#[tokio::test]
async fn a_guest_order_reaches_the_kitchen_live_and_its_status_comes_back() {
    let test = "a_guest_order_reaches_the_kitchen_live_and_its_status_comes_back";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[25_000]).await;
    let dish = shop.products[0];
    let spice = json!({"name": "Spice level", "min_select": 1, "max_select": 1,
        "options": [{"name": "Mild"}, {"name": "Hot", "price_delta": 2_000}]});
    let spice = app
        .post(
            &format!("/products/{dish}/modifier-groups"),
            Some(&shop.owner),
            &spice,
        )
        .await;
    let spice = expect_json(spice, StatusCode::CREATED).await;
    let hot = spice["options"][1]["id"].as_str().unwrap().to_owned();
    app.open_table(&shop.owner, shop.table).await;
    app.staff(&shop.owner, "chef", Role::Kitchen, shop.outlet)
        .await;

    let mut kitchen = browser.new_page("kitchen").await;
    sign_in(&mut kitchen, &app, "chef", "chef-password", "/kitchen").await;
    kitchen
        .wait_for(
            "document.body.dataset.ready === '1' && document.body.dataset.live === 'live'",
            WAIT,
        )
        .await;

    let mut guest = guest_on_phone(&mut browser, "guest", &app, &shop.qr_slug).await;
    assert_eq!(guest.text("#table-name").await, "Meja 1");
    let card = format!("[data-product-id='{dish}']");
    assert!(guest.text(&card).await.contains("Rp25.000"));

    // The dish sheet: a spice level is required; two hot ones with a note.
    guest.click(&format!("{card} .product-button")).await;
    guest
        .wait_for("document.getElementById('sheet').open", WAIT)
        .await;
    guest.click("#sheet-add").await;
    guest
        .wait_for(
            "document.getElementById('sheet-error').textContent.includes('choose 1')",
            WAIT,
        )
        .await;
    guest.click(&format!("#opt-{hot}")).await;
    guest.click("#sheet-plus").await;
    guest.fill("#sheet-note", "no onions").await;
    assert_eq!(guest.text("#sheet-add").await, "Add 2 · Rp54.000");
    guest.screenshot("sheet").await;
    guest.click("#sheet-add").await;
    guest
        .wait_for("!document.getElementById('cart-bar').hidden", WAIT)
        .await;
    assert!(guest.text("#cart-open").await.contains("(2) · Rp54.000"));
    guest.click("#cart-open").await;
    guest
        .wait_for("document.getElementById('cart').open", WAIT)
        .await;
    guest.screenshot("cart").await;

    // A double tap on "Place order" places one order.
    guest.tap("#place-order", 2).await;
    guest
        .wait_for(
            "document.querySelector('#orders .order[data-status=\"NEW\"]')",
            WAIT,
        )
        .await;

    // The kitchen sees the ticket without reloading.
    let new_ticket = ".column[data-status='NEW'] .ticket[data-number='1']";
    kitchen
        .wait_for(
            &format!("document.querySelector(\"{new_ticket}\")?.innerText.includes('Meja 1')"),
            LIVE,
        )
        .await;
    let ticket = kitchen.text(new_ticket).await;
    for shown in ["2× Dish 0", "Hot", "no onions", "Meja 1"] {
        assert!(
            ticket.contains(shown),
            "{shown} missing from the ticket: {ticket}"
        );
    }
    assert_eq!(kitchen.eval("document.body.dataset.alerts").await, "1");
    kitchen.screenshot("new-ticket").await;

    let orders = expect_json(
        app.get(
            &format!("/orders?outlet_id={}", shop.outlet),
            Some(&shop.owner),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(orders["items"].as_array().unwrap().len(), 1, "{orders}");
    let order_id = orders["items"][0]["id"].as_str().unwrap().to_owned();

    // A tap on the ticket accepts it …
    kitchen.tap(&format!("{new_ticket} .items"), 1).await;
    let deadline = Instant::now() + LIVE;
    loop {
        let order = expect_json(
            app.get(&format!("/orders/{order_id}"), Some(&shop.owner))
                .await,
            StatusCode::OK,
        )
        .await;
        if order["status"] == "ACCEPTED" {
            break;
        }
        assert!(Instant::now() < deadline, "still {}", order["status"]);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    kitchen
        .wait_for(
            "document.querySelector(\".column[data-status='ACCEPTED'] .ticket[data-number='1']\")",
            WAIT,
        )
        .await;
    // … and the guest's phone shows it.
    guest
        .wait_for(
            "document.querySelector('#orders .order[data-status=\"ACCEPTED\"]')",
            LIVE,
        )
        .await;
    assert!(guest.text("#orders").await.contains("Accepted"));
    // The bill refreshes shortly after the order (debounced): wait for it.
    guest
        .wait_for(
            "document.getElementById('bill').textContent.includes('Rp54.000')",
            LIVE,
        )
        .await;
    guest.screenshot("accepted").await;

    // The kitchen's sold-out switch greys the dish on the guest's menu.
    kitchen.click("#soldout-toggle").await;
    kitchen.click(&format!("#product-{dish}")).await;
    guest
        .wait_for(
            &format!("document.querySelector(\"{card}.sold-out .product-button:disabled\")"),
            LIVE,
        )
        .await;
    let product = expect_json(
        app.get(&format!("/products/{dish}"), Some(&shop.owner))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(product["available"], false);
    kitchen.screenshot("sold-out").await;

    // A dish sent back, voided at the till: struck through on the ticket without a reload.
    let item = orders["items"][0]["items"][0]["id"].as_str().unwrap();
    expect_json(
        app.post(
            &format!("/orders/{order_id}/items/{item}/void"),
            Some(&shop.owner),
            &json!({"quantity": 1, "reason": "sent back"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let accepted = ".column[data-status='ACCEPTED'] .ticket[data-number='1']";
    kitchen
        .wait_for(
            &format!("document.querySelector(\"{accepted} s.voided\")?.textContent === '1× void'"),
            LIVE,
        )
        .await;
    assert!(kitchen.text(accepted).await.contains("1× Dish 0"));
    kitchen.screenshot("voided").await;
    // … and on the guest's phone, with the bill brought down.
    guest
        .wait_for(
            "document.getElementById('orders').innerText.includes('1× taken off')",
            LIVE,
        )
        .await;
    guest
        .wait_for(
            "document.getElementById('bill').textContent.includes('Rp27.000')",
            LIVE,
        )
        .await;
    guest.screenshot("voided").await;
    kitchen.viewport(360, 740, true).await;
    kitchen.screenshot("phone").await;
    kitchen.assert_no_problems().await;
    guest.assert_no_problems().await;
}

/// The names in `#outlet-picker`, in order.
const PICKER_NAMES: &str =
    "[...document.querySelectorAll('#outlet-picker option')].map((o) => o.textContent)";

/// Whether the page shows `#outlet-choice` with `name` selected and in the header's title.
fn on_outlet(name: &str) -> String {
    format!(
        "!document.getElementById('outlet-choice').hidden \
         && document.getElementById('outlet-picker').selectedOptions[0]?.textContent === '{name}' \
         && document.getElementById('outlet-name').textContent === '· {name}'"
    )
}

/// Chooses `outlet` in the header's picker and waits for the page to load again on it.
async fn pick_outlet(page: &mut Page, outlet: uuid::Uuid) {
    page.eval("window.__beforePicking = true").await;
    page.fill("#outlet-picker", &outlet.to_string()).await;
    page.wait_for(
        &format!(
            "!window.__beforePicking && location.search === '?outlet={outlet}' \
             && document.readyState === 'complete' && document.body.dataset.ready === '1'"
        ),
        WAIT,
    )
    .await;
}

#[tokio::test]
async fn an_owner_picks_the_outlet_of_the_kitchen_and_the_till_and_it_is_remembered() {
    let test = "an_owner_picks_the_outlet_of_the_kitchen_and_the_till_and_it_is_remembered";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[20_000]).await;
    let pusat = shop.outlet;
    let cabang = app.create_outlet(&shop.owner, "Cabang").await;
    let mie = app
        .create_product(&shop.owner, cabang, "Mie Cabang", 18_000)
        .await;
    let order = json!({"outlet_id": cabang, "items": [{"product_id": mie, "quantity": 2}]});
    app.order(&shop.owner, &order).await;
    let outlets = expect_json(app.get("/outlets", Some(&shop.owner)).await, StatusCode::OK).await;
    let names: Vec<&str> = outlets["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Pusat", "Cabang"],
        "listed in the order of creation"
    );
    let cabang_ticket =
        "[...document.querySelectorAll(\".column[data-status='NEW'] .ticket\")].some((t) => t.innerText.includes('2×') && t.innerText.includes('Mie Cabang'))";
    let no_ticket = "document.querySelectorAll('.ticket').length === 0";

    // The owner's kitchen starts on the first outlet, with both in the header's picker.
    let mut page = browser.new_page("outlet-picker").await;
    sign_in(&mut page, &app, OWNER.0, OWNER.1, "/admin").await;
    page.goto(&format!("{}/kitchen", app.address)).await;
    page.wait_for(
        &format!(
            "document.body.dataset.ready === '1' && {}",
            on_outlet("Pusat")
        ),
        WAIT,
    )
    .await;
    assert_eq!(page.eval(PICKER_NAMES).await, json!(["Pusat", "Cabang"]));
    assert_eq!(
        page.eval("document.getElementById('outlet-picker').labels[0]?.textContent")
            .await,
        "Outlet"
    );
    assert_eq!(page.eval(UNLABELLED).await, json!([]), "/kitchen");
    assert_eq!(page.eval(no_ticket).await, true, "Pusat has no order");
    page.screenshot("kitchen-pusat").await;
    page.assert_no_problems().await;

    // Choosing Cabang reloads the board on it: its name, its ticket, its live socket.
    pick_outlet(&mut page, cabang).await;
    page.wait_for(&on_outlet("Cabang"), WAIT).await;
    page.wait_for(cabang_ticket, WAIT).await;
    page.wait_for("document.body.dataset.live === 'live'", WAIT)
        .await;
    assert_eq!(
        page.eval("localStorage.getItem('kedai.outlet')").await,
        cabang.to_string().as_str()
    );
    page.screenshot("kitchen-cabang").await;
    page.assert_no_problems().await;
    // Live: a new Cabang order shows without a reload.
    let more = json!({"outlet_id": cabang, "items": [{"product_id": mie, "quantity": 5}]});
    app.order(&shop.owner, &more).await;
    page.wait_for(
        "[...document.querySelectorAll('.ticket')].some((t) => t.innerText.includes('5×'))",
        LIVE,
    )
    .await;

    // Opened again without `?outlet=`, the kitchen remembers Cabang.
    page.goto(&format!("{}/kitchen", app.address)).await;
    page.wait_for(
        &format!(
            "document.body.dataset.ready === '1' && {}",
            on_outlet("Cabang")
        ),
        WAIT,
    )
    .await;
    page.wait_for(cabang_ticket, WAIT).await;

    // Back to Pusat: remembered too; an address naming no outlet of this owner is ignored.
    pick_outlet(&mut page, pusat).await;
    page.wait_for(&on_outlet("Pusat"), WAIT).await;
    assert_eq!(page.eval(no_ticket).await, true, "Cabang's tickets left");
    let unknown = uuid::Uuid::now_v7();
    page.goto(&format!("{}/kitchen?outlet={unknown}", app.address))
        .await;
    page.wait_for(
        &format!(
            "document.body.dataset.ready === '1' && {}",
            on_outlet("Pusat")
        ),
        WAIT,
    )
    .await;
    page.assert_no_problems().await;

    // The till has the same picker (and the same remembered outlet); on a phone it fits.
    page.viewport(360, 740, true).await;
    page.goto(&format!("{}/cashier", app.address)).await;
    page.wait_for(
        &format!(
            "document.body.dataset.ready === '1' && {}",
            on_outlet("Pusat")
        ),
        WAIT,
    )
    .await;
    assert_eq!(page.eval(PICKER_NAMES).await, json!(["Pusat", "Cabang"]));
    assert_eq!(page.eval(UNLABELLED).await, json!([]), "/cashier");
    assert_eq!(
        page.eval(TOO_WIDE).await,
        false,
        "/cashier scrolls sideways"
    );
    page.screenshot("cashier-pusat").await;
    pick_outlet(&mut page, cabang).await;
    page.wait_for(&on_outlet("Cabang"), WAIT).await;
    page.wait_for(
        &format!("document.querySelector(\".menu-item[data-product-id='{mie}']\")"),
        WAIT,
    )
    .await;
    // The takeaway ticket holds Cabang's takeaway orders.
    page.click("#takeaway-tile").await;
    page.wait_for(
        "document.getElementById('order-list').innerText.includes('Mie Cabang')",
        WAIT,
    )
    .await;
    assert_eq!(
        page.eval(TOO_WIDE).await,
        false,
        "/cashier scrolls sideways"
    );
    page.screenshot("cashier-cabang").await;
    page.assert_no_problems().await;

    // Staff bound to an outlet get no picker, whatever the address or this device remembers.
    app.staff(&shop.owner, "chef", Role::Kitchen, cabang).await;
    let mut chef = browser.new_page("outlet-bound").await;
    sign_in(&mut chef, &app, "chef", "chef-password", "/kitchen").await;
    chef.eval(&format!("localStorage.setItem('kedai.outlet', '{pusat}')"))
        .await;
    chef.goto(&format!("{}/kitchen?outlet={pusat}", app.address))
        .await;
    chef.wait_for(
        "document.body.dataset.ready === '1' && document.getElementById('outlet-name').textContent === '· Cabang'",
        WAIT,
    )
    .await;
    chef.wait_for(cabang_ticket, WAIT).await;
    assert_eq!(
        chef.eval(
            "document.getElementById('outlet-choice').hidden \
             && getComputedStyle(document.getElementById('outlet-choice')).display === 'none' \
             && document.querySelectorAll('#outlet-picker option').length === 0"
        )
        .await,
        true
    );
    chef.assert_no_problems().await;
}

#[tokio::test]
async fn a_table_that_is_not_open_asks_the_guest_to_call_staff() {
    let test = "a_table_that_is_not_open_asks_the_guest_to_call_staff";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[10_000]).await;
    let mut guest = browser.new_page("not-open").await;
    guest.viewport(360, 740, true).await;
    guest
        .goto(&format!("{}/t/{}", app.address, shop.qr_slug))
        .await;
    guest
        .wait_for(
            "document.getElementById('message').dataset.kind === 'not-open'",
            WAIT,
        )
        .await;
    assert!(guest.text("#message").await.contains("ask our staff"));
    guest.screenshot("message").await;

    // Staff open the table; "Try again" shows the menu.
    let session = app.open_table(&shop.owner, shop.table).await;
    guest.click("#message-retry").await;
    guest
        .wait_for("document.body.dataset.view === 'menu'", WAIT)
        .await;

    // Once staff close the table, ordering tells the guest so (410).
    let close = format!("/table-sessions/{}/close", session["id"].as_str().unwrap());
    let closed = app.post(&close, Some(&shop.owner), &json!({})).await;
    expect_json(closed, StatusCode::OK).await;
    let dish = shop.products[0];
    guest
        .click(&format!("[data-product-id='{dish}'] .product-button"))
        .await;
    guest.click("#sheet-add").await;
    guest.click("#cart-open").await;
    guest.click("#place-order").await;
    guest
        .wait_for(
            "document.getElementById('message').dataset.kind === 'closed'",
            WAIT,
        )
        .await;
    assert!(guest
        .text("#message")
        .await
        .contains("This table is closed"));
    guest.assert_no_problems().await;

    guest
        .goto(&format!("{}/t/no-such-table", app.address))
        .await;
    guest
        .wait_for(
            "document.getElementById('message').dataset.kind === 'invalid'",
            WAIT,
        )
        .await;
    assert!(guest.text("#message").await.contains("no longer valid"));
}

#[tokio::test]
async fn a_dish_sold_out_through_the_api_greys_out_on_an_open_menu() {
    let test = "a_dish_sold_out_through_the_api_greys_out_on_an_open_menu";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[10_000, 20_000]).await;
    let (sold_out, other) = (shop.products[0], shop.products[1]);
    app.open_table(&shop.owner, shop.table).await;
    let mut guest = guest_on_phone(&mut browser, "sold-out", &app, &shop.qr_slug).await;
    guest.eval("window.stillTheSamePage = true").await;
    let greyed = |id: uuid::Uuid| {
        format!("document.querySelector(\"[data-product-id='{id}'].sold-out .product-button:disabled\")")
    };

    let path = format!("/products/{sold_out}");
    let off = app
        .patch(&path, Some(&shop.owner), &json!({"available": false}))
        .await;
    expect_json(off, StatusCode::OK).await;
    guest.wait_for(&greyed(sold_out), LIVE).await;
    assert_eq!(guest.eval(&format!("!!{}", greyed(other))).await, false);
    assert!(guest
        .text(&format!("[data-product-id='{sold_out}']"))
        .await
        .contains("Sold out"));
    assert_eq!(guest.eval("window.stillTheSamePage").await, true);
    guest.screenshot("greyed").await;

    let on = app
        .patch(&path, Some(&shop.owner), &json!({"available": true}))
        .await;
    expect_json(on, StatusCode::OK).await;
    guest
        .wait_for(&format!("!{}", greyed(sold_out)), LIVE)
        .await;
    guest.assert_no_problems().await;
}

#[tokio::test]
async fn the_kitchen_shows_reconnecting_and_catches_up_after_a_drop() {
    let test = "the_kitchen_shows_reconnecting_and_catches_up_after_a_drop";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[12_000]).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let guest = session["token"].as_str().unwrap();
    let mut kitchen = browser.new_page("reconnect").await;
    sign_in(&mut kitchen, &app, OWNER.0, OWNER.1, "/admin").await;
    kitchen.goto(&format!("{}/kitchen", app.address)).await;
    kitchen
        .wait_for(
            "document.body.dataset.ready === '1' && document.body.dataset.live === 'live'",
            WAIT,
        )
        .await;
    let order = json!({"items": [{"product_id": shop.products[0], "quantity": 3}]});
    app.order(guest, &order).await;
    kitchen
        .wait_for(
            "document.querySelector(\".column[data-status='NEW'] .ticket[data-number='1']\")",
            LIVE,
        )
        .await;
    kitchen.eval("window.stillTheSamePage = true").await;
    let loads = kitchen.eval("document.body.dataset.loads").await;

    // The shop's Wi-Fi drops: the banner shows while the socket is down.
    kitchen.offline(true).await;
    kitchen
        .wait_for(
            "document.body.dataset.live === 'reconnecting' && getComputedStyle(document.querySelector('.live-banner')).display !== 'none'",
            WAIT,
        )
        .await;
    kitchen.screenshot("reconnecting").await;
    app.order(guest, &order).await;

    // Back online: it resumes with `since` and shows the order placed meanwhile, without
    // reloading the page or even the orders.
    kitchen.offline(false).await;
    kitchen
        .wait_for(
            "document.querySelector(\".column[data-status='NEW'] .ticket[data-number='2']\")",
            LIVE,
        )
        .await;
    assert_eq!(kitchen.eval("document.body.dataset.live").await, "live");
    assert_eq!(kitchen.eval("window.stillTheSamePage").await, true);
    assert_eq!(kitchen.eval("document.body.dataset.loads").await, loads);
    kitchen.assert_no_problems().await;
}

#[test]
fn pages_load_nothing_from_outside_the_server() {
    // A shop LAN may have no internet: no CDN, no web fonts, no external links in any page.
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("web");
    let mut paths: Vec<_> = std::fs::read_dir(&web)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.extend(
        std::fs::read_dir(web.join("i18n"))
            .unwrap()
            .map(|e| e.unwrap().path()),
    );
    for path in paths.into_iter().filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path).unwrap();
        for external in ["http://", "https://", "//cdn", "@import", "fonts.g"] {
            assert!(
                !text.contains(external),
                "{} mentions {external}",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn pages_are_served_for_revalidation_with_a_strict_policy() {
    let app = spawn_app().await;
    let get = |path: &str, etag: Option<&str>| {
        let request = app.client.get(format!("{}{path}", app.address));
        match etag {
            Some(etag) => request.header("if-none-match", etag),
            None => request,
        }
        .send()
    };
    for page in ["/", "/kitchen", "/admin", "/cashier", "/t/any-slug-at-all"] {
        let response = get(page, None).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let header = |name| response.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(header("content-type"), "text/html; charset=utf-8", "{page}");
        assert_eq!(header("cache-control"), "no-cache", "{page}");
        assert!(header("content-security-policy").starts_with("default-src 'self'"));
        // An unchanged page costs a 304.
        let etag = header("etag");
        let again = get(page, Some(&etag)).await.unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{page}");
    }
    let script = get("/static/app.js", None).await.unwrap();
    assert_eq!(script.status(), StatusCode::OK);
    assert_eq!(
        script.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    let missing = get("/static/missing.js", None).await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers()["content-type"],
        "application/problem+json"
    );
}

#[tokio::test]
async fn swagger_ui_works_with_nothing_but_this_server() {
    let Some(mut browser) = Browser::launch("swagger_ui_works_with_nothing_but_this_server").await
    else {
        return;
    };
    let app = spawn_app().await;
    let mut page = browser.new_page("docs").await;
    // Deep-linked to one operation, which opens it.
    page.goto(&format!("{}/docs#/Reports/sales_report", app.address))
        .await;
    page.wait_for(
        "(() => { const title = document.querySelector('.swagger-ui .info .title'); return !!title && title.textContent.includes('Kedai'); })()",
        WAIT,
    )
    .await;
    page.wait_for("document.querySelectorAll('.opblock').length > 50", WAIT)
        .await;
    // An operation, opened, says who may call it (the x-kedai-roles of the spec).
    page.wait_for(
        "(() => { const op = document.querySelector('#operations-Reports-sales_report'); \
         return !!op && op.textContent.includes('Roles: OWNER, MANAGER.') \
         && op.textContent.includes('x-kedai-roles'); })()",
        WAIT,
    )
    .await;
    // Every resource the page loaded came from this server.
    let origins = page
        .eval("JSON.stringify([...new Set(performance.getEntriesByType('resource').map(e => new URL(e.name).origin))])")
        .await;
    let origins: Vec<String> = serde_json::from_str(origins.as_str().unwrap()).unwrap();
    assert!(origins.iter().all(|o| *o == app.address), "{origins:?}");
    // Its strict policy (scripts by hash) blocked nothing it needs.
    page.assert_no_problems().await;
    page.screenshot("swagger-ui").await;
}

/// The amount on the right of the receipt.txt line that starts with `label`.
fn amount_on(text: &str, label: &str) -> String {
    text.lines()
        .find(|line| line.starts_with(label))
        .and_then(|line| line.split_whitespace().last())
        .unwrap_or_else(|| panic!("no {label} line in\n{text}"))
        .to_owned()
}

#[tokio::test]
async fn a_guest_opens_the_digital_receipt_and_it_matches_the_printed_one() {
    let test = "a_guest_opens_the_digital_receipt_and_it_matches_the_printed_one";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = app.shop(&[25_000, 5_000]).await;
    let rates =
        json!({"service_charge_bp": 500, "tax_bp": 1000, "receipt_footer": "Terima kasih!"});
    let patched = app
        .patch(
            &format!("/outlets/{}", shop.outlet),
            Some(&shop.owner),
            &rates,
        )
        .await;
    expect_json(patched, StatusCode::OK).await;
    let session = app.open_table(&shop.owner, shop.table).await;
    let items = json!([
        {"product_id": shop.products[0], "quantity": 2},
        {"product_id": shop.products[1], "quantity": 3}
    ]);
    let order = app
        .order(
            &shop.owner,
            &json!({"table_session_id": session["id"], "items": items}),
        )
        .await;
    let id = order["id"].as_str().unwrap();

    let mut guest = browser.new_page("receipt-guest").await;
    guest.viewport(360, 740, true).await;
    guest
        .goto(&format!("{}/t/{}", app.address, shop.qr_slug))
        .await;
    guest
        .wait_for("document.body.dataset.view === 'menu'", WAIT)
        .await;

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
    expect_json(
        app.post(&format!("/orders/{id}/payments"), Some(&shop.owner), &pay)
            .await,
        StatusCode::CREATED,
    )
    .await;
    let printed = app
        .get(&format!("/orders/{id}/receipt.txt"), Some(&shop.owner))
        .await
        .text()
        .await
        .unwrap();

    // The paid order offers its receipt on the guest's page, live.
    let link = guest
        .wait_for(
            "(document.querySelector(\"a[href^='/r/']\") || {}).href",
            WAIT,
        )
        .await;
    guest.screenshot("paid").await;
    guest.goto(link.as_str().unwrap()).await;
    guest
        .wait_for(
            "document.getElementById('receipt-total') && document.getElementById('receipt-total').textContent.trim()",
            WAIT,
        )
        .await;
    guest.screenshot("receipt").await;
    for (selector, label) in [
        ("#receipt-total", "Total"),
        ("#receipt-subtotal", "Subtotal"),
        ("#receipt-service", "Layanan"),
        ("#receipt-tax", "Pajak"),
        ("#receipt-change", "Kembalian"),
    ] {
        let shown = guest.text(selector).await;
        assert_eq!(
            shown.trim(),
            amount_on(&printed, label),
            "{selector} against the printed {label} line"
        );
    }
    let lines = guest
        .eval("document.getElementById('receipt-lines').children.length")
        .await;
    assert_eq!(lines, json!(2));
    guest.assert_no_problems().await;
}

#[tokio::test]
async fn a_cashier_sees_the_printer_banner_and_prints_a_bill_from_the_ticket() {
    use crate::fake_printer::{text_of, Behaviour, FakePrinter};
    let test = "a_cashier_sees_the_printer_banner_and_prints_a_bill_from_the_ticket";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = crate::helpers::spawn_app_with(crate::printing::fast_printing).await;
    let shop = untaxed_shop(&app, &[30_000]).await;
    let mut till = FakePrinter::start().await;
    till.set(Behaviour::PaperOut).await;
    let printer = expect_json(
        app.post(
            &format!("/outlets/{}/printers", shop.outlet),
            Some(&shop.owner),
            &json!({"name": "Kasir", "kind": "RECEIPT", "address": till.address(), "paper_width_mm": 58}),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let session = app.open_table(&kasir, shop.table).await;
    let items = json!([{"product_id": shop.products[0], "quantity": 2}]);
    app.order(
        &kasir,
        &json!({"table_session_id": session["id"], "items": items}),
    )
    .await;

    let mut page = browser.new_page("print-bill").await;
    page.viewport(1024, 768, false).await;
    sign_in(&mut page, &app, "kasir", "kasir-password", "/cashier").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    // The printer runs out of paper: the banner says so, live.
    let test_page = format!("/printers/{}/test", printer["id"].as_str().unwrap());
    app.post(&test_page, Some(&shop.owner), &json!({})).await;
    page.wait_for(
        "!document.getElementById('printer-banner').hidden && document.getElementById('printer-banner').textContent.includes('out of paper')",
        WAIT,
    )
    .await;
    assert!(page.text("#printer-banner").await.contains("Kasir"));
    page.screenshot("banner").await;

    // Paper in: the banner goes, and the bill prints from the ticket.
    till.set(Behaviour::Print).await;
    page.wait_for("document.getElementById('printer-banner').hidden", WAIT)
        .await;
    let table = format!("#table-list [data-table-id='{}']", shop.table);
    page.press(&format!("{table} .table-tile")).await;
    page.wait_for("document.body.dataset.view === 'order'", WAIT)
        .await;
    select_row(
        &mut page,
        "#order-list .order-row[data-number='1']",
        ".order-main",
    )
    .await;
    page.press(".order-print-bill").await;
    let printed = till.wait_for_jobs(2, Duration::from_secs(15)).await;
    let bill = printed
        .iter()
        .map(|job| text_of(job))
        .find(|text| text.contains("TAGIHAN"))
        .expect("the bill reached the printer");
    assert!(
        bill.contains("Rp60.000") && bill.contains("Meja 1"),
        "{bill}"
    );
    page.screenshot("printed").await;
    page.assert_no_problems().await;
}

#[tokio::test]
async fn a_manager_reads_who_voided_what_on_the_activity_tab() {
    let test = "a_manager_reads_who_voided_what_on_the_activity_tab";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[35_000]).await;
    app.staff(&shop.owner, "manajer", Role::Manager, shop.outlet)
        .await;
    let (_, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let body = json!({"outlet_id": shop.outlet, "items": [{"product_id": shop.products[0], "quantity": 2}]});
    let order = app.order(&kasir, &body).await;
    let void = format!(
        "/orders/{}/items/{}/void",
        order["id"].as_str().unwrap(),
        order["items"][0]["id"].as_str().unwrap()
    );
    let voided = app
        .post(
            &void,
            Some(&kasir),
            &json!({"quantity": 1, "reason": "salah pesan"}),
        )
        .await;
    expect_json(voided, StatusCode::OK).await;

    let mut page = browser.new_page("activity").await;
    page.viewport(360, 740, true).await;
    sign_in(&mut page, &app, "manajer", "manajer-password", "/admin").await;
    admin_tab(&mut page, "activity").await;
    let row = "#activity-list li.activity-row[data-action='ITEM_VOIDED']";
    page.wait_for(&format!("document.querySelector(\"{row}\")"), WAIT)
        .await;
    assert!(page
        .text(&format!("{row} .activity-actor"))
        .await
        .contains("kasir"));
    let summary = page.text(&format!("{row} .activity-summary")).await;
    assert!(
        summary.contains("salah pesan") && summary.contains("Rp35.000"),
        "{summary}"
    );
    page.screenshot("voided").await;
    page.assert_no_problems().await;
}

/// A shared tablet from start to finish: a manager enrols this browser and sets the cashier's
/// PIN on /admin; the cashier signs in by PIN on the lock screen; a void after the kitchen has
/// the order asks for a manager's PIN on the same screen; the Activity tab names them both.
#[tokio::test]
async fn on_an_enrolled_tablet_a_manager_approves_a_cashiers_void_with_a_pin() {
    let test = "on_an_enrolled_tablet_a_manager_approves_a_cashiers_void_with_a_pin";
    let Some(mut browser) = Browser::launch(test).await else {
        return;
    };
    let app = spawn_app().await;
    let shop = untaxed_shop(&app, &[35_000]).await;
    let dish = shop.products[0];
    let (manajer_id, manajer) = app
        .staff(&shop.owner, "manajer", Role::Manager, shop.outlet)
        .await;
    let (kasir_id, kasir) = app
        .staff(&shop.owner, "kasir", Role::Kasir, shop.outlet)
        .await;
    let (_, chef) = app
        .staff(&shop.owner, "chef", Role::Kitchen, shop.outlet)
        .await;
    let response = crate::devices::set_pin(&app, &manajer, manajer_id, "2468").await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let shift = json!({"outlet_id": shop.outlet, "start_cash": 100_000});
    expect_json(
        app.post("/shifts/open", Some(&kasir), &shift).await,
        StatusCode::CREATED,
    )
    .await;

    // The manager, on the tablet's own browser: the cashier's PIN, then the enrolment.
    let mut page = browser.new_page("tablet").await;
    page.viewport(1024, 768, false).await;
    sign_in(&mut page, &app, "manajer", "manajer-password", "/admin").await;
    page.wait_for("document.body.dataset.ready === '1'", WAIT)
        .await;
    admin_tab(&mut page, "staff").await;
    let row = format!("#user-list li[data-user-id='{kasir_id}']");
    page.fill(&format!("{row} input[type='password']"), "1357")
        .await;
    page.click(&format!("{row} button.set-pin")).await;
    page.wait_for(
        &format!("document.querySelector(\"{row} input\").placeholder === 'PIN set'"),
        WAIT,
    )
    .await;
    page.fill("#new-tablet-name", "Kasir depan").await;
    page.click("#new-tablet-submit").await;
    page.wait_for("!document.getElementById('tablet-enrolled').hidden", WAIT)
        .await;
    page.click("#tablet-use-here").await;
    page.wait_for(
        "document.querySelector('#tablet-list li')?.innerText.includes('this browser')",
        WAIT,
    )
    .await;
    page.click("#sign-out").await;

    // The cashier page opens on the lock screen: a tile, a wrong PIN, the right one.
    page.goto(&format!("{}/cashier", app.address)).await;
    page.wait_for(
        "document.querySelector(\"#lock-screen .staff-tile[data-username='kasir']\")",
        WAIT,
    )
    .await;
    page.screenshot("1-lock-screen").await;
    page.press("#lock-screen .staff-tile[data-username='kasir']")
        .await;
    page.fill("#lock-pin", "0000").await;
    page.press("#lock-screen [data-key='ok']").await;
    page.wait_for(
        "document.getElementById('lock-message')?.innerText.includes('Wrong PIN')",
        WAIT,
    )
    .await;
    for key in ["1", "3", "5", "7"] {
        page.press(&format!("#lock-screen [data-key='{key}']"))
            .await;
    }
    page.screenshot("2-pin").await;
    page.press("#lock-screen [data-key='ok']").await;
    page.wait_for(
        "!document.getElementById('lock-screen') && document.body.dataset.ready === '1'",
        WAIT,
    )
    .await;
    assert!(page.text("#who").await.contains("kasir"));
    assert!(
        page.eval("Boolean(document.getElementById('switch-user'))")
            .await
            == true
    );

    // An order the kitchen has accepted: the void needs a manager now.
    let table = format!("#table-list [data-table-id='{}']", shop.table);
    page.press(&format!("{table} .table-tile")).await;
    for _ in 0..2 {
        page.press(&format!(".menu-item[data-product-id='{dish}']"))
            .await;
    }
    page.wait_for(
        "document.getElementById('order-submit').textContent === 'Send order · Rp70.000'",
        WAIT,
    )
    .await;
    page.press("#order-submit").await;
    let first = "#order-list .order-row[data-number='1']";
    page.wait_for(&format!("document.querySelector(\"{first}\")"), WAIT)
        .await;
    let orders = expect_json(
        app.get(&format!("/orders?outlet_id={}", shop.outlet), Some(&kasir))
            .await,
        StatusCode::OK,
    )
    .await;
    let order_id = orders["items"][0]["id"].as_str().unwrap().to_owned();
    let line = orders["items"][0]["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect_json(
        app.set_status(&chef, &order_id, &json!({"status": "ACCEPTED"}))
            .await,
        StatusCode::OK,
    )
    .await;
    // The ticket redraws when the kitchen's change arrives: act on the redrawn one.
    page.wait_for(
        &format!("document.querySelector(\"{first}\").innerText.includes('Accepted')"),
        WAIT,
    )
    .await;
    let line_row = format!("{first} .ticket-line[data-item-id='{line}']");
    select_row(&mut page, &line_row, ".line-main").await;
    page.press(&format!("{line_row} button.void")).await;
    page.wait_for("document.getElementById('void-dialog').open", WAIT)
        .await;
    page.fill("#void-reason-text", "salah pesan").await;
    page.press("#void-confirm").await;
    page.wait_for("document.getElementById('approval-dialog')?.open", WAIT)
        .await;
    page.fill("#approval-pin", "2468").await;
    page.screenshot("3-approval").await;
    page.press("#approval-dialog [data-key='ok']").await;
    page.wait_for(
        &format!("document.querySelector(\"{line_row} s.voided\")?.textContent === '1× void'"),
        WAIT,
    )
    .await;

    // The other one is paid by QRIS, then refunded from the Orders panel: a new approval.
    page.press("#ticket-pay").await;
    page.wait_for("document.getElementById('pay-dialog').open", WAIT)
        .await;
    assert_eq!(page.text("#pay-due").await, "Rp35.000");
    page.press("#pay-method [data-method='QRIS']").await;
    page.press("#pay-confirm").await;
    page.wait_for("!document.getElementById('pay-result').hidden", WAIT)
        .await;
    page.click("#pay-done").await;
    page.press("#orders-button").await;
    let history = "#history-list .history-row[data-number='1']";
    page.wait_for(
        &format!("document.querySelector(\"{history} button.refund\")"),
        WAIT,
    )
    .await;
    page.press(&format!("{history} button.refund")).await;
    page.wait_for("document.getElementById('refund-dialog').open", WAIT)
        .await;
    page.fill("#refund-reason", "tamu komplain").await;
    page.press("#refund-confirm").await;
    page.wait_for("document.getElementById('approval-dialog')?.open", WAIT)
        .await;
    for key in ["2", "4", "6", "8", "ok"] {
        page.press(&format!("#approval-dialog [data-key='{key}']"))
            .await;
    }
    page.wait_for(
        &format!("document.querySelector(\"{history}\")?.dataset.paid === 'REFUNDED'"),
        WAIT,
    )
    .await;
    page.screenshot("4-refunded").await;
    assert!(page
        .eval("!document.getElementById('approval-dialog')")
        .await
        .as_bool()
        .unwrap());

    // "Switch user" locks the tablet again; the manager reads the Activity tab on /admin.
    page.click("#switch-user").await;
    page.wait_for("Boolean(document.getElementById('lock-screen'))", WAIT)
        .await;
    sign_in(&mut page, &app, "manajer", "manajer-password", "/admin").await;
    admin_tab(&mut page, "activity").await;
    let entry = "#activity-list li.activity-row[data-action='ITEM_VOIDED']";
    page.wait_for(&format!("document.querySelector(\"{entry}\")"), WAIT)
        .await;
    for action in ["ITEM_VOIDED", "PAYMENT_REFUNDED"] {
        let entry = format!("#activity-list li.activity-row[data-action='{action}']");
        let text = page.text(&entry).await;
        assert!(
            text.contains("kasir") && text.contains("approved by manajer"),
            "{action}: {text}"
        );
    }
    page.screenshot("5-activity").await;
    page.assert_no_problems().await;
}
