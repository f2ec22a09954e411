//! Parla's headless engine: the SIP user agent, SDP offer/answer, configuration and the
//! JSON-lines control protocol. It knows nothing of the GUI.

pub mod api;
pub mod config;
pub mod control;
mod dns;
pub mod engine;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod sdp;
pub mod secrets;
pub mod store;
mod tls;
mod ua;
mod xml;

pub use api::{AccountId, CallId, Command, Event};
pub use config::Config;
pub use engine::Engine;
/// The sound devices, as `list_devices` answers (for offline use: `parla diagnostics`).
pub use ua::devices::device_names;

#[cfg(test)]
mod test_wav;
