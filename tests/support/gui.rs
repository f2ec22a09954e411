//! The desktop app under a test-started X server and session bus: start it, find its windows,
//! take screenshots, talk to it over its control socket, launch it a second time.

use parla_testbench::{Dunst, SessionBus, TrayWatcher, Xvfb};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// An X display, a session bus with a tray (StatusNotifierWatcher) and a notification daemon.
pub struct Desktop {
    pub xvfb: Xvfb,
    pub bus: SessionBus,
    pub watcher: TrayWatcher,
    pub dunst: Dunst,
}

impl Desktop {
    pub fn start() -> Desktop {
        let xvfb = Xvfb::start().expect("Xvfb");
        let bus = SessionBus::start().expect("session bus");
        let watcher = TrayWatcher::start(&bus).expect("tray watcher");
        let dunst = Dunst::start(&bus, &xvfb).expect("dunst");
        Desktop {
            xvfb,
            bus,
            watcher,
            dunst,
        }
    }

    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.xvfb.env();
        env.extend(self.bus.env());
        env
    }

    fn xdotool(&self, args: &[&str]) -> Option<String> {
        let out = Command::new("xdotool")
            .args(args)
            .envs(self.xvfb.env())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// The first window whose title matches `pattern` (a regex), within `timeout`.
    pub fn wait_window(&self, pattern: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(found) = self.xdotool(&["search", "--onlyvisible", "--name", pattern]) {
                if let Some(id) = found.lines().next().filter(|l| !l.is_empty()) {
                    return Some(id.to_string());
                }
            }
            if Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// True once no visible window's title matches `pattern`, within `timeout`.
    pub fn wait_no_window(&self, pattern: &str, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            let found = self.xdotool(&["search", "--onlyvisible", "--name", pattern]);
            if found.is_none_or(|f| f.is_empty()) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// The window that has the keyboard focus.
    pub fn focused(&self) -> Option<String> {
        self.xdotool(&["getwindowfocus"])
    }

    pub fn window_title(&self, window: &str) -> String {
        self.xdotool(&["getwindowname", window]).unwrap_or_default()
    }

    /// The window's pixels, raw.
    fn pixels(&self, window: &str) -> Option<Vec<u8>> {
        let out = Command::new("import")
            .args(["-window", window, "rgb:-"])
            .envs(self.xvfb.env())
            .output()
            .ok()?;
        (out.status.success() && !out.stdout.is_empty()).then_some(out.stdout)
    }

    /// The window's mean brightness, 0 (black) to 1 (white): tells a dark theme from a light one.
    pub fn brightness(&self, window: &str) -> f32 {
        let pixels = self.pixels(window).unwrap_or_default();
        if pixels.is_empty() {
            return 0.0;
        }
        let sum: u64 = pixels.iter().map(|&b| u64::from(b)).sum();
        sum as f32 / (pixels.len() as f32 * 255.0)
    }

    /// Saves the window as `target/screenshots/NAME.png` once what it shows has settled: not
    /// blank (a new window's first frames can be), and the same in two looks 300 ms apart
    /// (the window draws a moment after its state changed). Returns the path.
    pub fn screenshot(&self, window: &str, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let deadline = Instant::now() + super::T;
        let mut last: Option<Vec<u8>> = None;
        loop {
            let now = self.pixels(window);
            let blank = now
                .as_ref()
                .is_none_or(|p| p.chunks(3).all(|px| px == &p[..3]));
            if !blank && now.is_some() && now == last {
                break;
            }
            assert!(Instant::now() < deadline, "window {window} never settled");
            last = now;
            std::thread::sleep(Duration::from_millis(300));
        }
        let saved = Command::new("import")
            .args(["-window", window, &format!("png:{}", path.display())])
            .envs(self.xvfb.env())
            .status()
            .is_ok_and(|s| s.success());
        assert!(saved, "no picture of window {window}");
        path
    }

    /// Saves the window as `target/screenshots/NAME.png` as it is now, once it is not blank:
    /// for a window that keeps moving (a message playing), which [`Desktop::screenshot`]
    /// would wait on forever.
    pub fn screenshot_moving(&self, window: &str, name: &str) -> PathBuf {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        let path = dir.join(format!("{name}.png"));
        let deadline = Instant::now() + super::T;
        while self
            .pixels(window)
            .as_ref()
            .is_none_or(|p| p.chunks(3).all(|px| px == &p[..3]))
        {
            assert!(Instant::now() < deadline, "window {window} stayed blank");
            std::thread::sleep(Duration::from_millis(100));
        }
        let saved = Command::new("import")
            .args(["-window", window, &format!("png:{}", path.display())])
            .envs(self.xvfb.env())
            .status()
            .is_ok_and(|s| s.success());
        assert!(saved, "no picture of window {window}");
        path
    }

    /// Clicks into the field at a point of the window and types `text` over what it held (the
    /// focus is given first: there is no window manager to give it). Waits until the window shows a change, and
    /// types again once if the keys were lost (a busy machine can drop the first ones while
    /// the field takes the focus).
    pub fn type_into(&self, window: &str, x: u32, y: u32, text: &str) {
        for _ in 0..2 {
            let before = self.pixels(window);
            self.click(window, x, y);
            self.xdotool(&["windowfocus", "--sync", window]);
            // Real key presses (XTEST) to the focused window, as a keyboard would send them:
            // events sent to a window directly are marked synthetic and can be ignored.
            self.xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
            self.xdotool(&["type", "--delay", "20", text]);
            let deadline = Instant::now() + Duration::from_secs(3);
            while Instant::now() < deadline {
                if self.pixels(window) != before {
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        let _ = Command::new("import")
            .args([
                "-window",
                window,
                "png:target/screenshots/typing-failed.png",
            ])
            .envs(self.xvfb.env())
            .status();
        panic!(
            "typing {text:?} into window {window} changed nothing (focus: {:?}; see target/screenshots/typing-failed.png)",
            self.focused()
        );
    }

    pub fn key(&self, window: &str, key: &str) {
        self.xdotool(&["windowfocus", "--sync", window]);
        self.xdotool(&["key", key]);
    }

    /// Clicks at a point of the window (coordinates inside it).
    pub fn click(&self, window: &str, x: u32, y: u32) {
        self.xdotool(&[
            "mousemove",
            "--window",
            window,
            &x.to_string(),
            &y.to_string(),
            "click",
            "1",
        ]);
    }

    /// Turns the mouse wheel down over the middle of the window, one notch at a time (a burst
    /// of them scrolls iced's pages unevenly): about 120 pixels each.
    pub fn scroll_down(&self, window: &str, notches: u32) {
        for _ in 0..notches {
            self.xdotool(&["mousemove", "--window", window, "210", "400", "click", "5"]);
            std::thread::sleep(std::time::Duration::from_millis(60));
        }
    }
}

/// The desktop app as a person runs it: `parla --profile DIR`, with its own runtime folder so
/// that its control socket is the only one there.
pub struct GuiApp {
    child: Child,
    pub profile: tempfile::TempDir,
    runtime: tempfile::TempDir,
    env: Vec<(String, String)>,
}

impl GuiApp {
    pub fn start(config_toml: &str, desktop: &Desktop) -> GuiApp {
        GuiApp::start_with(config_toml, desktop, &[])
    }

    pub fn start_with(config_toml: &str, desktop: &Desktop, extra_env: &[(&str, &str)]) -> GuiApp {
        GuiApp::start_seeded(config_toml, desktop, extra_env, |_| {})
    }

    /// [`GuiApp::start_with`], with `seed` given the profile folder first (a database with
    /// messages in it, files).
    pub fn start_seeded(
        config_toml: &str,
        desktop: &Desktop,
        extra_env: &[(&str, &str)],
        seed: impl FnOnce(&std::path::Path),
    ) -> GuiApp {
        let profile = tempfile::tempdir().expect("profile");
        std::fs::write(profile.path().join("config.toml"), config_toml).expect("config");
        seed(profile.path());
        let runtime = tempfile::tempdir().expect("runtime dir");
        let mut env = desktop.env();
        env.push((
            "XDG_RUNTIME_DIR".into(),
            runtime.path().display().to_string(),
        ));
        env.push(("RUST_LOG".into(), "info,sip=debug".into()));
        env.extend(
            extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let log = std::fs::File::create(profile.path().join("stderr.log")).expect("log");
        let child = Command::new(super::bin())
            .arg("--profile")
            .arg(profile.path())
            .envs(env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start parla");
        GuiApp {
            child,
            profile,
            runtime,
            env,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.profile.path().join("stderr.log")).unwrap_or_default()
    }

    fn socket(&self) -> Option<PathBuf> {
        std::fs::read_dir(self.runtime.path())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "sock"))
    }

    /// A client of the app's control socket (the same one a second launch uses).
    pub fn control(&self) -> Control {
        let deadline = Instant::now() + super::T;
        loop {
            if let Some(stream) = self.socket().and_then(|p| UnixStream::connect(p).ok()) {
                return Control::new(stream);
            }
            assert!(
                Instant::now() < deadline,
                "no control socket: {}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `parla --profile DIR ARGS...` run to its end: its status and how long it took.
    pub fn second_launch(&self, args: &[&str]) -> (ExitStatus, Duration, String) {
        let started = Instant::now();
        let out = Command::new(super::bin())
            .arg("--profile")
            .arg(self.profile.path())
            .args(args)
            .envs(self.env.iter().cloned())
            .output()
            .expect("second launch");
        (
            out.status,
            started.elapsed(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Asks the app to quit through its control socket and waits for it to end.
    pub fn quit(mut self) -> ExitStatus {
        let mut control = self.control();
        control.send(&serde_json::json!({"cmd": "quit"}));
        let deadline = Instant::now() + super::T;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the app did not quit: {}", self.log());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for GuiApp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One connection to the control socket: commands out, every engine event in.
pub struct Control {
    stream: UnixStream,
    events: mpsc::Receiver<Value>,
    pub seen: Vec<Value>,
}

impl Control {
    fn new(stream: UnixStream) -> Control {
        let reader = BufReader::new(stream.try_clone().expect("clone socket"));
        let (tx, events) = mpsc::channel();
        std::thread::spawn(move || {
            for line in reader.lines().map_while(Result::ok) {
                if let Ok(value) = serde_json::from_str::<Value>(&line) {
                    if tx.send(value).is_err() {
                        return;
                    }
                }
            }
        });
        Control {
            stream,
            events,
            seen: Vec::new(),
        }
    }

    pub fn send(&mut self, command: &Value) {
        let mut line = command.to_string();
        line.push('\n');
        self.stream
            .write_all(line.as_bytes())
            .expect("send command");
    }

    pub fn wait(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        self.wait_or(what, pred, String::new)
    }

    /// As `wait`, with `context()` (logs of the peers) in the failure message.
    pub fn wait_or(
        &mut self,
        what: &str,
        pred: impl Fn(&Value) -> bool,
        context: impl Fn() -> String,
    ) -> Value {
        let deadline = Instant::now() + super::T;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => {
                    self.seen.push(event.clone());
                    if pred(&event) {
                        return event;
                    }
                }
                Err(_) => panic!("waiting for {what}; seen {:?}\n{}", self.seen, context()),
            }
        }
    }
}
