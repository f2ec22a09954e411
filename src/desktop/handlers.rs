//! Making Parla the handler of `tel:`, `sip:`, `sips:` and `callto:` links (a freedesktop desktop
//! entry and `xdg-mime`), and starting it at login (an XDG autostart entry).

use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

const DESKTOP_ENTRY: &str = include_str!("../../assets/parla.desktop");
/// One file of `assets/icons/hicolor/`, embedded.
macro_rules! icon {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!("../../assets/icons/hicolor/", $path)),
        )
    };
}
/// The app icon in the hicolor theme layout, so that the entry's `Icon=parla` resolves for an
/// install that no package put in /usr/share/icons: (path under `icons/hicolor/`, contents).
const ICONS: [(&str, &[u8]); 8] = [
    icon!("scalable/apps/parla.svg"),
    icon!("16x16/apps/parla.png"),
    icon!("24x24/apps/parla.png"),
    icon!("32x32/apps/parla.png"),
    icon!("48x48/apps/parla.png"),
    icon!("64x64/apps/parla.png"),
    icon!("128x128/apps/parla.png"),
    icon!("256x256/apps/parla.png"),
];
const ENTRY_NAME: &str = "parla.desktop";
pub const SCHEMES: [&str; 4] = ["tel", "sip", "sips", "callto"];
const XDG_MIME: &str = "xdg-mime";
const UPDATE_DESKTOP_DATABASE: &str = "update-desktop-database";

#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error("no home folder: set HOME (or XDG_DATA_HOME and XDG_CONFIG_HOME)")]
    NoHome,
    #[error("cannot find this program's own path: {0}")]
    NoExecutable(#[source] io::Error),
    #[error("this program's path {0} cannot be written into a desktop entry")]
    UnsuitablePath(PathBuf),
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error(
        "xdg-mime is not installed (package xdg-utils): {entry} is written, but Parla is not \
         the handler of tel: and sip: links yet"
    )]
    XdgMimeMissing { entry: PathBuf },
    #[error("cannot run xdg-mime: {0}")]
    XdgMimeRun(#[source] io::Error),
    #[error("`xdg-mime default {ENTRY_NAME} {mime}` failed ({status}): {stderr}")]
    XdgMimeFailed {
        mime: String,
        status: std::process::ExitStatus,
        stderr: String,
    },
}

/// The per-user folders desktop entries go in.
#[derive(Debug, Clone)]
pub struct DesktopDirs {
    /// `$XDG_DATA_HOME`, else `~/.local/share`: `applications/` is in it.
    pub data_home: PathBuf,
    /// `$XDG_CONFIG_HOME`, else `~/.config`: `autostart/` and `mimeapps.list` are in it.
    pub config_home: PathBuf,
}

impl DesktopDirs {
    pub fn from_env() -> Result<DesktopDirs, HandlerError> {
        let dirs = directories::BaseDirs::new().ok_or(HandlerError::NoHome)?;
        Ok(DesktopDirs {
            data_home: dirs.data_dir().to_path_buf(),
            config_home: dirs.config_dir().to_path_buf(),
        })
    }

    fn applications(&self) -> PathBuf {
        self.data_home.join("applications")
    }

    fn hicolor(&self) -> PathBuf {
        self.data_home.join("icons").join("hicolor")
    }

    fn autostart_entry(&self) -> PathBuf {
        self.config_home.join("autostart").join(ENTRY_NAME)
    }
}

/// What `--register-handlers` did.
#[derive(Debug)]
pub struct Registered {
    pub entry: PathBuf,
    /// `update-desktop-database` ran; false when it is not installed or failed (harmless:
    /// desktops also read the entry directly).
    pub database_updated: bool,
}

/// `parla --register-handlers`: installs the desktop entry (running this very program) and makes
/// it the default for the link types.
pub fn register_handlers() -> Result<Registered, HandlerError> {
    let exe = std::env::current_exe().map_err(HandlerError::NoExecutable)?;
    register_with(&DesktopDirs::from_env()?, &exe, XDG_MIME)
}

/// Writes (`true`) or removes (`false`) the autostart entry, which starts Parla minimised.
#[cfg_attr(not(feature = "gui"), allow(dead_code))] // the settings' "start at login"
pub fn set_start_at_login(enabled: bool) -> Result<(), HandlerError> {
    let dirs = DesktopDirs::from_env()?;
    if enabled {
        let exe = std::env::current_exe().map_err(HandlerError::NoExecutable)?;
        write_autostart(&dirs, &exe)
    } else {
        remove_autostart(&dirs)
    }
}

fn register_with(
    dirs: &DesktopDirs,
    exe: &Path,
    xdg_mime: &str,
) -> Result<Registered, HandlerError> {
    let applications = dirs.applications();
    let entry = applications.join(ENTRY_NAME);
    install_icons(dirs)?;
    write_file(&entry, desktop_entry(exe, "%u", false)?.as_bytes())?;
    for scheme in SCHEMES {
        let mime = format!("x-scheme-handler/{scheme}");
        let output = tool(xdg_mime, dirs)
            .args(["default", ENTRY_NAME, &mime])
            .output();
        let output = match output {
            Ok(output) => output,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(HandlerError::XdgMimeMissing { entry })
            }
            Err(e) => return Err(HandlerError::XdgMimeRun(e)),
        };
        if !output.status.success() {
            return Err(HandlerError::XdgMimeFailed {
                mime,
                status: output.status,
                stderr: String::from_utf8_lossy(&output.stderr).trim().to_string(),
            });
        }
    }
    let database_updated = match tool(UPDATE_DESKTOP_DATABASE, dirs)
        .arg(&applications)
        .output()
    {
        Ok(output) => output.status.success(),
        Err(e) => {
            tracing::debug!(error = %e, "update-desktop-database did not run");
            false
        }
    };
    Ok(Registered {
        entry,
        database_updated,
    })
}

/// A desktop tool run on these folders (the same as the environment's, unless a test says).
fn tool(program: &str, dirs: &DesktopDirs) -> Command {
    let mut command = Command::new(program);
    command
        .env("XDG_DATA_HOME", &dirs.data_home)
        .env("XDG_CONFIG_HOME", &dirs.config_home);
    command
}

fn write_autostart(dirs: &DesktopDirs, exe: &Path) -> Result<(), HandlerError> {
    write_file(
        &dirs.autostart_entry(),
        desktop_entry(exe, "--minimised", true)?.as_bytes(),
    )
}

/// Writes the app icon into `$XDG_DATA_HOME/icons/hicolor/` (every size, replacing older ones).
fn install_icons(dirs: &DesktopDirs) -> Result<(), HandlerError> {
    let hicolor = dirs.hicolor();
    for (path, contents) in ICONS {
        write_file(&hicolor.join(path), contents)?;
    }
    Ok(())
}

fn remove_autostart(dirs: &DesktopDirs) -> Result<(), HandlerError> {
    let path = dirs.autostart_entry();
    match std::fs::remove_file(&path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => {
            Err(HandlerError::Remove { path, source: e })
        }
        _ => Ok(()),
    }
}

/// The shipped entry with `Exec` running `exe`; an autostart entry declares no link types.
fn desktop_entry(exe: &Path, arguments: &str, autostart: bool) -> Result<String, HandlerError> {
    let exec = format!("Exec={} {arguments}", exec_quote(exe)?);
    let mut entry = String::with_capacity(DESKTOP_ENTRY.len() + exec.len());
    for line in DESKTOP_ENTRY.lines() {
        if line.starts_with("Exec=") {
            entry.push_str(&exec);
        } else if autostart && line.starts_with("MimeType=") {
            continue;
        } else {
            entry.push_str(line);
        }
        entry.push('\n');
    }
    if autostart {
        entry.push_str("X-GNOME-Autostart-enabled=true\n");
    }
    Ok(entry)
}

/// The program path as the Desktop Entry spec wants it in `Exec`: `%` doubled, and quoted when
/// it has reserved characters. Inside quotes `"`, `` ` ``, `$` and `\` take a backslash, and
/// every backslash is then doubled again because the value is a spec "string".
fn exec_quote(exe: &Path) -> Result<String, HandlerError> {
    let unsuitable = || HandlerError::UnsuitablePath(exe.to_path_buf());
    let path = exe.to_str().ok_or_else(unsuitable)?;
    if path.is_empty() || path.chars().any(char::is_control) {
        return Err(unsuitable());
    }
    let path = path.replace('%', "%%");
    let reserved = |c: char| c.is_whitespace() || "\"'\\><~|&;$*?#()`".contains(c);
    if !path.chars().any(reserved) {
        return Ok(path);
    }
    let mut quoted = String::with_capacity(path.len() + 8);
    quoted.push('"');
    for c in path.chars() {
        match c {
            '"' | '`' | '$' => {
                quoted.push_str(r"\\");
                quoted.push(c);
            }
            '\\' => quoted.push_str(r"\\\\"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    Ok(quoted)
}

/// Written beside the target and renamed over it: a reader never sees half an entry.
fn write_file(path: &Path, contents: &[u8]) -> Result<(), HandlerError> {
    let write_error = |source| HandlerError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_error)?;
    }
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, contents).map_err(write_error)?;
    std::fs::rename(&temporary, path).map_err(write_error)
}

#[cfg(test)]
mod tests;
