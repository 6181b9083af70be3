//! HTML markup: start tags with their attributes, and `href` targets.

/// The most tags and attributes kept per message in [`Message::html_tags`](super::Message::html_tags).
pub const MAX_HTML_TAGS: usize = 4096;

/// Calls `found` with the lower-cased name of each start tag in `html`
/// (`<FONT color=red size=+2>`: `font`) and with `tag.attribute` for each of
/// its attributes (`font.color`, `font.size`). Names longer than 16 bytes
/// are passed over: they are not markup a mail client would render.
pub(crate) fn find_tags(html: &str, found: &mut dyn FnMut(&str)) {
    const MAX_NAME: usize = 16;
    let bytes = html.as_bytes();
    let name_len = |from: usize| {
        bytes[from..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
            .count()
    };
    let skip_space_and_slashes = |mut j: usize| {
        while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
            j += 1;
        }
        j
    };
    let mut name = String::with_capacity(2 * MAX_NAME + 1);
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'<', &bytes[from..]) {
        let start = from + rel + 1;
        from = start;
        let len = name_len(start);
        if len == 0 || len > MAX_NAME || !bytes[start].is_ascii_alphabetic() {
            continue; // `</p>`, `<!-- -->`, `< 5`: not a start tag.
        }
        // Names and attributes are ASCII, so every cut is a char boundary.
        name.clear();
        name.push_str(&html[start..start + len]);
        name.make_ascii_lowercase();
        found(&name);
        let tag_len = name.len();
        let mut j = start + len;
        loop {
            j = skip_space_and_slashes(j);
            if j >= bytes.len() || matches!(bytes[j], b'>' | b'<') {
                break;
            }
            let len = name_len(j);
            if len == 0 {
                j += 1; // stray punctuation inside the tag
                continue;
            }
            if len <= MAX_NAME {
                name.truncate(tag_len);
                name.push('.');
                name.push_str(&html[j..j + len]);
                name.make_ascii_lowercase();
                found(&name);
            }
            j = skip_space(bytes, j + len);
            if bytes.get(j) == Some(&b'=') {
                j = skip_space(bytes, j + 1);
                j = match bytes.get(j) {
                    Some(&q @ (b'"' | b'\'')) => {
                        memchr::memchr(q, &bytes[j + 1..]).map_or(bytes.len(), |p| j + 2 + p)
                    }
                    _ => {
                        j + bytes[j..]
                            .iter()
                            .take_while(|b| !b.is_ascii_whitespace() && **b != b'>')
                            .count()
                    }
                };
            }
        }
        from = j.max(from);
    }
}

/// The first index at or after `j` that is not ASCII white space.
fn skip_space(bytes: &[u8], mut j: usize) -> usize {
    while j < bytes.len() && bytes[j].is_ascii_whitespace() {
        j += 1;
    }
    j
}

/// Calls `found` with the value of each `href` attribute in `html`.
///
/// Scans for `=` and looks left for the attribute name: '=' is rarer than
/// letters, and the name may be in any case.
pub(crate) fn find_hrefs(html: &str, found: &mut dyn FnMut(&str)) {
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(rel) = memchr::memchr(b'=', &bytes[from..]) {
        let eq = from + rel;
        from = eq + 1;
        let name_end = bytes[..eq]
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        if name_end < 4 || !bytes[name_end - 4..name_end].eq_ignore_ascii_case(b"href") {
            continue;
        }
        if name_end > 4 && !bytes[name_end - 5].is_ascii_whitespace() {
            continue; // `data-href=`, `xhref=`: another attribute.
        }
        let i = skip_space(bytes, eq + 1);
        let (start, end) = match bytes.get(i) {
            Some(&q @ (b'"' | b'\'')) => {
                let start = i + 1;
                let end = memchr::memchr(q, &bytes[start..]).map_or(bytes.len(), |p| start + p);
                (start, end)
            }
            Some(_) => {
                let end = bytes[i..]
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || *b == b'>')
                    .map_or(bytes.len(), |p| i + p);
                (i, end)
            }
            None => break,
        };
        // Quotes, spaces and '>' are ASCII, so both ends are char boundaries.
        let url = html[start..end].trim();
        if !url.is_empty() {
            found(url);
        }
        from = end.max(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_tags_names_start_tags_and_their_attributes() {
        let mut seen = Vec::new();
        find_tags(
            "<HTML><body BGCOLOR=\"#fff\"><p>x < y</p><!-- c --><FONT color='red' size=+2>Buy</font>\
             <a href=\"http://e.com/?a>b\">z</a><br/><img\nsrc=x.gif width = 1>",
            &mut |t| seen.push(t.to_string()),
        );
        assert_eq!(
            seen,
            [
                "html",
                "body",
                "body.bgcolor",
                "p",
                "font",
                "font.color",
                "font.size",
                "a",
                "a.href",
                "br",
                "img",
                "img.src",
                "img.width"
            ]
        );
    }

    #[test]
    fn find_tags_survives_truncated_markup() {
        for html in [
            "<",
            "<a",
            "<a href",
            "<a href=",
            "<a href=\"x",
            "<a b='",
            "<é>",
            "<a\u{e9}=1>",
        ] {
            find_tags(html, &mut |_| ());
        }
    }

    #[test]
    fn hrefs() {
        let mut urls = Vec::new();
        find_hrefs(
            r#"<a HREF = "http://x.example/1">a</a><a href='http://y.example/2'>
               <a href=http://z.example/3>z</a><link rel="x"><a data-href="no">"#,
            &mut |u| urls.push(u.to_string()),
        );
        assert_eq!(
            urls,
            [
                "http://x.example/1",
                "http://y.example/2",
                "http://z.example/3"
            ]
        );
    }
}
