//! Proves the bench's message-waiting server works (RFC 3842 through Kamailio's presence_mwi):
//! a SIPp UA subscribes to its mailbox with digest auth, a PUBLISH feeds 2/8, the UA gets a
//! NOTIFY with `Voice-Message: 2/8`, refreshes and unsubscribes in the dialog.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

use std::time::{Duration, Instant};

use parla_testbench::{
    pid_exists, process_group_exists, Kamailio, KamailioOptions, Result, Sipp, SippOptions,
};

const T: Duration = Duration::from_secs(10);

fn presence_server() -> Result<Kamailio> {
    Kamailio::start(KamailioOptions {
        presence: true,
        ..KamailioOptions::with_users(&[("alice", "alicepw"), ("bob", "bobpw")])
    })
}

fn assert_gone(pids: &[u32]) {
    for &pid in pids {
        assert!(!pid_exists(pid), "process {pid} still exists");
        assert!(
            !process_group_exists(pid),
            "process group {pid} still exists"
        );
    }
}

/// The SIP messages SIPp received (`-trace_msg` blocks "... message received ...").
fn received(messages: &str) -> Vec<String> {
    messages
        .split("----------------------------------------------- ")
        .filter(|block| block.contains("message received"))
        .map(|block| block.to_string())
        .collect()
}

fn received_notifies(sipp: &Sipp) -> Vec<String> {
    received(&sipp.messages())
        .into_iter()
        .filter(|m| m.contains("NOTIFY sip:"))
        .collect()
}

#[test]
fn subscriber_gets_published_message_summary() -> Result<()> {
    let started = Instant::now();
    let k = presence_server()?;

    let mut sub = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", k.sip_port())),
        service: Some("alice".into()),
        auth: Some(("alice".into(), "alicepw".into())),
        timeout: Duration::from_secs(15),
        ..SippOptions::bench("mwi_subscribe")
    })?;

    // The first NOTIFY (nothing published yet) says the subscription is active.
    let deadline = Instant::now() + T;
    while received_notifies(&sub).is_empty() {
        assert!(
            Instant::now() < deadline,
            "no first NOTIFY\n{}",
            sub.diagnostics()
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    k.publish_mwi("alice", 2, 8)?;
    let status = sub.wait(T)?;
    assert!(status.success(), "{}", sub.diagnostics());

    let notifies = received_notifies(&sub);
    for n in &notifies {
        eprintln!("NOTIFY received by the subscriber:\n{n}");
    }
    // first (no body), after the PUBLISH, after the refresh, after the unsubscribe
    assert_eq!(notifies.len(), 4, "{}", sub.diagnostics());
    assert!(notifies
        .iter()
        .all(|n| n.contains("Event: message-summary")));
    assert!(notifies[0].contains("Subscription-State: active"));
    assert!(!notifies[0].contains("Voice-Message:"));
    for n in &notifies[1..] {
        assert!(
            n.contains("Content-Type: application/simple-message-summary"),
            "{n}"
        );
        assert!(n.contains("Messages-Waiting: yes"), "{n}");
        assert!(n.contains("Voice-Message: 2/8"), "{n}");
        assert!(
            n.contains(&format!("Message-Account: {}", k.user_uri("alice"))),
            "{n}"
        );
    }
    assert!(notifies[1].contains("Subscription-State: active"));
    assert!(notifies[2].contains("Subscription-State: active"));
    assert!(notifies[3].contains("Subscription-State: terminated"));

    // 407 first, then with credentials; refresh and unsubscribe in the dialog.
    let replies: Vec<String> = received(&sub.messages())
        .into_iter()
        .filter(|m| m.contains("SIP/2.0 "))
        .collect();
    assert!(replies[0].contains("SIP/2.0 407"), "{}", replies[0]);
    assert!(replies[1].contains("SIP/2.0 200"), "{}", replies[1]);
    assert_eq!(k.count_requests("SUBSCRIBE", "alice")?, 4);
    assert_eq!(k.count_requests("PUBLISH", "voicemail")?, 1);

    let pids = [k.pid(), sub.pid()];
    drop((sub, k));
    assert_gone(&pids);
    eprintln!("took {:?}", started.elapsed());
    Ok(())
}

#[test]
fn later_publish_replaces_the_mailbox_state() -> Result<()> {
    let k = presence_server()?;
    // The second PUBLISH modifies the first (SIP-If-Match): subscribers see only 0/3.
    k.publish_mwi("bob", 1, 2)?;
    k.publish_mwi("bob", 0, 3)?;
    let mut sub = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", k.sip_port())),
        service: Some("bob".into()),
        auth: Some(("bob".into(), "bobpw".into())),
        timeout: Duration::from_secs(15),
        ..SippOptions::bench("mwi_subscribe")
    })?;
    assert!(sub.wait(T)?.success(), "{}", sub.diagnostics());
    let notifies = received_notifies(&sub);
    // the first NOTIFY already has the state; refresh, unsubscribe
    assert_eq!(notifies.len(), 3, "{}", sub.diagnostics());
    for n in &notifies {
        assert!(n.contains("Messages-Waiting: no"), "{n}");
        assert!(n.contains("Voice-Message: 0/3"), "{n}");
        assert!(!n.contains("Voice-Message: 1/2"), "{n}");
    }
    let pids = [k.pid(), sub.pid()];
    drop((sub, k));
    assert_gone(&pids);
    Ok(())
}

#[test]
fn unsolicited_notify_scenario_takes_any_final_answer() -> Result<()> {
    let k = presence_server()?;
    let keys = [
        "-key",
        "new",
        "1",
        "-key",
        "old",
        "0",
        "-key",
        "waiting",
        "yes",
        "-key",
        "account",
        "sip:bob@127.0.0.1",
    ];
    // From 127.0.0.2 (a foreign domain) to an unregistered local user: 404.
    let mut notify = Sipp::start(SippOptions {
        remote: Some(format!("127.0.0.1:{}", k.sip_port())),
        service: Some("bob".into()),
        extra_args: keys
            .iter()
            .map(|s| s.to_string())
            .chain(["-i".to_string(), "127.0.0.2".to_string()])
            .collect(),
        ..SippOptions::bench("mwi_unsolicited_notify")
    })?;
    assert!(notify.wait(T)?.success(), "{}", notify.diagnostics());
    let messages = notify.messages();
    assert!(
        messages.contains("Via: SIP/2.0/UDP 127.0.0.2:"),
        "{messages}"
    );
    assert!(messages.contains("SIP/2.0 404"), "{messages}");
    let pids = [k.pid(), notify.pid()];
    drop((notify, k));
    assert_gone(&pids);
    Ok(())
}
