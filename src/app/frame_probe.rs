//! A diagnostic for the frame-gap benchmark (scripts/bench-frame-gap.sh): with
//! `PARLA_FRAME_PROBE=FILE` the window redraws continuously and writes, once a second, how many
//! frames it drew and the longest gap between two of them, plus a line per directory sync; two
//! seconds after the first frame it asks the engine for a directory sync, so the sync runs
//! while frames are being drawn. Off (and free) unless the variable is set.

use std::io::Write;
use std::time::{Duration, Instant};

pub struct FrameProbe {
    out: std::fs::File,
    started: Instant,
    last: Option<Instant>,
    second: Instant,
    frames: u32,
    longest: Duration,
    first: Option<Instant>,
    sync_asked: bool,
}

impl FrameProbe {
    pub fn from_env() -> Option<FrameProbe> {
        let path = std::env::var_os("PARLA_FRAME_PROBE")?;
        let out = std::fs::File::create(&path)
            .map_err(|e| tracing::warn!(error = %e, "frame probe file"))
            .ok()?;
        let now = Instant::now();
        Some(FrameProbe {
            out,
            started: now,
            last: None,
            second: now,
            frames: 0,
            longest: Duration::ZERO,
            first: None,
            sync_asked: false,
        })
    }

    /// Counts a frame; true once, when it is time to ask for the directory sync.
    pub fn frame(&mut self, at: Instant) -> bool {
        let first = *self.first.get_or_insert(at);
        if let Some(last) = self.last {
            self.longest = self.longest.max(at.saturating_duration_since(last));
        }
        self.last = Some(at);
        self.frames += 1;
        if at.saturating_duration_since(self.second) >= Duration::from_secs(1) {
            let line = format!(
                "frames t_ms={} count={} longest_gap_ms={:.1}",
                at.saturating_duration_since(self.started).as_millis(),
                self.frames,
                self.longest.as_secs_f64() * 1000.0
            );
            let _ = writeln!(self.out, "{line}");
            self.second = at;
            self.frames = 0;
            self.longest = Duration::ZERO;
        }
        if !self.sync_asked && at.saturating_duration_since(first) >= Duration::from_secs(2) {
            self.sync_asked = true;
            self.note("sync_requested");
            return true;
        }
        false
    }

    pub fn note(&mut self, what: &str) {
        let t = self.started.elapsed().as_millis();
        let _ = writeln!(self.out, "note t_ms={t} {what}");
    }
}
