//! A log file that never grows past about twice its cap: when a write would take it past the
//! cap, it is renamed to `NAME.1` (replacing the one before) and a fresh one is started.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub struct CappedFile {
    path: PathBuf,
    previous: PathBuf,
    file: File,
    len: u64,
    cap: u64,
}

impl CappedFile {
    /// Appends to `DIR/NAME` (created if missing).
    pub fn open(dir: &Path, name: &str, cap: u64) -> io::Result<CappedFile> {
        let path = dir.join(name);
        let file = OpenOptions::new().create(true).append(true).open(&path)?;
        let len = file.metadata()?.len();
        Ok(CappedFile {
            previous: dir.join(format!("{name}.1")),
            path,
            file,
            len,
            cap,
        })
    }

    fn rotate(&mut self) -> io::Result<()> {
        self.file.flush()?;
        std::fs::rename(&self.path, &self.previous)?;
        self.file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

impl Write for CappedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.len > 0 && self.len + buf.len() as u64 > self.cap {
            // A failed rotation keeps writing to the old file rather than losing the line.
            let _ = self.rotate();
        }
        let written = self.file.write(buf)?;
        self.len += written as u64;
        Ok(written)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_at_the_cap_and_keeps_one_before() {
        let dir = tempfile::tempdir().expect("dir");
        let mut log = CappedFile::open(dir.path(), "sip.log", 10).expect("open");
        for line in ["aaaaaa\n", "bbbbbb\n", "cccccc\n"] {
            log.write_all(line.as_bytes()).expect("write");
        }
        log.flush().expect("flush");
        let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).expect(name);
        assert_eq!(read("sip.log"), "cccccc\n");
        assert_eq!(read("sip.log.1"), "bbbbbb\n");
        // Opened again, it goes on from the size it has.
        let mut log = CappedFile::open(dir.path(), "sip.log", 10).expect("reopen");
        log.write_all(b"dd\n").expect("write");
        assert_eq!(read("sip.log"), "cccccc\ndd\n");
    }
}
