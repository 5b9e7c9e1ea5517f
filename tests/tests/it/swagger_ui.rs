//! Swagger UI in a real browser: headless Chromium (Debian's `chromium`, driven over WebDriver
//! by `chromedriver`) opens `/swagger-ui/` on the gateway, sees the endpoint list, tries
//! `GET /api/v1/keys/idaas` from the page and sees IDaaS's key come back. Screenshots go to
//! `target/screenshots/` (docs/images/ keeps a copy). `make test` installs the browser.

use std::{
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use e2e::{free_port, Platform};
use fantoccini::{wd::Capabilities, Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::json;

const KEY_PATH: &str = "/api/v1/keys/idaas";
const WAIT: Duration = Duration::from_secs(30);

/// A program from the environment variable `var`, else the first of `names` on the PATH.
fn program(var: &str, names: &[&str]) -> PathBuf {
    if let Some(p) = std::env::var_os(var) {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    names
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |dir| dir.join(n)))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "none of {names:?} found (or set {var}): `make test` installs them \
                 (apt-get install chromium chromium-driver)"
            )
        })
}

/// chromedriver on a free port; killed on drop.
struct Driver {
    url: String,
    child: Child,
    profile: PathBuf,
}

impl Driver {
    async fn start() -> Driver {
        let port = free_port();
        let child = Command::new(program("IDAAS_CHROMEDRIVER", &["chromedriver"]))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let profile = std::env::temp_dir().join(format!("chromium-{}", uuid::Uuid::new_v4()));
        let mut driver = Driver {
            url: format!("http://127.0.0.1:{port}"),
            child,
            profile,
        };
        let deadline = Instant::now() + WAIT;
        while reqwest::get(format!("{}/status", driver.url))
            .await
            .is_err()
        {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("chromedriver exited ({status}) before answering on port {port}");
            }
            assert!(Instant::now() < deadline, "chromedriver did not answer");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        driver
    }

    async fn browser(&self) -> Client {
        let chromium = program(
            "IDAAS_CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let args = [
            "--headless=new",
            // Root in a container has no user namespace sandbox to drop into.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            // Nothing but the page under test goes on the network.
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1400,1000",
            &format!("--user-data-dir={}", self.profile.display()),
        ];
        let caps: Capabilities = serde_json::from_value(json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": chromium, "args": args},
        }))
        .unwrap();
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a Chromium session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Saves a screenshot under `target/screenshots/` (or `IDAAS_SCREENSHOT_DIR`).
fn save(name: &str, png: &[u8]) -> Result<(), String> {
    if !png.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(format!("{name} is not a PNG"));
    }
    let dir = std::env::var_os("IDAAS_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots"));
    std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join(name), png))
        .map_err(|e| format!("saving {name} in {}: {e}", dir.display()))
}

#[tokio::test(flavor = "multi_thread")]
async fn swagger_ui_lists_the_endpoints_and_tries_a_public_call_in_chromium() {
    let p = Platform::start().await;
    let driver = Driver::start().await;
    let c = driver.browser().await;
    let outcome = walk(&p, &c).await;
    let _ = c.close().await;
    outcome.unwrap_or_else(|why| panic!("{why}\n{}", p.logs()));
}

async fn walk(p: &Platform, c: &Client) -> Result<(), String> {
    let fail = |what: &str| {
        let what = what.to_owned();
        move |e: fantoccini::error::CmdError| format!("{what}: {e}")
    };
    c.goto(&format!("{}/swagger-ui/", p.gateway))
        .await
        .map_err(fail("open /swagger-ui/"))?;

    // The endpoint list, rendered by the page from GET /v3/api-docs.
    element(c, ".opblock-summary-path", "the endpoint list").await?;
    let mut paths = Vec::new();
    for span in c
        .find_all(Locator::Css(".opblock-summary-path"))
        .await
        .map_err(fail("the endpoint list"))?
    {
        if let Some(path) = span.attr("data-path").await.map_err(fail("data-path"))? {
            paths.push(path);
        }
    }
    for expected in [KEY_PATH, "/api/v1/transactions", "/api/v1/applications"] {
        if !paths.iter().any(|path| path == expected) {
            return Err(format!("{expected} is not in the page's list: {paths:?}"));
        }
    }
    if paths.len() < 20 {
        return Err(format!("only {} operations listed: {paths:?}", paths.len()));
    }
    let title = text(c, ".info .title", "the title").await?;
    if !title.contains("IDaaS") {
        return Err(format!("the page's title is {title:?}"));
    }
    save(
        "swagger-ui.png",
        &c.screenshot().await.map_err(fail("screenshot"))?,
    )?;

    // Try it out: GET /api/v1/keys/idaas from the page, as a visitor would.
    let summary = format!(r#".opblock-summary-path[data-path="{KEY_PATH}"]"#);
    c.find(Locator::Css(&summary))
        .await
        .map_err(fail("the keys operation"))?
        .click()
        .await
        .map_err(fail("open the keys operation"))?;
    let open = ".opblock.is-open";
    click(c, &format!("{open} .try-out__btn"), "Try it out").await?;
    click(c, &format!("{open} .execute"), "Execute").await?;
    let responses = format!("{open} .live-responses-table");
    let status = text(
        c,
        &format!("{responses} .response .response-col_status"),
        "the live response",
    )
    .await?;
    let body = text(
        c,
        &format!("{responses} .response-col_description pre"),
        "the response body",
    )
    .await?;
    if status.trim() != "200" || !body.contains("ECDH-ES+A256KW") || !body.contains("\"jwk\"") {
        return Err(format!("the page's call answered {status:?}: {body}"));
    }
    // An element's screenshot is clipped to the window: make room for the whole operation,
    // its live response included.
    c.set_window_size(1400, 2400)
        .await
        .map_err(fail("resize"))?;
    let operation = c
        .find(Locator::Css(open))
        .await
        .map_err(fail("the operation"))?;
    c.execute(
        "arguments[0].scrollIntoView({block: 'start'})",
        vec![serde_json::to_value(&operation).map_err(|e| e.to_string())?],
    )
    .await
    .map_err(fail("scroll"))?;
    save(
        "swagger-ui-try-it-out.png",
        &operation.screenshot().await.map_err(fail("screenshot"))?,
    )?;
    Ok(())
}

/// The element `css` names, once the page shows it (up to `WAIT`).
async fn element(
    c: &Client,
    css: &str,
    what: &str,
) -> Result<fantoccini::elements::Element, String> {
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await
        .map_err(|e| format!("{what}: {e}"))
}

async fn click(c: &Client, css: &str, what: &str) -> Result<(), String> {
    element(c, css, what)
        .await?
        .click()
        .await
        .map_err(|e| format!("click {what}: {e}"))
}

async fn text(c: &Client, css: &str, what: &str) -> Result<String, String> {
    element(c, css, what)
        .await?
        .text()
        .await
        .map_err(|e| format!("{what}: {e}"))
}
