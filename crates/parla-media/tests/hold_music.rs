//! Music on hold over real UDP on 127.0.0.1: a session whose microphone is a 1 kHz tone file
//! sends to a test receiver that decodes every RTP packet it gets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "an integration test: a failed step is a failed test (clippy.toml's \
              allow-*-in-tests reaches only #[test] fns, not the helpers beside them)"
)]

mod common;

use std::net::{SocketAddr, UdpSocket};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use common::{band_energy_ratio, rms, tone, wait_for, write_wav};
use parla_media::codec::new_decoder;
use parla_media::moh::{MAX_FILE_BYTES, MAX_FILE_SECONDS};
use parla_media::{AudioEndpoint, CodecParams, MediaConfig, MediaSession, MusicOnHold};

const TIMEOUT: Duration = Duration::from_secs(10);
const RATE: u32 = 8000;
const DTMF_PT: u8 = 101;

/// One packet as the far end saw it; `pcm` is the decoded voice (empty for DTMF events).
#[derive(Debug, Clone)]
struct Got {
    marker: bool,
    payload_type: u8,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    pcm: Vec<f32>,
}

/// The far end: receives and decodes PCMU on its own thread until dropped.
struct FarEnd {
    addr: SocketAddr,
    got: Arc<Mutex<Vec<Got>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl FarEnd {
    fn new() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
        socket
            .set_read_timeout(Some(Duration::from_millis(20)))
            .expect("timeout");
        let addr = socket.local_addr().expect("addr");
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (got2, stop2) = (Arc::clone(&got), Arc::clone(&stop));
        let thread = std::thread::spawn(move || {
            let mut decoder = new_decoder(&CodecParams::pcmu(), 20).expect("decoder");
            let mut buf = [0u8; 1500];
            let mut pcm = vec![0.0f32; 960];
            while !stop2.load(Relaxed) {
                let Ok(n) = socket.recv(&mut buf) else {
                    continue;
                };
                let packet = parla_media::rtp::parse(&buf[..n]).expect("valid RTP");
                let h = &packet.header;
                let samples = if h.payload_type == 0 {
                    let len = decoder.decode(packet.payload, &mut pcm).expect("decode");
                    pcm[..len].to_vec()
                } else {
                    Vec::new()
                };
                got2.lock().unwrap().push(Got {
                    marker: h.marker,
                    payload_type: h.payload_type,
                    sequence: h.sequence_number,
                    timestamp: h.timestamp,
                    ssrc: h.ssrc,
                    pcm: samples,
                });
            }
        });
        Self {
            addr,
            got,
            stop,
            thread: Some(thread),
        }
    }

    fn count(&self) -> usize {
        self.got.lock().unwrap().len()
    }

    /// Waits until `more` packets beyond what has arrived so far have come.
    fn wait_for_more(&self, more: usize) -> bool {
        let target = self.count() + more;
        wait_for(TIMEOUT, || self.count() >= target)
    }

    fn packets(&self) -> Vec<Got> {
        self.got.lock().unwrap().clone()
    }
}

impl Drop for FarEnd {
    fn drop(&mut self) {
        self.stop.store(true, Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A PCMU session whose microphone is a looped 1 kHz tone, sending to `far`.
fn start_with_tone_mic(dir: &Path, far: &FarEnd) -> MediaSession {
    let mic = dir.join("mic-1k.wav");
    write_wav(&mic, RATE, 1, &tone(1000.0, RATE, 1.0, 0.5));
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind");
    let mut cfg = MediaConfig::new(socket, far.addr, CodecParams::pcmu());
    cfg.input = AudioEndpoint::File(mic);
    cfg.telephone_event_pt = Some(DTMF_PT);
    MediaSession::start(cfg).expect("start")
}

/// The stream is one RTP stream throughout: one SSRC, consecutive sequence numbers, and voice
/// timestamps 160 apart (DTMF packets carry their event's own timestamp).
fn assert_one_continuous_stream(packets: &[Got]) {
    let voice: Vec<&Got> = packets.iter().filter(|p| p.payload_type == 0).collect();
    for w in packets.windows(2) {
        assert_eq!(w[1].ssrc, w[0].ssrc);
        assert_eq!(
            w[1].sequence,
            w[0].sequence.wrapping_add(1),
            "sequence numbers continue"
        );
    }
    for w in voice.windows(2) {
        let step = w[1].timestamp.wrapping_sub(w[0].timestamp);
        assert!(
            step >= 160 && step % 160 == 0,
            "voice timestamps advance by whole frames: {step}"
        );
    }
}

/// Splits the stream where the marker bit is set (a new talkspurt).
fn talkspurts(packets: &[Got]) -> Vec<Vec<f32>> {
    let mut spurts: Vec<Vec<f32>> = Vec::new();
    for p in packets.iter().filter(|p| p.payload_type == 0) {
        if p.marker || spurts.is_empty() {
            spurts.push(Vec::new());
        }
        spurts.last_mut().unwrap().extend_from_slice(&p.pcm);
    }
    spurts
}

fn ratio_1k(pcm: &[f32]) -> f64 {
    band_energy_ratio(pcm, RATE, 1000.0, 50.0)
}

#[test]
fn holding_sends_the_music_and_resuming_the_microphone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = FarEnd::new();
    let a = start_with_tone_mic(dir.path(), &far);
    assert!(far.wait_for_more(25), "microphone packets");

    a.set_hold(true, false);
    assert!(far.wait_for_more(75), "packets while holding (sendonly)");
    a.set_hold(false, false);
    assert!(far.wait_for_more(25), "packets after resuming");
    let stats = a.stop();
    let packets = far.packets();
    assert_eq!(stats.packets_sent as usize, packets.len(), "{stats:?}");

    assert!(packets[0].marker, "the first packet is marked");
    assert_one_continuous_stream(&packets);
    let spurts = talkspurts(&packets);
    assert_eq!(
        spurts.len(),
        3,
        "marker bits: start, hold (music), resume (microphone)"
    );
    let (mic, music, resumed) = (&spurts[0], &spurts[1], &spurts[2]);
    assert!(music.len() >= 70 * 160, "{} music samples", music.len());
    for (pcm, what) in [(mic, "before hold"), (resumed, "after resume")] {
        let r = ratio_1k(pcm);
        assert!(r > 0.9, "{what}: the 1 kHz tone holds {r:.3} of the energy");
    }
    let level = rms(music);
    let r = ratio_1k(music);
    assert!(
        level > 0.05 && level < 0.3,
        "the music has energy: rms {level:.3}"
    );
    assert!(
        r < 0.05,
        "the music is not the microphone: 1 kHz share {r:.3}"
    );
}

#[test]
fn dtmf_and_mute_work_after_a_hold() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = FarEnd::new();
    let a = start_with_tone_mic(dir.path(), &far);
    assert!(far.wait_for_more(5));
    a.set_hold(true, false);
    assert!(far.wait_for_more(10));
    a.set_hold(false, false);
    assert!(far.wait_for_more(5));

    let before_dtmf = far.count();
    a.send_dtmf("5").expect("dtmf");
    assert!(
        wait_for(TIMEOUT, || far.packets()[before_dtmf..]
            .iter()
            .any(|p| p.payload_type == DTMF_PT)),
        "telephone-event packets after resuming"
    );
    // Let the digit finish, then mute.
    assert!(wait_for(TIMEOUT, || {
        far.packets()
            .last()
            .is_some_and(|p| p.payload_type == 0 && far.count() > before_dtmf + 20)
    }));
    a.set_muted(true);
    std::thread::sleep(Duration::from_millis(60));
    let muted_from = far.count();
    assert!(far.wait_for_more(10));
    a.stop();
    let packets = far.packets();
    assert_one_continuous_stream(&packets);
    let muted: Vec<f32> = packets[muted_from..]
        .iter()
        .flat_map(|p| p.pcm.iter().copied())
        .collect();
    assert!(rms(&muted) < 1e-3, "muted: silence, rms {}", rms(&muted));
}

#[test]
fn music_off_sends_silence_while_holding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = FarEnd::new();
    let a = start_with_tone_mic(dir.path(), &far);
    a.set_music_on_hold(&MusicOnHold::Off)
        .expect("off is always fine");
    assert!(far.wait_for_more(10));
    a.set_hold(true, false);
    assert!(
        far.wait_for_more(25),
        "RTP keeps flowing on a sendonly hold"
    );
    a.set_hold(false, false);
    assert!(far.wait_for_more(10));
    a.stop();
    let packets = far.packets();
    assert_one_continuous_stream(&packets);
    let spurts = talkspurts(&packets);
    assert_eq!(spurts.len(), 3);
    assert!(rms(&spurts[1]) < 1e-3, "held: encoded silence");
    assert!(ratio_1k(&spurts[2]) > 0.9, "resumed: the microphone");
}

#[test]
fn remote_hold_and_inactive_send_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = FarEnd::new();
    let a = start_with_tone_mic(dir.path(), &far);
    assert!(far.wait_for_more(5));
    for (local, remote) in [(false, true), (true, true)] {
        a.set_hold(local, remote);
        std::thread::sleep(Duration::from_millis(100));
        let n = far.count();
        std::thread::sleep(Duration::from_millis(200));
        assert_eq!(far.count(), n, "hold({local}, {remote}) sent RTP");
    }
    a.set_hold(true, false);
    assert!(far.wait_for_more(10), "sendonly: the music flows");
    // `set_direction` is the raw form: sending means the microphone.
    a.set_direction(true, true);
    std::thread::sleep(Duration::from_millis(60));
    let from = far.count();
    assert!(far.wait_for_more(10));
    a.stop();
    let mic: Vec<f32> = far.packets()[from..]
        .iter()
        .flat_map(|p| p.pcm.iter().copied())
        .collect();
    assert!(ratio_1k(&mic) > 0.9);
}

#[test]
fn a_user_file_is_played_while_holding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let far = FarEnd::new();
    let music = dir.path().join("music.wav");
    write_wav(&music, 44_100, 2, &tone(600.0, 44_100, 2.0, 0.4));
    let a = start_with_tone_mic(dir.path(), &far);
    a.set_music_on_hold(&MusicOnHold::File(music))
        .expect("a small WAV is accepted");
    assert!(far.wait_for_more(5));
    a.set_hold(true, false);
    assert!(far.wait_for_more(50));
    a.set_hold(false, false);
    assert!(far.wait_for_more(5));
    a.stop();
    let spurts = talkspurts(&far.packets());
    assert_eq!(spurts.len(), 3);
    // Past the resampler's warm-up.
    let held = &spurts[1][800..];
    let r = band_energy_ratio(held, RATE, 600.0, 50.0);
    assert!(r > 0.9, "the file's 600 Hz holds {r:.3} of the energy");
}

#[test]
fn a_too_large_file_falls_back_to_the_builtin_music() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Over the byte limit (the size on disk is checked first; the content does not matter).
    let big = dir.path().join("big.wav");
    std::fs::File::create(&big)
        .expect("create")
        .set_len(MAX_FILE_BYTES + 1)
        .expect("grow");
    // Small on disk but longer than allowed: 8-bit mono at 1 kHz.
    let long = dir.path().join("long.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 1000,
        bits_per_sample: 8,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&long, spec).expect("create");
    for _ in 0..(MAX_FILE_SECONDS + 1) * 1000 {
        w.write_sample(0i8).expect("sample");
    }
    w.finalize().expect("finalize");

    let far = FarEnd::new();
    let a = start_with_tone_mic(dir.path(), &far);
    for (path, says) in [(&big, "MB"), (&long, "lasts")] {
        let notice = a
            .set_music_on_hold(&MusicOnHold::File(path.clone()))
            .expect_err("rejected");
        assert_eq!(&notice.path, path);
        let text = notice.to_string();
        assert!(
            text.contains(says) && text.contains("built-in"),
            "a clear notice: {text}"
        );
    }
    assert!(far.wait_for_more(5));
    a.set_hold(true, false);
    assert!(far.wait_for_more(50));
    a.stop();
    let spurts = talkspurts(&far.packets());
    assert_eq!(spurts.len(), 2);
    assert!(rms(&spurts[1]) > 0.05, "the built-in music plays");
    assert!(ratio_1k(&spurts[1]) < 0.05);
}

#[test]
fn while_holding_nothing_from_the_far_end_is_played() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sa, sb) = (
        UdpSocket::bind("127.0.0.1:0").expect("bind"),
        UdpSocket::bind("127.0.0.1:0").expect("bind"),
    );
    let (aa, ab) = (sa.local_addr().expect("a"), sb.local_addr().expect("b"));
    let (b_in, a_out) = (dir.path().join("b-in.wav"), dir.path().join("a-out.wav"));
    write_wav(&b_in, RATE, 1, &tone(600.0, RATE, 1.0, 0.5));

    let mut cfg = MediaConfig::new(sa, ab, CodecParams::pcmu());
    cfg.output = AudioEndpoint::File(a_out.clone());
    let a = MediaSession::start(cfg).expect("A");
    let started = std::time::Instant::now();
    a.set_hold(true, false);
    let mut cfg = MediaConfig::new(sb, aa, CodecParams::pcmu());
    cfg.input = AudioEndpoint::File(b_in);
    let b = MediaSession::start(cfg).expect("B");

    assert!(wait_for(TIMEOUT, || a.stats().packets_received >= 30));
    // A's output clock started no later than `started`: this many samples are surely held.
    let held_samples = (started.elapsed().as_secs_f64() - 0.1) * 48_000.0;
    a.set_hold(false, false);
    let got = a.stats().packets_received;
    assert!(wait_for(TIMEOUT, || a.stats().packets_received >= got + 30));
    a.stop();
    b.stop();

    let (rate, pcm) = common::read_wav(&a_out);
    let held = &pcm[..held_samples as usize];
    assert!(held.len() >= 20_000, "{} held samples", held.len());
    assert!(
        held.iter().all(|&s| s == 0.0),
        "nothing played while holding"
    );
    let tail = &pcm[pcm.len() - 14_400..];
    let r = band_energy_ratio(tail, rate, 600.0, 50.0);
    assert!(
        r > 0.9,
        "after resuming the far end is heard: 600 Hz share {r:.3}"
    );
}
