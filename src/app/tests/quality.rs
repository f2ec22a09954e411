//! The call's estimated quality and the microphone's processing: a `quality` event's MOS sets
//! the call screen's level and figure, a history row shows the MOS of a call that has one,
//! and the three processing switches on the Audio page reach the engine and the file.

use super::*;
use crate::app::calls::QualityLevel;
use crate::screen::settings::{Processing, Section};
use crate::screen::{history, settings};
use parla_core::store::{CallRecord, CallResult, Direction, HistoryEntry, HistoryId};
use std::time::{Duration, SystemTime};

fn draw(h: &Harness) {
    let main = h.app.main_window.expect("main window");
    let _ = h.app.view(main);
}

fn quality(call: CallId, mos: Option<f32>) -> Event {
    Event::Quality {
        call,
        jitter_ms: 4.0,
        target_delay_ms: 40,
        lost: 0,
        late: 0,
        concealed: 0,
        remote_loss_percent: None,
        rtt_ms: Some(30.0),
        mos,
    }
}

#[test]
fn the_call_screen_shows_the_level_of_the_mos_and_the_figure() {
    let mut h = Harness::with_line("work");
    let call = CallId(3);
    h.event(Event::call_state(call, CallState::Connected));
    h.event(quality(call, Some(4.38)));
    let view = h.app.calls.get(call).expect("the call");
    assert_eq!(view.quality, Some(QualityLevel::Good));
    assert_eq!(view.mos, Some(4.38));
    draw(&h);
    h.event(quality(call, Some(3.2)));
    assert_eq!(
        h.app.calls.get(call).and_then(|c| c.quality),
        Some(QualityLevel::Poor)
    );
    assert_eq!(calls::mos_text(&h.app.i18n, 3.2), "MOS 3.2");
    h.send(Message::Settings(settings::Msg::Language(Language::Dutch)));
    assert_eq!(calls::mos_text(&h.app.i18n, 3.2), "MOS 3,2");
    draw(&h);
}

fn entry(mos: Option<f32>) -> HistoryEntry {
    let started = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    HistoryEntry {
        id: HistoryId(4),
        call: CallRecord {
            account: "work".into(),
            direction: Direction::Incoming,
            remote_uri: "sip:201@pbx.example.com".into(),
            number: "201".into(),
            display_name: String::new(),
            started,
            answered: Some(started),
            ended: started + Duration::from_secs(95),
            result: CallResult::Answered,
            reason: String::new(),
        },
        e164: None,
        name: "Bob".into(),
        contact: None,
        seen: true,
        voicemail: None,
        recording: None,
        mos,
    }
}

#[test]
fn a_history_row_shows_the_mos_of_a_call_that_has_one() {
    let mut h = Harness::with_line("work");
    h.send(Message::Tab(Tab::History));
    let request = h.sent().iter().find_map(|c| match c {
        Command::ListHistory { request, .. } => *request,
        _ => None,
    });
    h.event(Event::History {
        request,
        calls: vec![entry(Some(4.27)), entry(None)],
    });
    let rows = &h.app.history.entries;
    assert_eq!(rows[0].mos, Some(4.27));
    let now = chrono::Local::now().naive_local();
    let with = history::details(&rows[0], "Bob", now, &h.app.i18n);
    assert_eq!(with.last().map(String::as_str), Some("MOS 4.3"), "{with:?}");
    assert!(with.contains(&"1:35".to_string()), "{with:?}");
    let without = history::details(&rows[1], "Bob", now, &h.app.i18n);
    assert!(!without.iter().any(|d| d.contains("MOS")), "{without:?}");
    draw(&h);
}

#[test]
fn the_processing_switches_reach_the_engine_and_the_file() {
    let mut h = Harness::with_line("work");
    h.send(Message::Tab(Tab::Settings));
    h.send(Message::Settings(settings::Msg::Section(Section::Audio)));
    draw(&h);
    assert!(h.app.config.audio.echo_cancellation, "on by default");
    h.sent();
    let steps = [
        Processing::EchoCancellation,
        Processing::NoiseSuppression,
        Processing::AutoGain,
    ];
    for step in steps {
        h.send(Message::Settings(settings::Msg::Processing(step, false)));
        let audio = h.sent().into_iter().find_map(|c| match c {
            Command::SetAudio { audio } => Some(audio),
            _ => None,
        });
        let audio = audio.expect("the engine hears of it");
        assert_eq!(audio, h.app.config.audio);
    }
    let audio = &h.app.config.audio;
    assert!(!audio.echo_cancellation && !audio.noise_suppression && !audio.auto_gain);
    draw(&h);
    h.send(Message::Settings(settings::Msg::Processing(
        Processing::NoiseSuppression,
        true,
    )));
    h.app.config_writer.flush();
    let file = std::fs::read_to_string(h.profile.path().join("config.toml")).expect("saved");
    let saved = Config::parse(&file).expect("saved file loads");
    assert!(!saved.audio.echo_cancellation);
    assert!(saved.audio.noise_suppression);
    assert!(!saved.audio.auto_gain);
}
