//! Media datagrams at a call's RTP/RTCP ports, through what the receive pipeline does with them
//! (crates/parla-media/src/pipeline/receive.rs): RTCP read by the session, RTP parsed, the
//! source filter (RTP Bleed), statistics, RFC 4733 telephone events, the jitter buffer (push,
//! then a pop per ptime of time passing), and an RTCP report built from what was gathered.
//!
//! Input: one byte picking the clock rate and ptime, then records of
//! `[flags][length][length bytes]`: flags' low 6 bits are milliseconds since the previous
//! datagram, bit 6 sends it from an address other than the negotiated one.
#![no_main]

use parla_media::dtmf::DtmfReceiver;
use parla_media::jitter::{JitterBuffer, JitterConfig};
use parla_media::peer::{PeerFilter, PeerVerdict};
use parla_media::rtcp::{looks_like_rtcp, RtcpSession};
use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime};

const AUDIO_PT: u8 = 0;
const EVENT_PT: u8 = 101;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let Some((&pick, mut rest)) = data.split_first() else {
        return;
    };
    let clock_rate = [8000, 16000, 48000, 8000][usize::from(pick & 3)];
    let ptime_ms = [20, 10, 30, 60][usize::from((pick >> 2) & 3)];
    let negotiated: SocketAddr = ([127, 0, 0, 1], 40000).into();
    let stranger: SocketAddr = ([127, 0, 0, 9], 40000).into();
    let start = Instant::now();
    let mut now = start;
    let mut next_pop = start;
    let mut peer = PeerFilter::new(negotiated);
    let mut rtcp = RtcpSession::new(0x1234_5678, "fuzz@parla", clock_rate);
    let mut jitter = JitterBuffer::new(JitterConfig::new(clock_rate, ptime_ms));
    let mut dtmf = DtmfReceiver::new();
    while let [flags, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (datagram, after) = tail.split_at(len);
        rest = after;
        now += Duration::from_millis(u64::from(flags & 0x3f));
        let from = if flags & 0x40 == 0 {
            negotiated
        } else {
            stranger
        };
        if looks_like_rtcp(datagram) {
            let _ = rtcp.on_rtcp_received(datagram, now);
        } else if let Ok(packet) = parla_media::rtp::parse(datagram) {
            let pt = packet.header.payload_type;
            let (ssrc, seq, ts) = (
                packet.header.ssrc,
                packet.header.sequence_number,
                packet.header.timestamp,
            );
            if pt == AUDIO_PT || pt == EVENT_PT {
                match peer.accept(from, ssrc, seq, now) {
                    PeerVerdict::Drop => {}
                    verdict => {
                        if verdict == PeerVerdict::AcceptNewSource {
                            dtmf.reset();
                            jitter.reset();
                        }
                        rtcp.on_rtp_received(ssrc, seq, ts, now);
                        if pt == EVENT_PT {
                            jitter.push_other(seq);
                            let _ = dtmf.on_packet(ts, packet.payload);
                        } else {
                            let _ = jitter.push(seq, ts, packet.payload, now);
                        }
                    }
                }
            }
        }
        for _ in 0..16 {
            if next_pop > now {
                break;
            }
            let _ = jitter.pop(next_pop);
            next_pop += Duration::from_millis(u64::from(ptime_ms));
        }
    }
    let _ = jitter.stats();
    let mut out = [0u8; 1500];
    let _ = rtcp.build_report(
        now,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
        &mut out,
    );
});
