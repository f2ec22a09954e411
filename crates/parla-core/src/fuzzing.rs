//! Entry points for the coverage-guided fuzz targets in `fuzz/` (cargo-fuzz): each hands one
//! kind of untrusted input to the code Parla runs on it, reaching the crate's private modules.
//! Built only with the `fuzzing` feature; not an API. Every function must return normally
//! whatever the bytes: a panic here is a crash the fuzzer reports.

mod sip;

pub use sip::sip_datagram;

use crate::sdp::{Codec, Direction, LocalMedia, LocalSrtp, SdpSession, SrtpMode};
use crate::store::Region;
use crate::ua::presence::{dialog_info::DialogInfo, pidf};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Our side of a call as the first byte picks it: address family, codec list, direction,
/// packetization time and SRTP mode all change what the answer may take.
pub(crate) fn local_media(pick: u8) -> LocalMedia {
    let address = if pick & 1 == 0 {
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1))
    } else {
        IpAddr::V6(Ipv6Addr::LOCALHOST)
    };
    let codecs = match (pick >> 1) & 3 {
        0 => Vec::new(),
        1 => vec![Codec::Pcmu],
        2 => vec![Codec::Opus, Codec::Pcma],
        _ => vec![Codec::G722, Codec::Pcmu, Codec::G722],
    };
    let direction = match (pick >> 3) & 3 {
        0 => Direction::SendRecv,
        1 => Direction::SendOnly,
        2 => Direction::RecvOnly,
        _ => Direction::Inactive,
    };
    let ptime_ms = if pick & 0x20 == 0 { 20 } else { 30 };
    let srtp = [
        SrtpMode::Off,
        SrtpMode::Accept,
        SrtpMode::BestEffort,
        SrtpMode::Mandatory,
    ][usize::from(pick >> 6)];
    LocalMedia {
        address,
        port: 4000,
        codecs,
        direction,
        ptime_ms,
        srtp: LocalSrtp::generate(srtp),
    }
}

/// An SDP body as an INVITE (or re-INVITE) offers it and as a 200 answers our offer: the first
/// byte picks our side, the rest is the body (read as the call reads it, lossily as UTF-8).
pub fn sdp(data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(body);
    let local = local_media(pick);
    let mut session = SdpSession::with_origin(1, 1);
    if let Ok((answer, _)) = session.answer_offer(&text, &local) {
        // Our own answer must read back as an SDP answer to our side: nothing we write may
        // be unreadable to ourselves.
        let _ = SdpSession::with_origin(2, 2).apply_answer(&local, &answer);
    }
    let _ = session.apply_answer(&local, &text);
}

/// What the headless control protocol (stdin, the control socket) does with a stream of bytes:
/// bounded lines, each parsed as a command; a command's strings go through the checks the
/// engine makes before acting on them.
pub fn control(data: &[u8]) {
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread().build() else {
        return;
    };
    let mut commands = Vec::new();
    let read = crate::control::read_commands(
        data,
        |command| {
            commands.push(command);
            true
        },
        |_| {},
    );
    let _ = runtime.block_on(read);
    let plan = crate::ua::uri::DialPlan {
        domain: "example.org".into(),
        international_prefix: Some("00".into()),
    };
    for command in commands {
        // Serialising a command back must not fail (the GUI and the tests write them).
        let _ = serde_json::to_string(&command);
        match command {
            crate::Command::Dial { to, .. } => {
                let _ = plan.target(&to);
            }
            crate::Command::Transfer { to: Some(to), .. } => {
                let _ = plan.target(&to);
            }
            crate::Command::SendMessage { to, text, .. } => {
                let _ = plan.target(&to);
                let _ = crate::ua::message::check_text(&text);
            }
            crate::Command::Dtmf { digits, .. } => {
                let _ = parla_media::dtmf::DtmfSender::new(8000, 20).queue(&digits);
            }
            _ => {}
        }
    }
}

fn region() -> Region {
    "NL".parse().unwrap_or(Region::US)
}

/// A contacts CSV file as `import_contacts` reads it: parsed, columns mapped and rows checked
/// (the numbers' analysis is [`phone_number`]'s; the database part is left out).
pub fn csv_import(data: &[u8]) {
    let _ = crate::store::parse_csv(data);
}

/// A vCard file as `import_contacts` reads it: parsed and each card checked; like
/// [`csv_import`].
pub fn vcard_import(data: &[u8]) {
    let _ = crate::store::parse_vcards(data);
}

/// A phone number as contacts imports, a caller's From and the dialler give it to the store:
/// analysed for search and E.164. A target of its own because phonenumber compiles a regex per
/// region and number type into a 100-entry cache that a fuzzer's random country codes keep
/// missing: inside the import targets it took half their time (300-1,500 executions a second).
pub fn phone_number(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    let _ = crate::store::analyse_number(&raw, region());
}

/// A `message-summary` NOTIFY body (RFC 3842).
pub fn message_summary(data: &[u8]) {
    let _ = crate::ua::mwi::summary::read(data);
}

/// A `dialog` NOTIFY body (RFC 4235): the busy lamp and the call it offers to pick up.
pub fn dialog_info(data: &[u8]) {
    if let Some(info) = DialogInfo::parse(data) {
        let _ = info.lamp();
        if let Some(ringing) = info.ringing() {
            let _ = crate::ua::lamps::pickup::of(ringing);
        }
        for dialog in &info.dialogs {
            let _ = crate::ua::lamps::pickup::of(dialog);
        }
    }
}

/// A `presence` NOTIFY body (PIDF, RFC 3863, with RPID).
pub fn pidf(data: &[u8]) {
    let _ = pidf::read_state(data);
    let _ = pidf::read_note(data);
}
