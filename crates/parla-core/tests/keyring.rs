//! Passwords in a real Secret Service: gnome-keyring-daemon on a private session bus, both
//! started and stopped by the test. One test function: it points this process's
//! `DBUS_SESSION_BUS_ADDRESS` at different buses in turn, which tests running side by side in
//! one process must not do.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use parla_core::config::{AccountConfig, Config};
use parla_core::secrets::{self, OsKeyring, SecretError, SecretStore, SERVICE};
use parla_testbench::session_bus::SESSION_BUS_ENV;
use parla_testbench::{GnomeKeyring, SessionBus};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_live_in_the_keyring_and_not_in_the_file() {
    assert!(
        SessionBus::available() && GnomeKeyring::available(),
        "dbus-daemon, gnome-keyring or secret-tool missing: scripts/install-test-deps.sh installs them"
    );
    let profile = tempfile::tempdir().expect("profile");
    let other_profile = tempfile::tempdir().expect("second profile");

    {
        let bus = SessionBus::start().expect("session bus");
        let keyring = GnomeKeyring::start(&bus).expect("gnome-keyring");
        let _bus_env = bus.use_in_this_process();
        let store = OsKeyring::new(profile.path());
        let attrs = [("service", SERVICE), ("username", &store.user("work"))];
        // The store's calls block on D-Bus: off the async worker, as `secrets::call` does.
        tokio::task::block_in_place(|| {
            assert_eq!(store.get("work"), Ok(None));
            store.set("work", "s3cret pw").expect("set");
            assert_eq!(store.get("work"), Ok(Some("s3cret pw".into())));
            assert_eq!(
                keyring.lookup(&attrs).expect("secret-tool").as_deref(),
                Some("s3cret pw"),
                "the item is in gnome-keyring, where other clients find it"
            );
            store.set("work", "changed").expect("replace");
            assert_eq!(store.get("work"), Ok(Some("changed".into())));
            assert_eq!(
                OsKeyring::new(other_profile.path()).get("work"),
                Ok(None),
                "another profile has its own passwords"
            );
        });

        // Through the async wrapper, as the engine and the app call it.
        let shared: Arc<dyn SecretStore> = Arc::new(OsKeyring::new(profile.path()));
        let got = secrets::call(shared, |s| s.get("work")).await;
        assert_eq!(got, Ok(Some("changed".into())));

        let mut config = Config::default();
        config.accounts.push(AccountConfig {
            id: "work".into(),
            username: "2001".into(),
            domain: "sip.example.com".into(),
            password: Some("changed".into()),
            password_in_keyring: true,
            ..Default::default()
        });
        config.save_profile(profile.path()).expect("save");
        let text =
            std::fs::read_to_string(profile.path().join("config.toml")).expect("config.toml");
        assert!(!text.contains("changed"), "{text}");
        let loaded = Config::load_profile(profile.path()).expect("load");
        assert_eq!(loaded.accounts[0].password, None);

        tokio::task::block_in_place(|| {
            store.delete("work").expect("delete");
            assert_eq!(store.get("work"), Ok(None));
            assert_eq!(keyring.lookup(&attrs).expect("secret-tool"), None);
            store.delete("work").expect("deleting nothing is fine");
        });
    }

    // A bus with no Secret Service on it.
    {
        let bus = SessionBus::start().expect("session bus");
        let _bus_env = bus.use_in_this_process();
        let store: Arc<dyn SecretStore> = Arc::new(OsKeyring::new(profile.path()));
        let set = secrets::call(store.clone(), |s| s.set("work", "pw")).await;
        assert_eq!(set, Err(SecretError::Unavailable));
        let get = secrets::call(store, |s| s.get("work")).await;
        assert_eq!(get, Err(SecretError::Unavailable));
    }

    // No bus at all. Within the call's time bound: `Unavailable`, not `TimedOut`.
    std::env::set_var(SESSION_BUS_ENV, "unix:path=/nonexistent/parla-test-bus");
    let store: Arc<dyn SecretStore> = Arc::new(OsKeyring::new(profile.path()));
    let set = secrets::call(store.clone(), |s| s.set("work", "pw")).await;
    assert_eq!(set, Err(SecretError::Unavailable));
    assert_eq!(
        set.map_err(|e| e.to_string()),
        Err("no keyring is running (Secret Service): the password was not saved".into())
    );
}
