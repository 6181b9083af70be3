//! Host names from URLs and mail addresses, and their parent domains.
//!
//! A spam campaign rotates sub-domains (`x7.deals.example.biz`) faster than
//! any training set sees them; the parent domains (`deals.example.biz`,
//! `example.biz`) recur. Without a public-suffix list we cannot tell
//! `example.co.uk` from `co.uk`, so every suffix of two or more labels is
//! emitted and the classifier's L1 penalty drops the useless ones.

/// At most this many suffixes per host (a 30-label host is junk anyway).
const MAX_SUFFIXES: usize = 4;

/// The host of `url` (`scheme://user@host:port/path` or `www.host/path`),
/// lower-cased, if it looks like a host name or IPv4 address.
pub(crate) fn url_host(url: &str, buf: &mut String) -> Option<HostKind> {
    let rest = match url.find("://") {
        Some(p) => &url[p + 3..],
        None => url,
    };
    let end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    normalize_host(host, buf)
}

/// Calls `found` with the domain after each '@' in `value` (an address
/// field, a Message-ID, ...), lower-cased.
pub(crate) fn address_domains(value: &str, buf: &mut String, found: &mut dyn FnMut(&str)) {
    for (at, _) in value.match_indices('@') {
        let rest = &value[at + 1..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
            .unwrap_or(rest.len());
        if normalize_host(&rest[..end], buf) == Some(HostKind::Name) {
            found(buf);
        }
    }
}

/// What kind of host [`url_host`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum HostKind {
    /// A dotted name: suffixes make sense.
    Name,
    /// A literal IPv4 address: no suffixes.
    Ipv4,
}

/// Lower-cases `host` into `buf` and checks it: labels of letters, digits,
/// '-' (any script, for IDNs), at least two of them.
fn normalize_host(host: &str, buf: &mut String) -> Option<HostKind> {
    let host = host.trim_end_matches('.');
    if host.is_empty() || host.len() > 253 {
        return None;
    }
    buf.clear();
    if host.is_ascii() {
        // The common case: byte-wise, not char by char.
        buf.push_str(host);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(host.chars().flat_map(char::to_lowercase));
    }
    let mut labels = 0;
    for label in buf.split('.') {
        if label.is_empty() || !label.chars().all(|c| c.is_alphanumeric() || c == '-') {
            return None;
        }
        labels += 1;
    }
    if labels < 2 {
        return None;
    }
    if labels == 4 && buf.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        Some(HostKind::Ipv4)
    } else {
        Some(HostKind::Name)
    }
}

/// Calls `emit` with `host` and, if `suffixes`, its parent domains of two
/// or more labels, longest first.
pub(crate) fn with_suffixes(host: &str, suffixes: bool, emit: &mut dyn FnMut(&str)) {
    emit(host);
    if !suffixes {
        return;
    }
    let mut rest = host;
    for _ in 0..MAX_SUFFIXES {
        let Some((_, parent)) = rest.split_once('.') else {
            break;
        };
        if !parent.contains('.') {
            break;
        }
        emit(parent);
        rest = parent;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// `normalize_host`'s ASCII lower-casing agrees with the char-wise one.
        #[test]
        fn ascii_hosts_normalize_as_chars_do(host in "[a-zA-Z0-9._ -]{0,24}") {
            let mut buf = String::new();
            let got = normalize_host(&host, &mut buf).map(|k| (buf.clone(), k));
            let trimmed = host.trim_end_matches('.');
            let lower: String = trimmed.chars().flat_map(char::to_lowercase).collect();
            let labels: Vec<&str> = lower.split('.').collect();
            let valid = !trimmed.is_empty()
                && labels.len() >= 2
                && labels
                    .iter()
                    .all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
            let want = valid.then(|| {
                let ipv4 = labels.len() == 4 && lower.bytes().all(|b| b.is_ascii_digit() || b == b'.');
                (lower.clone(), if ipv4 { HostKind::Ipv4 } else { HostKind::Name })
            });
            prop_assert_eq!(got, want);
        }
    }

    fn host(url: &str) -> Option<(String, HostKind)> {
        let mut buf = String::new();
        url_host(url, &mut buf).map(|k| (buf, k))
    }

    #[test]
    fn url_hosts() {
        let name = |s: &str| Some((s.to_string(), HostKind::Name));
        assert_eq!(
            host("http://Shop.Example.COM/x?y"),
            name("shop.example.com")
        );
        assert_eq!(
            host("https://user:pw@a.example.org:8080/"),
            name("a.example.org")
        );
        assert_eq!(host("www.example.net/path"), name("www.example.net"));
        assert_eq!(host("http://example.com./"), name("example.com"));
        assert_eq!(
            host("http://192.168.0.1/x"),
            Some(("192.168.0.1".to_string(), HostKind::Ipv4))
        );
        assert_eq!(host("http://localhost/"), None);
        assert_eq!(host("http://%77%77%77.example.com/"), None);
        assert_eq!(host("http:///x"), None);
    }

    #[test]
    fn domains_of_addresses() {
        let mut buf = String::new();
        let mut out = Vec::new();
        address_domains(
            "Ann <ann@Mail.Example.com>, bob@b.example.org; x@localhost, <id.1@[10.0.0.1]>",
            &mut buf,
            &mut |d| out.push(d.to_string()),
        );
        assert_eq!(out, ["mail.example.com", "b.example.org"]);
        out.clear();
        address_domains("no address here", &mut buf, &mut |d| {
            out.push(d.to_string())
        });
        assert!(out.is_empty());
    }

    #[test]
    fn suffixes() {
        let mut out = Vec::new();
        with_suffixes("a.b.example.co.uk", true, &mut |s| out.push(s.to_string()));
        assert_eq!(
            out,
            [
                "a.b.example.co.uk",
                "b.example.co.uk",
                "example.co.uk",
                "co.uk"
            ]
        );
        out.clear();
        with_suffixes("a.b.example.com", false, &mut |s| out.push(s.to_string()));
        assert_eq!(out, ["a.b.example.com"]);
    }
}
