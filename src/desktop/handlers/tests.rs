//! Run against the real freedesktop tools (xdg-utils, desktop-file-utils) in a throw-away home.

use super::*;
use std::process::Output;

struct Home {
    _root: tempfile::TempDir,
    home: PathBuf,
    dirs: DesktopDirs,
}

fn home() -> Home {
    let root = tempfile::tempdir().expect("temp dir");
    let home = root.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let dirs = DesktopDirs {
        data_home: root.path().join("data"),
        config_home: root.path().join("config"),
    };
    Home {
        _root: root,
        home,
        dirs,
    }
}

/// A program that exists, so that xdg-mime accepts the entry as runnable.
fn this_exe() -> PathBuf {
    std::env::current_exe().expect("test executable")
}

fn run(home: &Home, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env("HOME", &home.home)
        .env("XDG_DATA_HOME", &home.dirs.data_home)
        .env("XDG_CONFIG_HOME", &home.dirs.config_home)
        .env_remove("XDG_CURRENT_DESKTOP")
        .env_remove("DESKTOP_SESSION")
        .output()
        .unwrap_or_else(|e| panic!("{program} (scripts/install-test-deps.sh installs it): {e}"))
}

fn assert_valid_entry(home: &Home, path: &Path) {
    let path = path.to_str().expect("utf-8 path");
    let out = run(home, "desktop-file-validate", &[path]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && !report.contains("error"),
        "desktop-file-validate {path}: {report}"
    );
}

#[test]
fn registering_installs_a_valid_entry_and_becomes_the_link_handler() {
    let home = home();
    let exe = this_exe();
    let registered = register_with(&home.dirs, &exe, XDG_MIME).expect("register");
    assert_eq!(
        registered.entry,
        home.dirs.data_home.join("applications/parla.desktop")
    );
    let entry = std::fs::read_to_string(&registered.entry).expect("entry");
    assert!(
        entry.contains(&format!("\nExec={} %u\n", exe.display())),
        "{entry}"
    );
    assert!(entry.contains("x-scheme-handler/callto;"), "{entry}");
    assert_valid_entry(&home, &registered.entry);
    for scheme in SCHEMES {
        let mime = format!("x-scheme-handler/{scheme}");
        let out = run(&home, "xdg-mime", &["query", "default", &mime]);
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "parla.desktop",
            "{mime}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(registered.database_updated, "update-desktop-database ran");
    assert!(entry.contains("\nIcon=parla\n"), "{entry}");
    let hicolor = home.dirs.data_home.join("icons/hicolor");
    for size in [16, 24, 32, 48, 64, 128, 256] {
        let png = hicolor.join(format!("{size}x{size}/apps/parla.png"));
        let bytes = std::fs::read(&png).unwrap_or_else(|e| panic!("{}: {e}", png.display()));
        assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", png.display());
    }
    let svg = std::fs::read_to_string(hicolor.join("scalable/apps/parla.svg")).expect("svg");
    assert!(svg.contains("<svg"), "{svg}");
    assert!(home
        .dirs
        .data_home
        .join("applications/mimeinfo.cache")
        .is_file());
}

#[test]
fn a_missing_xdg_mime_is_reported_after_writing_the_entry() {
    let home = home();
    let err = register_with(&home.dirs, &this_exe(), "parla-test-no-such-xdg-mime")
        .expect_err("no xdg-mime");
    assert!(
        matches!(&err, HandlerError::XdgMimeMissing { entry } if entry.is_file()),
        "{err:?}"
    );
    assert!(err.to_string().contains("xdg-utils"), "{err}");
}

#[test]
fn start_at_login_writes_and_removes_the_autostart_entry() {
    let home = home();
    let path = home.dirs.config_home.join("autostart/parla.desktop");
    write_autostart(&home.dirs, &this_exe()).expect("enable");
    let entry = std::fs::read_to_string(&path).expect("autostart entry");
    assert!(
        entry.contains(&format!("\nExec={} --minimised\n", this_exe().display())),
        "{entry}"
    );
    assert!(!entry.contains("MimeType"), "{entry}");
    assert_valid_entry(&home, &path);
    remove_autostart(&home.dirs).expect("disable");
    assert!(!path.exists());
    remove_autostart(&home.dirs).expect("disabling twice is fine");
}

#[test]
fn awkward_program_paths_are_quoted_as_the_spec_says() {
    let quote = |p: &str| exec_quote(Path::new(p)).expect(p);
    assert_eq!(quote("/usr/bin/parla"), "/usr/bin/parla");
    assert_eq!(quote("/opt/100%/parla"), "/opt/100%%/parla");
    assert_eq!(quote("/opt/My Apps/parla"), r#""/opt/My Apps/parla""#);
    assert_eq!(quote("/opt/$x/pa\"rla"), r#""/opt/\\$x/pa\\"rla""#);
    assert_eq!(quote(r"/opt/a\b/parla"), r#""/opt/a\\\\b/parla""#);
    assert!(exec_quote(Path::new("/opt/new\nline")).is_err());

    let home = home();
    let path = home.dirs.data_home.join("applications/parla.desktop");
    let entry = desktop_entry(Path::new("/opt/My Apps/$parla"), "%u", false).expect("entry");
    write_file(&path, entry.as_bytes()).expect("write");
    assert_valid_entry(&home, &path);
}

#[test]
fn the_installed_icons_are_every_file_of_the_shipped_theme_folder() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icons/hicolor");
    let mut on_disk = Vec::new();
    for size in std::fs::read_dir(&shipped).expect("assets/icons/hicolor") {
        let apps = size.expect("entry").path().join("apps");
        for file in std::fs::read_dir(&apps).expect("apps") {
            let path = file.expect("file").path();
            let relative = path.strip_prefix(&shipped).expect("under hicolor");
            on_disk.push(relative.to_str().expect("utf-8").to_string());
        }
    }
    on_disk.sort();
    let mut embedded: Vec<String> = ICONS.iter().map(|(path, _)| path.to_string()).collect();
    embedded.sort();
    assert_eq!(
        embedded, on_disk,
        "ICONS and scripts/render-icons.sh disagree"
    );
    for (path, contents) in ICONS {
        assert_eq!(
            std::fs::read(shipped.join(path)).expect(path),
            contents,
            "{path}"
        );
    }
}

#[test]
fn registering_again_replaces_the_icons() {
    let home = home();
    let png = home
        .dirs
        .data_home
        .join("icons/hicolor/48x48/apps/parla.png");
    std::fs::create_dir_all(png.parent().expect("dir")).expect("dir");
    std::fs::write(&png, b"old").expect("old icon");
    install_icons(&home.dirs).expect("install");
    install_icons(&home.dirs).expect("install again");
    assert!(std::fs::read(&png).expect("icon").starts_with(b"\x89PNG"));
    let leftovers: Vec<_> = std::fs::read_dir(png.parent().expect("dir"))
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name() != "parla.png")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}
