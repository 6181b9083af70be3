//! The passthrough's rule written plainly, over whole lines of a whole
//! message: the model the streaming `Stamper` is checked against, by the
//! property tests and the passthrough fuzz target (which includes this file).

use sparsetext::passthrough::LineEnding;

/// The passthrough's rule written plainly over whole lines: the model the
/// streaming [`Stamper`] must agree with.
pub fn stamped(message: &[u8], field: &str) -> Vec<u8> {
    let ending = LineEnding::detect(message);
    let (term, eol): (u8, &[u8]) = match ending {
        LineEnding::Cr => (b'\r', b"\r"),
        LineEnding::CrLf => (b'\n', b"\r\n"),
        LineEnding::Lf => (b'\n', b"\n"),
    };
    let mut out = Vec::new();
    let mut ours = false;
    let mut lines = message.split_inclusive(|&b| b == term);
    let mut body = None;
    for line in lines.by_ref() {
        let blank = if ending == LineEnding::Cr {
            line == b"\r"
        } else {
            line == b"\n" || line == b"\r\n"
        };
        if blank {
            out.extend_from_slice(field.as_bytes());
            out.extend_from_slice(line);
            out.extend_from_slice(line);
            body = Some(lines.flatten().copied().collect::<Vec<u8>>());
            break;
        }
        if line[0] == b' ' || line[0] == b'\t' {
            if !ours {
                out.extend_from_slice(line);
            }
            continue;
        }
        let lower = line.to_ascii_lowercase();
        ours = lower.starts_with(b"x-sparsetext")
            && lower[12..]
                .iter()
                .find(|&&b| b != b' ' && b != b'\t')
                .is_some_and(|&b| b == b':');
        if !ours {
            out.extend_from_slice(line);
        }
    }
    if let Some(body) = body {
        out.extend_from_slice(&body);
        return out;
    }
    if !out.is_empty() && !out.ends_with(&[term]) {
        out.extend_from_slice(eol);
    }
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(if message.is_empty() { b"\n" } else { eol });
    out
}
