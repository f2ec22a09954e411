//! Test bench for Parla's end-to-end tests: real SIP peers on 127.0.0.1.
//!
//! Every peer runs on free ports picked at run time (tests can run in parallel), in its own
//! temp folder with its log, in its own process group, and is stopped by PID (SIGTERM, then
//! SIGKILL) when its handle drops, also when the test panics. `PARLA_KEEP_BENCH=1` keeps the
//! folders of a panicking test (`=all`: always) and prints where they are.
//!
//! - [`Kamailio`]: registrar + record-routing proxy with digest auth, UDP/TCP/TLS.
//! - [`Baresip`]: a far-end UA driven over ctrl_tcp (registering or direct, auto/manual/busy).
//! - [`Sipp`]: scripted SIP traffic from tests/peers/sipp/.
//! - [`Dnsmasq`]: NAPTR/SRV/A records for RFC 3263 discovery; [`dns_query`] to check them.
//! - [`tones`]: make a tone WAV, measure how much of a recording is that tone.
//! - [`Linphone`]: linphonec as a far end that does attended transfer; run it inside
//!   [`netns`]'s private network namespace (`in_private_netns` / `rerun_in_private_netns`).
//! - [`Headless`]: drives `parla --headless --profile DIR` over JSON lines.
//! - [`Radicale`]: a CardDAV server (PyPI) for the shared-directory sync, HTTP or HTTPS.
//! - [`GnomeKeyring`]: a real Secret Service (gnome-keyring) on a private session bus.
//! - [`SessionBus`]: a private session D-Bus; [`TrayWatcher`] (a StatusNotifierWatcher on it),
//!   [`Xvfb`] (a virtual X display) and [`Dunst`] (a real notification daemon on both).
//!
//! - [`impair`]: two private network namespaces joined by a userspace netem stand-in (loss,
//!   jitter, reordering); [`impair_call`] runs Parla vs baresip over it, scored by [`pesq`]
//!   on [`speech`] from espeak-ng; [`netpair`] runs code inside such a namespace.
//!
//! Nothing here sends traffic anywhere but 127.0.0.0/8 and, inside its own private network
//! namespaces, 10.77.0.0/24.

pub mod baresip;
pub mod capture;
pub mod certs;
pub mod dns;
pub mod dnsmasq;
pub mod dunst;
pub mod error;
pub mod events;
pub mod figures;
pub mod headless;
pub mod impair;
pub mod impair_call;
pub mod kamailio;
pub mod keyring;
pub mod linphone;
pub mod nat;
pub mod netns;
pub mod netpair;
pub mod pesq;
pub mod ports;
pub mod process;
pub mod procstat;
pub mod pulse;
pub mod radicale;
pub mod rtkit;
pub mod session_bus;
pub mod sipp;
pub mod speech;
pub mod tones;
mod transport;
pub mod workdir;
pub mod xvfb;

pub use baresip::{AnswerMode, Baresip, BaresipOptions, RegistrarTarget};
pub use dns::{dns_query, DnsAnswer, DnsResponse, RecordType};
pub use dnsmasq::{DnsRecord, Dnsmasq, DnsmasqOptions};
pub use dunst::{Dunst, ReceivedNotification};
pub use error::{BenchError, Result};
pub use events::EventLog;
pub use figures::{env_in_range, median};
pub use headless::Headless;
pub use kamailio::{
    DigestAlgorithm, Kamailio, KamailioOptions, LoggedRequest, Registration, WrongPasswordAnswer,
};
pub use keyring::GnomeKeyring;
pub use linphone::{Linphone, LinphoneCall, LinphoneOptions};
pub use ports::{free_port_range, free_port_tcp, free_port_udp, free_port_udp_tcp};
pub use process::{pid_exists, process_group_exists, strip_ansi};
pub use procstat::{cpu_seconds, rss_kib};
pub use pulse::{PulseAudio, Recording};
pub use radicale::{Radicale, RadicaleOptions};
pub use session_bus::{ProcessBusGuard, SessionBus, TrayWatcher};
pub use sipp::{Scenario, Sipp, SippOptions};
pub use tones::{loudest_rms, make_tone_wav, tone_band_ratio};
pub use transport::Transport;
pub use workdir::BenchDir;
pub use xvfb::Xvfb;
