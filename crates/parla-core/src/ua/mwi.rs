//! Message waiting (RFC 3842): per line, a subscription to `message-summary` at the line's
//! server, refreshed before it expires and made again (with a growing wait) when the server
//! ends or refuses it; NOTIFYs, in that subscription or unsolicited from the server (many
//! PBXs send those), become `voicemail` events when the counts change.
//!
//! - [`summary`]: what a `simple-message-summary` body says.
//! - [`task`]: the line's loop, over the subscription code every package shares
//!   ([`crate::ua::subscription`]).

pub mod summary;
pub mod task;
