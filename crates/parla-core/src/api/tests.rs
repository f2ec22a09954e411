//! The vocabulary as JSON: what clients send and read.

use super::*;
use serde_json::json;
use std::collections::BTreeMap;

#[test]
fn commands_parse_from_the_documented_json() {
    let dial: Command =
        serde_json::from_value(json!({"cmd":"dial","account":"alice","to":"sip:bob@127.0.0.1"}))
            .expect("dial");
    assert_eq!(
        dial,
        Command::Dial {
            account: Some(AccountId::new("alice")),
            to: "sip:bob@127.0.0.1".into(),
            identity: None,
            anonymous: false,
        }
    );
    let answer: Command = serde_json::from_value(json!({"cmd":"answer","call":3})).expect("answer");
    assert_eq!(answer, Command::Answer { call: CallId(3) });
    let decline: Command =
        serde_json::from_value(json!({"cmd":"decline","call":3,"reason":"busy"})).expect("decline");
    assert_eq!(
        decline,
        Command::Decline {
            call: CallId(3),
            reason: DeclineReason::Busy
        }
    );
    let quit: Command = serde_json::from_value(json!({"cmd":"quit"})).expect("quit");
    assert_eq!(quit, Command::Quit);
    let show: Command = serde_json::from_value(json!({"cmd":"show"})).expect("show");
    assert_eq!(show, Command::Show);
}

#[test]
fn transfer_command_and_event_have_the_documented_json() {
    let transfer: Command =
        serde_json::from_value(json!({"cmd":"transfer","call":3,"to":"sip:carol@example.com"}))
            .expect("transfer");
    assert_eq!(
        transfer,
        Command::Transfer {
            call: CallId(3),
            to: Some("sip:carol@example.com".into()),
            to_call: None,
        }
    );
    let attended: Command = serde_json::from_value(json!({"cmd":"transfer","call":3,"to_call":4}))
        .expect("attended transfer");
    assert_eq!(
        attended,
        Command::Transfer {
            call: CallId(3),
            to: None,
            to_call: Some(CallId(4)),
        }
    );
    let event = Event::Transfer {
        call: CallId(3),
        state: TransferState::Failed,
        code: Some(486),
        to_call: None,
        reversed: false,
    };
    assert_eq!(
        serde_json::to_value(&event).expect("json"),
        json!({"event":"transfer","call":3,"state":"failed","code":486})
    );
    let reversed = Event::Transfer {
        call: CallId(4),
        state: TransferState::Trying,
        code: Some(202),
        to_call: Some(CallId(3)),
        reversed: true,
    };
    assert_eq!(
        serde_json::to_value(&reversed).expect("json"),
        json!({"event":"transfer","call":4,"state":"trying","code":202,"to_call":3,"reversed":true})
    );
    assert_eq!(
        serde_json::to_value(ErrorKind::TransferFailed).expect("json"),
        json!("transfer_failed")
    );
}

#[test]
fn settings_commands_parse_from_the_documented_json() {
    let set: Command = serde_json::from_value(json!({"cmd":"set_account","account":{
        "id":"alice","username":"alice","password":"pw","domain":"127.0.0.1",
        "registrar":"sip:127.0.0.1:5060","transport":"udp"}}))
    .expect("set_account");
    let Command::SetAccount { account } = &set else {
        panic!("{set:?}")
    };
    assert_eq!(account.id, "alice");
    assert_eq!(account.password.as_deref(), Some("pw"));
    assert_eq!(account.expires, 600, "defaults fill the rest");
    assert!(!format!("{set:?}").contains("pw\""), "no password in Debug");
    assert!(serde_json::from_value::<Command>(
        json!({"cmd":"set_account","account":{"id":"a","usr":"a"}})
    )
    .is_err());

    let remove: Command = serde_json::from_value(json!({"cmd":"remove_account","account":"alice"}))
        .expect("remove_account");
    assert_eq!(
        remove,
        Command::RemoveAccount {
            account: AccountId::new("alice")
        }
    );
    let dnd: Command =
        serde_json::from_value(json!({"cmd":"set_do_not_disturb","on":true})).expect("dnd");
    assert_eq!(dnd, Command::SetDoNotDisturb { on: true });
    let audio: Command = serde_json::from_value(
        json!({"cmd":"set_audio","audio":{"input":"null","output":"file:/tmp/o.wav"}}),
    )
    .expect("set_audio");
    let Command::SetAudio { audio } = audio else {
        panic!("{audio:?}")
    };
    assert_eq!(audio.output, "file:/tmp/o.wav");
    assert_eq!(audio.opus_bitrate, 32_000);
    assert!(serde_json::from_value::<Command>(json!({"cmd":"set_do_not_disturb"})).is_err());
}

#[test]
fn settings_events_serialise_to_the_documented_json() {
    let refused = Event::CallRefused {
        account: AccountId::new("alice"),
        from: "sip:bob@127.0.0.1".into(),
        name: Some("Bob".into()),
        reason: RefusalReason::DoNotDisturb,
        forwarded_to: None,
    };
    assert_eq!(
        serde_json::to_value(&refused).expect("json"),
        json!({"event":"call_refused","account":"alice","from":"sip:bob@127.0.0.1",
               "name":"Bob","reason":"do_not_disturb"})
    );
    let status = Event::Status {
        accounts: vec![],
        calls: vec![],
        do_not_disturb: true,
    };
    assert_eq!(
        serde_json::to_value(&status).expect("json"),
        json!({"event":"status","accounts":[],"calls":[],"do_not_disturb":true})
    );
}

#[test]
fn contact_names_and_blocked_refusals_serialise_to_the_documented_json() {
    let refused = Event::CallRefused {
        account: AccountId::new("alice"),
        from: "sip:2003@127.0.0.1".into(),
        name: Some("Spam Caller".into()),
        reason: RefusalReason::Blocked,
        forwarded_to: None,
    };
    assert_eq!(
        serde_json::to_value(&refused).expect("json"),
        json!({"event":"call_refused","account":"alice","from":"sip:2003@127.0.0.1",
               "name":"Spam Caller","reason":"blocked"})
    );
    let calling = Event::CallState {
        call: CallId(2),
        state: CallState::Calling,
        account: Some(AccountId::new("alice")),
        remote: Some("sip:2002@127.0.0.1".into()),
        name: Some("Bob Builder".into()),
        reason: None,
        code: None,
        transferred_from: None,
        replaces: None,
    };
    assert_eq!(
        serde_json::to_value(&calling).expect("json"),
        json!({"event":"call_state","call":2,"state":"calling","account":"alice",
               "remote":"sip:2002@127.0.0.1","name":"Bob Builder"})
    );
}

#[test]
fn unknown_fields_and_commands_are_refused() {
    assert!(serde_json::from_value::<Command>(json!({"cmd":"dial","to":"x","tó":1})).is_err());
    assert!(serde_json::from_value::<Command>(json!({"cmd":"explode"})).is_err());
    assert!(serde_json::from_value::<Command>(json!({"cmd":"answer","call":"x"})).is_err());
}

#[test]
fn events_serialise_to_the_documented_json() {
    let reg = Event::Registration {
        account: AccountId::new("alice"),
        state: RegistrationState::Registered,
        code: None,
        reason: None,
        expires: None,
    };
    assert_eq!(
        serde_json::to_value(&reg).expect("json"),
        json!({"event":"registration","account":"alice","state":"registered"})
    );
    let ended = Event::call_ended(CallId(7), "remote hangup", Some(200));
    assert_eq!(
        serde_json::to_value(&ended).expect("json"),
        json!({"event":"call_state","call":7,"state":"ended","reason":"remote hangup","code":200})
    );
    let incoming = Event::IncomingCall {
        call: CallId(1),
        account: AccountId::new("alice"),
        from: "sip:carol@127.0.0.1".into(),
        name: None,
    };
    assert_eq!(
        serde_json::to_value(&incoming).expect("json"),
        json!({"event":"incoming_call","call":1,"account":"alice","from":"sip:carol@127.0.0.1"})
    );
}

#[test]
fn device_commands_parse_from_the_documented_json() {
    let list: Command =
        serde_json::from_value(json!({"cmd":"list_devices"})).expect("list_devices");
    assert_eq!(list, Command::ListDevices);
    let output_only: Command =
        serde_json::from_value(json!({"cmd":"set_call_devices","call":3,"output":"headset"}))
            .expect("set_call_devices");
    assert_eq!(
        output_only,
        Command::SetCallDevices {
            call: CallId(3),
            input: None,
            output: Some("headset".into())
        }
    );
    let both: Command = serde_json::from_value(
        json!({"cmd":"set_call_devices","call":3,"input":"default","output":"default"}),
    )
    .expect("both");
    assert!(matches!(
        both,
        Command::SetCallDevices {
            input: Some(_),
            output: Some(_),
            ..
        }
    ));
    assert!(
        serde_json::from_value::<Command>(json!({"cmd":"set_call_devices","output":"x"})).is_err(),
        "a call is needed"
    );
    let echo: Command = serde_json::from_value(json!({"cmd":"echo_test"})).expect("echo_test");
    assert_eq!(
        echo,
        Command::EchoTest {
            stop: false,
            codec: None
        }
    );
    let through_g711: Command =
        serde_json::from_value(json!({"cmd":"echo_test","codec":"pcmu"})).expect("pcmu");
    assert_eq!(
        through_g711,
        Command::EchoTest {
            stop: false,
            codec: Some(crate::sdp::Codec::Pcmu)
        }
    );
    assert!(
        serde_json::from_value::<Command>(json!({"cmd":"echo_test","codec":"gsm"})).is_err(),
        "a codec Parla does not have"
    );
}

#[test]
fn device_events_serialise_to_the_documented_json() {
    let devices = Event::Devices {
        inputs: vec!["default".into(), "hw:CARD=PCH,DEV=0".into()],
        outputs: vec!["default".into()],
        labels: BTreeMap::from([(
            "hw:CARD=PCH,DEV=0".into(),
            "HDA Intel PCH, ALC3246 Analog".into(),
        )]),
    };
    let json = json!({
        "event": "devices",
        "inputs": ["default", "hw:CARD=PCH,DEV=0"],
        "outputs": ["default"],
        "labels": {"hw:CARD=PCH,DEV=0": "HDA Intel PCH, ALC3246 Analog"}
    });
    assert_eq!(serde_json::to_value(&devices).expect("json"), json);
    assert_eq!(
        serde_json::from_value::<Event>(json).expect("event"),
        devices
    );
    // From an engine that labels nothing: no `labels` key, and it reads back empty.
    let unlabelled = json!({"event":"devices","inputs":["default"],"outputs":["default"]});
    let event = Event::Devices {
        inputs: vec!["default".into()],
        outputs: vec!["default".into()],
        labels: BTreeMap::new(),
    };
    assert_eq!(serde_json::to_value(&event).expect("json"), unlabelled);
    assert_eq!(
        serde_json::from_value::<Event>(unlabelled).expect("event"),
        event
    );
    let moved = Event::CallDevices {
        call: CallId(3),
        input: "default".into(),
        output: "headset_out".into(),
    };
    assert_eq!(
        serde_json::to_value(&moved).expect("json"),
        json!({"event":"call_devices","call":3,"input":"default","output":"headset_out"})
    );
    let level = Event::Level { input: 0.5 };
    assert_eq!(
        serde_json::to_value(&level).expect("json"),
        json!({"event":"level","input":0.5})
    );
}
