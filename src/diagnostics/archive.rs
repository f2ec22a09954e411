//! The bundle's archive: a `.zip` (deflate) or a `.tar.gz`, written to a temp file beside the
//! target and renamed over it, so a half-written bundle never carries the name.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use super::Entry;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Zip,
    TarGz,
}

impl Format {
    /// By the file name's extension: `.zip`, `.tar.gz` or `.tgz` (any case).
    pub fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".zip") {
            Some(Format::Zip)
        } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Format::TarGz)
        } else {
            None
        }
    }
}

pub fn write(path: &Path, format: Format, entries: &[Entry]) -> io::Result<()> {
    let temp = temp_path(path);
    let result = File::create(&temp).and_then(|file| {
        let file = match format {
            Format::Zip => write_zip(file, entries)?,
            Format::TarGz => write_tar_gz(file, entries)?,
        };
        file.sync_all()
    });
    match result.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// `.NAME.PID.tmp` in the target's folder (a rename within one file system).
fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "parla-diagnostics".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_zip(file: File, entries: &[Entry]) -> io::Result<File> {
    let mut zip = zip::ZipWriter::new(BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o644)
        .last_modified_time(zip_time());
    for entry in entries {
        zip.start_file(entry.name.as_str(), options)
            .map_err(io::Error::other)?;
        zip.write_all(entry.text.as_bytes())?;
    }
    let writer = zip.finish().map_err(io::Error::other)?;
    writer.into_inner().map_err(|e| e.into_error())
}

/// Now, for the entries' dates (the zip format's default is 1980).
fn zip_time() -> zip::DateTime {
    let (year, month, day, hour, minute, second) = super::civil(super::now_secs());
    u16::try_from(year)
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                month as u8,
                day as u8,
                hour as u8,
                minute as u8,
                second as u8,
            )
            .ok()
        })
        .unwrap_or_default()
}

fn write_tar_gz(file: File, entries: &[Entry]) -> io::Result<File> {
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    let mtime = super::now_secs();
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_size(entry.text.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(mtime);
        header.set_entry_type(tar::EntryType::Regular);
        tar.append_data(&mut header, &entry.name, entry.text.as_bytes())?;
    }
    let gz = tar.into_inner()?;
    let writer = gz.finish()?;
    writer.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_extension() {
        assert_eq!(Format::of(Path::new("/tmp/a.ZIP")), Some(Format::Zip));
        assert_eq!(Format::of(Path::new("a.tar.gz")), Some(Format::TarGz));
        assert_eq!(Format::of(Path::new("a.tgz")), Some(Format::TarGz));
        assert_eq!(Format::of(Path::new("a.tar")), None);
        assert_eq!(Format::of(Path::new("zip")), None);
    }
}
