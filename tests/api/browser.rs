//! Driving headless Chromium over the DevTools protocol (chromiumoxide) for tests that
//! need a real browser.
//!
//! The browser runs with the network cut off: every host name other than 127.0.0.1
//! fails to resolve. Each tab records every request it makes (the DevTools network
//! log, WebSockets included), every Content-Security-Policy violation and every
//! uncaught script error, so a test can assert that nothing but the test server was
//! asked for anything. Waits poll a DOM condition until it holds or a deadline passes;
//! on a timeout the test fails with a screenshot beside the test binary.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input::{
    DispatchKeyEventParams, DispatchKeyEventType, InsertTextParams,
};
use chromiumoxide::cdp::browser_protocol::network::{
    EventRequestWillBeSent, EventWebSocketCreated,
};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::js_protocol::runtime::EventExceptionThrown;
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{BrowserConfig, Page};
use futures_util::StreamExt;
use serde_json::Value;

/// How long a wait may take. Generous: the machine may be busy with other tests.
const PATIENCE: Duration = Duration::from_secs(60);

/// Chromium's host resolver rules: no name resolves except the test server's address.
const OFFLINE: &str = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1";

/// How to get Chromium, for the failure message.
const INSTALL: &str = "this test drives a real headless Chromium: install it \
     (Debian/Ubuntu: `apt-get install chromium`; .ci/run does) or point the CHROME \
     environment variable at a Chrome or Chromium binary";

/// Recorded in each tab before any of its scripts run: CSP violations.
const RECORD_VIOLATIONS: &str = "window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (e) =>
  window.__cspViolations.push(e.violatedDirective + ' blocked ' + (e.blockedURI || '(inline)')));";

/// A headless Chromium with the network cut off. Close it with [`Browser::close`].
pub struct Browser {
    browser: chromiumoxide::Browser,
    handler: tokio::task::JoinHandle<()>,
    profile: PathBuf,
}

/// One tab, with what it has asked the network for.
pub struct Tab {
    page: Page,
    requests: Arc<Mutex<Vec<String>>>,
    errors: Arc<Mutex<Vec<String>>>,
    listeners: Vec<tokio::task::JoinHandle<()>>,
}

impl Browser {
    /// Start Chromium, failing the test with how to install it when it is missing.
    pub async fn launch() -> Self {
        let profile = std::env::temp_dir().join(format!(
            "samverkan-chromium-{}",
            uuid::Uuid::new_v4().simple()
        ));
        let config = BrowserConfig::builder()
            .new_headless_mode()
            // CI runs as root, where Chromium's sandbox cannot start.
            .no_sandbox()
            .window_size(1400, 900)
            .viewport(None)
            .user_data_dir(&profile)
            .launch_timeout(PATIENCE)
            .request_timeout(PATIENCE)
            .args([
                OFFLINE,
                "--disable-gpu",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-component-update",
                "--disable-domain-reliability",
            ])
            .build()
            .unwrap_or_else(|err| panic!("no Chromium found ({err}): {INSTALL}"));
        let (browser, mut handler) = chromiumoxide::Browser::launch(config)
            .await
            .unwrap_or_else(|err| panic!("Chromium did not start ({err}): {INSTALL}"));
        // The handler carries every message between the browser and us.
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        Self {
            browser,
            handler,
            profile,
        }
    }

    /// A new tab at `url`, recording its requests from the start.
    pub async fn open(&self, url: &str) -> Tab {
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .expect("open a tab");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let errors = Arc::new(Mutex::new(Vec::new()));
        let mut listeners = Vec::new();

        let mut sent = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .expect("listen to requests");
        let log = requests.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = sent.next().await {
                log.lock().unwrap().push(shorten(&event.request.url));
            }
        }));
        let mut sockets = page
            .event_listener::<EventWebSocketCreated>()
            .await
            .expect("listen to WebSockets");
        let log = requests.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = sockets.next().await {
                log.lock().unwrap().push(event.url.clone());
            }
        }));
        let mut thrown = page
            .event_listener::<EventExceptionThrown>()
            .await
            .expect("listen to script errors");
        let log = errors.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = thrown.next().await {
                let details = &event.exception_details;
                let text = details
                    .exception
                    .as_ref()
                    .and_then(|e| e.description.clone())
                    .unwrap_or_else(|| details.text.clone());
                log.lock().unwrap().push(text);
            }
        }));
        page.enable_runtime().await.expect("enable Runtime events");
        page.evaluate_on_new_document(RECORD_VIOLATIONS)
            .await
            .expect("record CSP violations");
        page.goto(url)
            .await
            .unwrap_or_else(|err| panic!("load {url}: {err}"));
        Tab {
            page,
            requests,
            errors,
            listeners,
        }
    }

    /// Close the browser (its profile is removed when it is dropped).
    pub async fn close(mut self) {
        let _ = self.browser.close().await;
        let _ = self.browser.wait().await;
    }
}

impl Drop for Browser {
    /// A browser not closed (a failed test) is killed by chromiumoxide; its profile
    /// goes either way.
    fn drop(&mut self) {
        self.handler.abort();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// A URL for the log: `data:` URIs (fonts, icons) cut to their start.
fn shorten(url: &str) -> String {
    if url.starts_with("data:") && url.len() > 60 {
        let cut = (0..=60)
            .rev()
            .find(|i| url.is_char_boundary(*i))
            .unwrap_or(0);
        format!("{}…", &url[..cut])
    } else {
        url.to_owned()
    }
}

impl Drop for Tab {
    fn drop(&mut self) {
        for listener in &self.listeners {
            listener.abort();
        }
    }
}

impl Tab {
    /// Every URL the tab has requested so far (documents, scripts, styles, fetches,
    /// WebSockets, `data:` URIs).
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Uncaught script errors so far.
    pub fn script_errors(&self) -> Vec<String> {
        self.errors.lock().unwrap().clone()
    }

    /// Content-Security-Policy violations of the current document so far.
    pub async fn csp_violations(&self) -> Vec<String> {
        self.eval("window.__cspViolations || []")
            .await
            .as_array()
            .map(|list| {
                list.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The value of a JavaScript expression (awaited when it is a promise).
    pub async fn eval(&self, expression: &str) -> Value {
        self.page
            .evaluate(expression)
            .await
            .unwrap_or_else(|err| panic!("evaluate {expression}: {err}"))
            .value()
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Wait until the JavaScript `condition` is true; `what` says what for, when it
    /// is not in time.
    pub async fn wait_for(&self, what: &str, condition: &str) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let expression = format!(
            "(() => {{ try {{ return !!({condition}); }} catch (_) {{ return false; }} }})()"
        );
        loop {
            if self.eval(&expression).await == Value::Bool(true) {
                return;
            }
            if tokio::time::Instant::now() >= deadline {
                let shot = self.screenshot("timeout").await;
                let text = self
                    .eval("document.body ? document.body.innerText.slice(0, 2000) : ''")
                    .await;
                panic!(
                    "timed out waiting for {what} ({condition}); screenshot: {}; the page says: {text}; script errors: {:?}; CSP violations: {:?}; requests: {:?}",
                    shot.display(),
                    self.script_errors(),
                    self.csp_violations().await,
                    self.requests(),
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Wait for the element `selector` to be there, then click its middle as a
    /// mouse would.
    pub async fn click(&self, selector: &str) {
        let quoted = serde_json::to_string(selector).expect("selector as JSON");
        self.wait_for(
            &format!("{selector} to appear"),
            &format!("document.querySelector({quoted})"),
        )
        .await;
        self.page
            .find_element(selector)
            .await
            .unwrap_or_else(|err| panic!("find {selector}: {err}"))
            .click()
            .await
            .unwrap_or_else(|err| panic!("click {selector}: {err}"));
    }

    /// Click into the text editor `selector`, select everything in it (Ctrl-A) and
    /// type `text` over it.
    pub async fn replace_text(&self, selector: &str, text: &str) {
        self.click(selector).await;
        for kind in [DispatchKeyEventType::KeyDown, DispatchKeyEventType::KeyUp] {
            let key = DispatchKeyEventParams::builder()
                .r#type(kind)
                .modifiers(2) // Ctrl
                .key("a")
                .code("KeyA")
                .windows_virtual_key_code(65)
                .native_virtual_key_code(65)
                .build()
                .expect("a key event");
            self.page.execute(key).await.expect("press Ctrl-A");
        }
        self.page
            .execute(InsertTextParams::new(text))
            .await
            .expect("type text");
    }

    /// Save a screenshot beside the test binary; returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(PathBuf::from))
            .unwrap_or_else(std::env::temp_dir);
        let path = dir.join(format!("{name}-{}.png", uuid::Uuid::new_v4().simple()));
        let params = ScreenshotParams::builder()
            .format(CaptureScreenshotFormat::Png)
            .build();
        if let Err(err) = self.page.save_screenshot(params, &path).await {
            eprintln!("no screenshot: {err}");
        }
        path
    }
}
