//! `config/parla.toml`, the commented example of every setting, against the real config
//! structs and loader: it loads, its uncommented values are the defaults (apart from the line's
//! id, user and domain), its commented examples are keys Parla knows with values of the right
//! type, and it names every key the structs have (found from serde itself, so a field added
//! later fails here until the example shows it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::collections::BTreeSet;

use parla_core::config::{AccountConfig, AppConfig, AudioConfig, Config};

const EXAMPLE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../config/parla.toml"
));

/// The example with every `# key = value` and `# [table]` line uncommented.
fn uncommented() -> String {
    EXAMPLE
        .lines()
        .map(|line| match line.strip_prefix("# ") {
            Some(rest) if is_setting(rest) => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `key = value` or `[table]`: a setting line, not prose.
fn is_setting(line: &str) -> bool {
    if line.starts_with('[') {
        return true;
    }
    line.split_once('=').is_some_and(|(key, _)| {
        let key = key.trim_end();
        !key.is_empty()
            && key == key.trim_start()
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    })
}

/// The field names serde knows for the table at `prefix`: an unknown key there is refused with
/// "unknown field `…`, expected one of `a`, `b`, …" (every struct has `deny_unknown_fields`).
fn known_keys(prefix: &str) -> BTreeSet<String> {
    let probe = format!("{prefix}\nparla_no_such_key = 1\n");
    let err = toml::from_str::<Config>(&probe).expect_err("an unknown key is refused");
    let message = err.to_string();
    let list = message
        .split_once("expected one of ")
        .or_else(|| message.split_once("expected "))
        .map(|(_, rest)| rest.lines().next().unwrap_or(""))
        .unwrap_or_else(|| panic!("no field list in {message:?}"));
    let keys: BTreeSet<String> = list
        .split(", ")
        .map(|k| k.trim().trim_matches('`').to_string())
        .collect();
    assert!(!keys.is_empty(), "no field names in {message:?}");
    keys
}

fn table_keys(value: &toml::Value) -> BTreeSet<String> {
    value.as_table().expect("a table").keys().cloned().collect()
}

#[test]
fn the_example_loads_with_the_real_loader() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(Config::FILE_NAME), EXAMPLE).unwrap();
    let config = Config::load_profile(dir.path()).expect("config/parla.toml loads");
    assert_eq!(config.accounts.len(), 1, "one example line");
}

#[test]
fn uncommented_values_are_the_defaults() {
    let config = Config::parse(EXAMPLE).expect("config/parla.toml parses");
    assert_eq!(
        config.app,
        AppConfig::default(),
        "[app] differs from the defaults"
    );
    assert_eq!(
        config.audio,
        AudioConfig::default(),
        "[audio] differs from the defaults"
    );
    let account = &config.accounts[0];
    let expected = AccountConfig {
        id: account.id.clone(),
        username: account.username.clone(),
        domain: account.domain.clone(),
        ..AccountConfig::default()
    };
    assert_eq!(
        account, &expected,
        "[[accounts]] differs from the defaults beyond id, username and domain"
    );
}

#[test]
fn commented_examples_are_known_keys_of_the_right_type() {
    // Types and key names only: `url` and `path` of the directory are alternatives, so the
    // fully uncommented file is not meant to pass the checks of `Config::parse`.
    let text = uncommented();
    let config: Config = toml::from_str(&text).unwrap_or_else(|e| {
        panic!("config/parla.toml with its examples uncommented does not parse: {e}")
    });
    let account = &config.accounts[0];
    assert!(
        account.directory.is_some(),
        "the commented [accounts.directory] example"
    );
    // Each alternative on its own is a valid setting.
    let mut with_url = account.clone();
    if let Some(directory) = with_url.directory.as_mut() {
        directory.path = None;
    }
    with_url
        .validate()
        .expect("the examples with the directory url");
    let mut with_path = account.clone();
    if let Some(directory) = with_path.directory.as_mut() {
        directory.url = None;
    }
    with_path
        .validate()
        .expect("the examples with the directory path");
    config.audio.validate().expect("[audio] examples");
}

#[test]
fn every_key_the_settings_know_is_in_the_example() {
    let file: toml::Value = toml::from_str(&uncommented()).expect("uncommented example parses");
    let account = &file["accounts"][0];
    let sections = [
        ("", table_keys(&file)),
        ("[app]", table_keys(&file["app"])),
        ("[audio]", table_keys(&file["audio"])),
        ("[[accounts]]", table_keys(account)),
        (
            "[[accounts]]\n[accounts.directory]",
            table_keys(&account["directory"]),
        ),
    ];
    for (prefix, in_file) in sections {
        let known = known_keys(prefix);
        let missing: Vec<_> = known.difference(&in_file).collect();
        assert!(
            missing.is_empty(),
            "config/parla.toml lacks {missing:?} in {:?}; every key needs its line (commented \
             out with an example when it has no default)",
            prefix.lines().last().unwrap_or("the top level")
        );
        let unknown: Vec<_> = in_file.difference(&known).collect();
        assert!(unknown.is_empty(), "unknown keys {unknown:?} in {prefix:?}");
    }
}
