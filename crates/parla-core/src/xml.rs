//! Reading XML from the network (presence bodies, CardDAV answers) with roxmltree, bounded:
//! no DTD (so no entity expansion), a node cap, and a nesting cap checked before parsing,
//! because roxmltree recurses per level and thousands of nested elements overflow a thread's
//! stack.

/// Why a document was not read.
#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("elements nested more than {0} deep")]
    TooDeep(usize),
    #[error(transparent)]
    Parse(#[from] roxmltree::Error),
}

/// Parses `text`, refusing a DTD, more than `nodes_limit` nodes or elements nested more than
/// `max_depth` deep.
pub fn parse(
    text: &str,
    nodes_limit: u32,
    max_depth: usize,
) -> Result<roxmltree::Document<'_>, XmlError> {
    if !nesting_within(text, max_depth) {
        return Err(XmlError::TooDeep(max_depth));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit,
    };
    Ok(roxmltree::Document::parse_with_options(text, options)?)
}

/// Whether no element of `text` lies more than `max` deep. A rough scan (comments, CDATA and
/// `>` inside attribute values are not special-cased), erring on the side of refusing.
fn nesting_within(text: &str, max: usize) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'<' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b'?' | b'!') => {}
            _ => {
                depth += 1;
                if depth > max {
                    return false;
                }
                // A self-closing tag does not stay open.
                let close = bytes[i..].iter().position(|&c| c == b'>');
                if close.is_some_and(|c| c > 0 && bytes[i + c - 1] == b'/') {
                    depth -= 1;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_measured_and_bounded() {
        assert!(nesting_within("<a><b/><c><d/></c></a>", 3));
        assert!(!nesting_within("<a><b><c><d/></c></b></a>", 3));
        assert!(nesting_within("<?xml version='1.0'?><!-- x --><a/>", 1));
        assert!(!nesting_within(&"<a>".repeat(100_000), 32));
        // On a thread with a small stack: the guard, not the parser, meets the deep body.
        let deep = "<a>".repeat(20_000);
        let parsed = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || parse(&deep, 4096, 32).is_err())
            .expect("thread")
            .join()
            .expect("no overflow");
        assert!(parsed);
    }
}
