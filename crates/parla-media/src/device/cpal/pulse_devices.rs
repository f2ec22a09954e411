//! The sound server's own devices (Linux): its sinks, and its sources bar the monitors of sinks,
//! by the names `pulse:NAME` (NAME as the server has it) and labelled with its descriptions.
//!
//! Why: under a sound server ALSA lists only `default`, `pulse` and the cards' raw devices, which
//! the server holds (opening one fails as busy, or takes the card from the desktop), so a
//! headset could only be picked by making it the desktop's default. A named source is recorded
//! through libpulse (`pulse_capture.rs`); a named sink is written through ALSA's pulse plugin
//! with its `DEVICE` argument, the way the default output is (`alsa_playback.rs`), and watched
//! for its removal (`pulse_sink_watch.rs`).

use std::cell::RefCell;
use std::rc::Rc;

use libpulse_binding::callbacks::ListResult;

use super::pulse_connection::Connection;
use super::{device_error, Labelled};
use crate::error::MediaError;

/// How the server's devices are named among the others.
pub(crate) const PREFIX: &str = "pulse:";

/// The server's own name in a device name `pulse:NAME` (or ALSA's `pulse:DEVICE=NAME`); not
/// for a name holding a NUL, which no server has (and libpulse's bindings panic on).
pub(crate) fn server_name(device: &str) -> Option<&str> {
    let rest = device.strip_prefix(PREFIX)?;
    let rest = rest.strip_prefix("DEVICE=").unwrap_or(rest);
    let rest = rest
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(rest);
    (!rest.is_empty() && !rest.contains('\0')).then_some(rest)
}

/// ALSA's PCM for the server's sink or source `name`: the pulse plugin with its `DEVICE`
/// argument, quoted for ALSA's config parser.
pub(crate) fn alsa_pcm(name: &str) -> String {
    let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{PREFIX}DEVICE=\"{quoted}\"")
}

/// The server's sources (inputs) and sinks (outputs), named and labelled.
#[derive(Debug, Default)]
pub(crate) struct ServerDevices {
    pub sources: Labelled,
    pub sinks: Labelled,
}

/// What the server lists now; empty when there is no server or it does not answer (logged).
pub(crate) fn list() -> ServerDevices {
    query().unwrap_or_else(|e| {
        tracing::debug!("{e}; no sound server devices listed");
        ServerDevices::default()
    })
}

/// One list as it comes in: `None` until its end, then whether it ended well.
#[derive(Default)]
struct Listing {
    devices: Labelled,
    complete: Option<bool>,
}

impl Listing {
    fn take(&mut self, item: ListResult<(Option<&str>, Option<&str>)>) {
        match item {
            ListResult::Item((Some(name), description)) => {
                self.devices.push(labelled(name, description))
            }
            ListResult::Item((None, _)) => {}
            ListResult::End => self.complete = Some(true),
            ListResult::Error => self.complete = Some(false),
        }
    }
}

/// `item` with its entry, if it is one, turned into `f`'s.
fn map_item<T, U>(item: ListResult<T>, f: impl FnOnce(T) -> U) -> ListResult<U> {
    match item {
        ListResult::Item(entry) => ListResult::Item(f(entry)),
        ListResult::End => ListResult::End,
        ListResult::Error => ListResult::Error,
    }
}

fn labelled(name: &str, description: Option<&str>) -> (String, String) {
    let label = description
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(name);
    (format!("{PREFIX}{name}"), label.to_owned())
}

fn query() -> Result<ServerDevices, MediaError> {
    // Made before the connection, so dropped after it: a list that has not ended when this
    // returns (an error, a timeout) still has its callback, holding a clone of these, in
    // libpulse's thread, which the connection's drop stops first. (`Rc` counts are not atomic.)
    let sources = Rc::new(RefCell::new(Listing::default()));
    let sinks = Rc::new(RefCell::new(Listing::default()));
    let mut connection = Connection::connect("the device list")?;
    connection.mainloop.lock();
    {
        let introspect = connection.context.borrow().introspect();
        let into = Rc::clone(&sources);
        introspect.get_source_info_list(move |item| {
            // A monitor carries what a sink plays: nobody's microphone.
            if !matches!(&item, ListResult::Item(info) if info.monitor_of_sink.is_some()) {
                into.borrow_mut().take(map_item(item, |info| {
                    (info.name.as_deref(), info.description.as_deref())
                }));
            }
        });
        let into = Rc::clone(&sinks);
        introspect.get_sink_info_list(move |item| {
            into.borrow_mut().take(map_item(item, |info| {
                (info.name.as_deref(), info.description.as_deref())
            }));
        });
    }
    connection.mainloop.unlock();
    connection.wait_until(
        |_| match (sources.borrow().complete, sinks.borrow().complete) {
            (Some(true), Some(true)) => Some(Ok(())),
            (Some(false), _) | (_, Some(false)) => Some(Err(device_error(
                "the sound server could not list its devices".into(),
            ))),
            _ => None,
        },
    )?;
    connection.mainloop.lock();
    let devices = ServerDevices {
        sources: std::mem::take(&mut sources.borrow_mut().devices),
        sinks: std::mem::take(&mut sinks.borrow_mut().devices),
    };
    connection.mainloop.unlock();
    Ok(devices)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_names_come_out_of_device_names() {
        assert_eq!(
            server_name("pulse:alsa_input.usb-Jabra.mono"),
            Some("alsa_input.usb-Jabra.mono")
        );
        assert_eq!(server_name("pulse:DEVICE=spk"), Some("spk"));
        assert_eq!(
            server_name("pulse:DEVICE=\"spk\""),
            Some("spk"),
            "as ALSA quotes it"
        );
        for other in [
            "pulse",
            "pulse:",
            "pulse:DEVICE=",
            "default",
            "hw:CARD=PCH,DEV=0",
            "pulse:head\0set",
            "pulse:DEVICE=\"a\0b\"",
        ] {
            assert_eq!(server_name(other), None, "{other}");
        }
    }

    #[test]
    fn alsa_pcm_names_quote_the_server_name() {
        assert_eq!(
            alsa_pcm("alsa_output.pci-0000_00_1f.3.analog-stereo"),
            "pulse:DEVICE=\"alsa_output.pci-0000_00_1f.3.analog-stereo\""
        );
        assert_eq!(alsa_pcm(r#"a"b\c"#), r#"pulse:DEVICE="a\"b\\c""#);
    }

    #[test]
    fn labels_are_the_descriptions_else_the_names() {
        assert_eq!(
            labelled("spk", Some(" Built-in Audio ")),
            ("pulse:spk".into(), "Built-in Audio".into())
        );
        assert_eq!(
            labelled("spk", Some("")),
            ("pulse:spk".into(), "spk".into())
        );
        assert_eq!(labelled("spk", None), ("pulse:spk".into(), "spk".into()));
    }

    #[test]
    fn a_listing_ends_well_or_not() {
        let mut listing = Listing::default();
        listing.take(ListResult::Item((Some("mic"), Some("Headset"))));
        listing.take(ListResult::Item((None, Some("nameless"))));
        assert_eq!(listing.complete, None);
        listing.take(ListResult::End);
        assert_eq!(listing.complete, Some(true));
        assert_eq!(
            listing.devices,
            [("pulse:mic".to_owned(), "Headset".to_owned())]
        );
        let mut failed = Listing::default();
        failed.take(ListResult::Error);
        assert_eq!(failed.complete, Some(false));
    }
}
