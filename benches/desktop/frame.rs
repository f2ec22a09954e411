//! "First frame": the first moment one of the app's top-level windows is mapped (viewable) and
//! a capture of it is not one flat colour. Found by polling `xdotool search --onlyvisible --pid`
//! and `xwd` with a deadline; the XWD image is checked here.

use anyhow::{bail, Context, Result};
use parla_testbench::process::Proc;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Pause between polls; a poll itself (xdotool + xwd) takes another ~20 ms.
const POLL: Duration = Duration::from_millis(10);

pub struct FirstFrame {
    /// Spawn to the end of the capture that first showed content.
    pub elapsed: Duration,
    pub title: String,
    pub width: u32,
    pub height: u32,
    /// That capture, as XWD.
    pub xwd: Vec<u8>,
}

/// Waits for `app`'s first frame on `display`; `started` is when it was spawned.
pub fn wait_first_frame(
    display: &str,
    app: &mut Proc,
    started: Instant,
    timeout: Duration,
) -> Result<FirstFrame> {
    let deadline = started + timeout;
    loop {
        app.ensure_running()?;
        for window in visible_windows(display, app.pid())? {
            let Some(xwd) = capture(display, &window)? else {
                continue;
            };
            let image = Xwd::parse(&xwd).context("reading xwd's capture")?;
            if !image.is_flat(&xwd) {
                let elapsed = started.elapsed();
                return Ok(FirstFrame {
                    elapsed,
                    title: window_title(display, &window),
                    width: image.width,
                    height: image.height,
                    xwd,
                });
            }
        }
        if Instant::now() >= deadline {
            bail!(
                "{} (pid {}) showed no window with content within {timeout:?}; its log ends:\n{}",
                app.name(),
                app.pid(),
                parla_testbench::process::log_tail(app.log_path(), 40)
            );
        }
        std::thread::sleep(POLL);
    }
}

fn x_command(display: &str, program: &str) -> Command {
    let mut cmd = Command::new(program);
    cmd.env("DISPLAY", display).stdin(Stdio::null());
    cmd
}

/// Viewable windows whose `_NET_WM_PID` is `pid` (xdotool exits 1 when there are none).
fn visible_windows(display: &str, pid: u32) -> Result<Vec<String>> {
    let out = x_command(display, "xdotool")
        .args(["search", "--onlyvisible", "--pid", &pid.to_string()])
        .stderr(Stdio::null())
        .output()
        .context("running xdotool")?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(str::to_string)
        .collect())
}

/// The window as XWD, or `None` if it went away (or was unmapped) meanwhile.
fn capture(display: &str, window: &str) -> Result<Option<Vec<u8>>> {
    let out = x_command(display, "xwd")
        .args(["-silent", "-id", window])
        .stderr(Stdio::null())
        .output()
        .context("running xwd")?;
    Ok((out.status.success() && !out.stdout.is_empty()).then_some(out.stdout))
}

fn window_title(display: &str, window: &str) -> String {
    x_command(display, "xdotool")
        .args(["getwindowname", window])
        .stderr(Stdio::null())
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

/// The parts of an XWD (X Window Dump) header needed to walk its Z-pixmap.
#[derive(Debug, PartialEq)]
struct Xwd {
    width: u32,
    height: u32,
    bytes_per_pixel: usize,
    bytes_per_line: usize,
    msb_first: bool,
    /// Red | green | blue masks: bits outside them (e.g. the unused byte of a 24-bit depth
    /// in 32-bit pixels) are ignored.
    colour_mask: u32,
    data_offset: usize,
}

impl Xwd {
    fn parse(bytes: &[u8]) -> Result<Xwd> {
        // The header is 25 big-endian u32 fields, then the window name, then the colour map
        // (12 bytes an entry), then the pixels.
        let field = |i: usize| -> Result<u32> {
            let b = bytes
                .get(i * 4..i * 4 + 4)
                .context("XWD header cut short")?;
            Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
        };
        let header_size = field(0)? as usize;
        if field(2)? != 2 {
            bail!("not a Z-pixmap capture (format {})", field(2)?);
        }
        let bits_per_pixel = field(11)?;
        if !matches!(bits_per_pixel, 8 | 16 | 24 | 32) {
            bail!("unsupported {bits_per_pixel} bits per pixel");
        }
        let mut colour_mask = field(14)? | field(15)? | field(16)?;
        if colour_mask == 0 {
            colour_mask = u32::MAX;
        }
        let xwd = Xwd {
            width: field(4)?,
            height: field(5)?,
            bytes_per_pixel: bits_per_pixel as usize / 8,
            bytes_per_line: field(12)? as usize,
            msb_first: field(7)? == 1,
            colour_mask,
            data_offset: header_size + field(19)? as usize * 12,
        };
        let needed = xwd.data_offset + xwd.bytes_per_line * xwd.height as usize;
        if bytes.len() < needed || xwd.bytes_per_line < xwd.width as usize * xwd.bytes_per_pixel {
            bail!(
                "XWD data cut short ({} bytes, {needed} needed)",
                bytes.len()
            );
        }
        Ok(xwd)
    }

    fn pixel(&self, bytes: &[u8], x: usize, y: usize) -> u32 {
        let at = self.data_offset + y * self.bytes_per_line + x * self.bytes_per_pixel;
        let raw = &bytes[at..at + self.bytes_per_pixel];
        let value = if self.msb_first {
            raw.iter().fold(0u32, |v, &b| (v << 8) | u32::from(b))
        } else {
            raw.iter().rev().fold(0u32, |v, &b| (v << 8) | u32::from(b))
        };
        value & self.colour_mask
    }

    /// True if every pixel has the same colour (or the window is empty): nothing drawn yet.
    fn is_flat(&self, bytes: &[u8]) -> bool {
        let (w, h) = (self.width as usize, self.height as usize);
        if w == 0 || h == 0 {
            return true;
        }
        let first = self.pixel(bytes, 0, 0);
        (0..h).all(|y| (0..w).all(|x| self.pixel(bytes, x, y) == first))
    }
}
