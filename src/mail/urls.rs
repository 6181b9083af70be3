//! URLs written in plain text.

/// Calls `found` with each URL written in plain text: `http://`,
/// `https://`, `ftp://` and bare `www.` addresses, up to the first space,
/// quote or bracket.
pub(crate) fn find_urls(text: &str, found: &mut dyn FnMut(&str)) {
    let bytes = text.as_bytes();
    let mut from = 0;
    // Both markers contain a '/' or '.', rare enough in prose to scan for fast.
    while let Some(start) = next_url_start(bytes, from) {
        let end = url_end(bytes, start);
        let url = trim_url(&text[start..end]);
        if url.len() > start_marker_len(url) {
            found(url);
        }
        from = end.max(start + 1);
    }
}

/// Position of the next `scheme://` (http, https, ftp) or `www.` at or after `from`.
fn next_url_start(bytes: &[u8], mut from: usize) -> Option<usize> {
    loop {
        let rel = memchr::memchr2(b':', b'.', &bytes[from..])?;
        let at = from + rel;
        from = at + 1;
        if bytes[at] == b':' {
            if !bytes[at..].starts_with(b"://") {
                continue;
            }
            let scheme_start = bytes[..at]
                .iter()
                .rposition(|b| !b.is_ascii_alphabetic())
                .map_or(0, |p| p + 1);
            let scheme = &bytes[scheme_start..at];
            if scheme.eq_ignore_ascii_case(b"http")
                || scheme.eq_ignore_ascii_case(b"https")
                || scheme.eq_ignore_ascii_case(b"ftp")
            {
                return Some(scheme_start);
            }
        } else if at >= 3
            && bytes[at - 3..at].eq_ignore_ascii_case(b"www")
            && (at == 3 || !is_host_byte(bytes[at - 4]))
        {
            return Some(at - 3);
        }
    }
}

/// A byte that may continue a host name or path on its left.
fn is_host_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/' | b'@')
}

fn start_marker_len(url: &str) -> usize {
    url.find("://").map_or(4, |p| p + 3)
}

fn url_end(bytes: &[u8], start: usize) -> usize {
    bytes[start..]
        .iter()
        .position(|&b| !is_url_byte(b))
        .map_or(bytes.len(), |p| start + p)
}

fn is_url_byte(b: u8) -> bool {
    b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`' | b'{' | b'}')
}

/// Drops punctuation that ends a sentence rather than the URL.
fn trim_url(url: &str) -> &str {
    url.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_in_text() {
        let mut urls = Vec::new();
        find_urls(
            "see http://a.example.com/x?y=1, or www.b.example.org. Also \
             (https://c.example.net) and mailto:x@y.z and ftp://d.example/ and http://",
            &mut |u| urls.push(u.to_string()),
        );
        assert_eq!(
            urls,
            [
                "http://a.example.com/x?y=1",
                "www.b.example.org",
                "https://c.example.net",
                "ftp://d.example/",
            ]
        );
    }

    #[test]
    fn www_inside_scheme_url_reported_once() {
        let mut urls = Vec::new();
        find_urls("go to http://www.example.com now", &mut |u| {
            urls.push(u.to_string())
        });
        assert_eq!(urls, ["http://www.example.com"]);
    }
}
