//! Per-instance temporary folders, kept for inspection when `PARLA_KEEP_BENCH` asks for it.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

use crate::error::{IoContext, Result};

/// Environment variable: `1` keeps the folders of a test that panicked, `all` keeps every folder.
pub const KEEP_ENV: &str = "PARLA_KEEP_BENCH";

/// A temporary folder holding one peer's config, runtime files and logs.
#[derive(Debug)]
pub struct BenchDir {
    dir: Option<TempDir>,
    path: PathBuf,
}

impl BenchDir {
    /// Creates `$TMPDIR/parla-<prefix>-XXXXXX`.
    pub fn new(prefix: &str) -> Result<BenchDir> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("parla-{prefix}-"))
            .tempdir()
            .ctx(|| format!("creating temp dir for {prefix}"))?;
        let path = dir.path().to_path_buf();
        Ok(BenchDir {
            dir: Some(dir),
            path,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

fn keep_requested() -> bool {
    match std::env::var(KEEP_ENV).as_deref() {
        Ok("all") => true,
        Ok("1") | Ok("yes") | Ok("true") => std::thread::panicking(),
        _ => false,
    }
}

impl Drop for BenchDir {
    fn drop(&mut self) {
        if keep_requested() {
            if let Some(dir) = self.dir.take() {
                let kept = dir.keep();
                eprintln!("parla-testbench: kept {}", kept.display());
            }
        }
    }
}
