//! The SIP user agent on rsipstack: accounts and their registration, calls, SDP-driven media.

pub mod account;
pub mod auto_answer;
pub mod call;
pub mod calls;
pub mod conference;
pub mod devices;
pub mod digest_names;
pub mod echo;
pub mod forwarding;
pub mod identity;
pub mod lamps;
pub mod media;
pub mod message;
pub mod mwi;
pub mod out_of_dialog;
pub mod presence;
pub mod publication;
pub mod registration;
pub mod sip_registrar;
pub mod stack;
pub mod store_link;
pub mod subscription;
pub mod tones;
pub mod trace;
pub mod uri;
pub mod whitelist;
