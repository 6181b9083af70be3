//! The route of a `Received:` field, without when and to whom.
//!
//! A `Received:` field (RFC 5321 section 4.4) records one hop: `from HELO
//! (rDNS [IP]) by RECEIVER with PROTOCOL id QUEUE-ID for <RECIPIENT>; DATE`.
//! The hosts, the protocol and the software say how the mail travelled. The
//! time stamp and its time-zone offset say only when the recipient's
//! servers saw it, and the `for` clause which of the recipient's addresses
//! it was sent to: both describe the recipient's mailbox and the time of
//! collection, not the sender, and both change as soon as the recipient's
//! set-up or the calendar does (see docs/defaults.md for what keeping them
//! cost on mail from a later period).

/// The part of `value` that names the hop's route: up to the time stamp
/// (the last `;`) and, after the `by` clause, up to the `for` clause.
pub(crate) fn route(value: &str) -> &str {
    let value = value.rsplit_once(';').map_or(value, |(route, _)| route);
    let by = find_word(value, "by", 0).unwrap_or(0);
    match find_word(value, "for", by) {
        Some(end) => &value[..end],
        None => value,
    }
}

/// The byte offset of the first whitespace-delimited `word` in `value` at
/// or after `from` (ASCII case-insensitive).
fn find_word(value: &str, word: &str, from: usize) -> Option<usize> {
    let bytes = value.as_bytes();
    let w = word.len();
    (from..=bytes.len().checked_sub(w)?).find(|&i| {
        bytes[i..i + w].eq_ignore_ascii_case(word.as_bytes())
            && (i == 0 || bytes[i - 1].is_ascii_whitespace())
            && bytes.get(i + w).is_none_or(u8::is_ascii_whitespace)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_route_keeps_hosts_and_protocol_but_not_time_or_recipient() {
        assert_eq!(
            route(
                "from mail.sender.biz (mail.sender.biz [203.0.113.9]) by mx.example.org \
                 (Postfix) with ESMTP id 1A2B3C for <me@example.org>; Thu, 22 Aug 2002 \
                 12:34:56 +0100 (IST)"
            ),
            "from mail.sender.biz (mail.sender.biz [203.0.113.9]) by mx.example.org \
             (Postfix) with ESMTP id 1A2B3C "
        );
        assert_eq!(
            route("(qmail 9527 invoked by uid 500); 22 Aug 2002 11:29:00 -0000"),
            "(qmail 9527 invoked by uid 500)"
        );
        assert_eq!(route("FROM x BY y FOR z"), "FROM x BY y ");
    }

    #[test]
    fn a_for_before_the_by_clause_is_a_host_name() {
        assert_eq!(
            route("from for (for [1.2.3.4]) by y"),
            "from for (for [1.2.3.4]) by y"
        );
    }

    #[test]
    fn odd_values_do_not_panic() {
        for value in [
            "",
            ";",
            "for",
            "by for",
            "from é by ü for ö; x",
            "fo",
            "\u{1F600} for",
        ] {
            let r = route(value);
            assert!(value.starts_with(r));
        }
    }
}
