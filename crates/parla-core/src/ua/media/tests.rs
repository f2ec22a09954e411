//! The real call audio on `null` devices and loopback sockets (no sound device, no far end
//! needed: RTP goes to a socket nobody reads).

use super::*;
use parla_media::{RecordChannels, RecordFormat};
use std::net::{Ipv4Addr, UdpSocket};
use std::sync::mpsc;

fn negotiated(codec: Codec, payload_type: u8, clock_rate: u32, far: SocketAddr) -> NegotiatedMedia {
    NegotiatedMedia {
        remote_rtp: far,
        remote_rtcp: SocketAddr::new(far.ip(), far.port() + 1),
        codec,
        payload_type,
        recv_payload_type: payload_type,
        clock_rate,
        channels: if codec == Codec::Opus { 2 } else { 1 },
        telephone_event_pt: None,
        recv_telephone_event_pt: None,
        telephone_event_clock_rate: None,
        ptime_ms: 20,
        direction: Direction::SendRecv,
        remote_direction: Direction::SendRecv,
        remote_on_hold: false,
        srtp: None,
        opus_inband_fec: false,
    }
}

#[test]
fn a_codec_change_stops_the_recording_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("far socket");
    let far = far.local_addr().expect("far address");
    let (tx, events) = mpsc::channel();
    let sink = MediaEventSink::new(move |event| {
        let _ = tx.send(event);
    });
    let audio = AudioConfig {
        input: "null".into(),
        output: "null".into(),
        ..AudioConfig::default()
    };
    let mut media = CallMedia::bind(Ipv4Addr::LOCALHOST.into(), audio, sink).expect("bind");
    media
        .apply(&negotiated(Codec::Pcmu, 0, 8000, far))
        .expect("PCMU starts");
    let path = dir.path().join("call.wav");
    media
        .start_recording(&path, RecordFormat::Wav, RecordChannels::Stereo)
        .expect("recording starts");

    media
        .apply(&negotiated(Codec::Opus, 111, 48_000, far))
        .expect("Opus starts");
    let said = events
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("an event");
    assert!(
        matches!(&said, MediaEvent::RecordingFailed { message } if message.contains("codec")),
        "{said:?}"
    );
    assert!(media.stop_recording().is_none(), "no recording runs now");
    assert!(
        parla_media::clip::wav_duration_ms(&path).is_ok(),
        "the first part is a complete WAV file"
    );
}

#[test]
fn a_network_change_moves_the_audio_to_new_ports_and_the_new_address() {
    let (old, new): (IpAddr, IpAddr) = ([192, 0, 2, 10].into(), [192, 0, 2, 11].into());
    let audio = AudioConfig {
        input: "null".into(),
        output: "null".into(),
        ..AudioConfig::default()
    };
    let mut media = CallMedia::bind(
        Ipv4Addr::UNSPECIFIED.into(),
        audio,
        MediaEventSink::new(|_| {}),
    )
    .expect("bind");
    media.advertised = Some(old);
    let before = media.local_media(&[Codec::Pcmu], Direction::SendRecv);
    assert!(media.readdress(old, new), "new ports");
    let after = media.local_media(&[Codec::Pcmu], Direction::SendRecv);
    assert_eq!((before.address, after.address), (old, new));
    assert_ne!(before.port, after.port);
    assert_eq!(after.port % 2, 0, "RTP on an even port, RTCP on the next");
    // Behind a NAT the SDP names the outside address: that stays.
    let outside: IpAddr = [198, 51, 100, 1].into();
    media.advertised = Some(outside);
    assert!(media.readdress(new, old));
    let natted = media.local_media(&[Codec::Pcmu], Direction::SendRecv);
    assert_eq!(natted.address, outside);
}

#[test]
fn opus_fec_follows_what_the_far_end_decodes() {
    let far: SocketAddr = (Ipv4Addr::LOCALHOST, 9).into();
    let audio = AudioConfig {
        input: "null".into(),
        output: "null".into(),
        ..AudioConfig::default()
    };
    let media = CallMedia::bind(
        Ipv4Addr::LOCALHOST.into(),
        audio,
        MediaEventSink::new(|_| {}),
    )
    .expect("bind");
    let mut opus = negotiated(Codec::Opus, 111, 48_000, far);
    for fec in [true, false] {
        opus.opus_inband_fec = fec;
        let config = media.media_config(&opus).expect("config");
        assert_eq!(config.opus_inband_fec, fec);
    }
}
