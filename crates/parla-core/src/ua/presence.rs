//! Presence and busy lamps: what a `presence` NOTIFY (PIDF, RFC 3863, with RPID activities,
//! RFC 4480) and a `dialog` NOTIFY (dialog-info, RFC 4235) say, and the PIDF we publish.
//!
//! Bodies come from the network: they are size-bounded before parsing, parsed with roxmltree
//! (no DTD, a node cap), and anything unreadable is "unknown", never an error that stops a
//! subscription.

pub mod dialog_info;
pub mod pidf;

/// Largest PIDF or dialog-info body read; a larger one reads as unknown.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Most XML nodes a body may have.
const MAX_NODES: u32 = 4096;
/// Deepest element nesting read: real bodies are under 10 deep.
const MAX_DEPTH: usize = 32;

pub use crate::api::PresenceState;

/// Parses a bounded XML body, or says why not.
fn parse_xml(body: &[u8]) -> Option<roxmltree::Document<'_>> {
    if body.len() > MAX_BODY_BYTES {
        tracing::debug!(len = body.len(), "presence body too large");
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    crate::xml::parse(text, MAX_NODES, MAX_DEPTH)
        .map_err(|e| tracing::debug!(error = %e, "unreadable presence body"))
        .ok()
}

/// `text` with the five XML special characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}
