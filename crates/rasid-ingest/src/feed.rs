//! RSS 2.0, RSS 1.0 and Atom feeds (through `feed-rs`) to the items they announce.
//!
//! Pure: bytes in, `(items, diagnostics)` or an error out. The bytes are decoded first
//! (byte-order mark, HTTP charset, the XML declaration's `encoding`, else UTF-8 or
//! windows-1256, as pages are), so that legacy Arabic feeds read as well as UTF-8 ones.

use serde::Serialize;

/// One item of a feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedItem {
    /// The item's id (`guid`, Atom `id`), else its link.
    pub id: String,
    /// The title.
    pub title: Option<String>,
    /// The link to the article's page (absolute).
    pub link: Option<String>,
    /// Publication (else update) date, `YYYY-MM-DD`.
    pub published: Option<String>,
    /// The text the feed itself carries (full content, else summary), as plain text with
    /// one block per line.
    pub text: String,
}

/// A parsed feed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feed {
    /// The feed's title.
    pub title: Option<String>,
    /// Its items, in feed order, at most [`FeedConfig::max_items`].
    pub items: Vec<FeedItem>,
    /// How many items the feed had in all.
    pub total_items: usize,
}

/// Settings of [`parse_feed`].
#[derive(Debug, Clone, PartialEq)]
pub struct FeedConfig {
    /// Items beyond this many are dropped (with a diagnostic): a feed is a list of recent
    /// news, and one of 100,000 items is an archive or an attack.
    pub max_items: usize,
}

impl Default for FeedConfig {
    fn default() -> FeedConfig {
        FeedConfig { max_items: 1000 }
    }
}

/// Why bytes are not a feed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
#[error("not a readable RSS or Atom feed: {0}")]
pub struct FeedError(pub String);

/// Whether a response is a feed rather than a page: by its media type, else by its
/// first bytes.
pub fn looks_like_feed(bytes: &[u8], media_type: Option<&str>) -> bool {
    if let Some(m) = media_type {
        if m.contains("rss") || m.contains("atom") || m.contains("rdf") {
            return true;
        }
        if m.contains("html") {
            return false;
        }
    }
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    let head = head.trim_start_matches('\u{feff}').trim_start();
    let mut rest = head;
    // Skip the XML declaration, comments and processing instructions before the root.
    loop {
        rest = rest.trim_start();
        if rest.starts_with("<?") {
            match rest.find("?>") {
                Some(e) => rest = &rest[e + 2..],
                None => return false,
            }
        } else if rest.starts_with("<!--") {
            match rest.find("-->") {
                Some(e) => rest = &rest[e + 3..],
                None => return false,
            }
        } else {
            break;
        }
    }
    rest.starts_with("<rss") || rest.starts_with("<feed") || rest.starts_with("<rdf:rdf")
}

/// Parse a feed. `base_url` resolves relative links; `http_charset` is the charset of
/// the HTTP header, if fetched.
pub fn parse_feed(
    bytes: &[u8],
    base_url: Option<&str>,
    http_charset: Option<&str>,
    config: &FeedConfig,
) -> Result<(Feed, Vec<String>), FeedError> {
    let declared = xml_encoding(&bytes[..bytes.len().min(512)]);
    let (text, _, mut diags) = crate::decode(bytes, http_charset.or(declared.as_deref()));
    // The text is UTF-8 now: say so to the XML parser.
    let body = strip_xml_declaration(&text);
    let parser = feed_rs::parser::Builder::new().base_uri(base_url).build();
    let feed = parser
        .parse(body.as_bytes())
        .map_err(|e| FeedError(e.to_string()))?;
    let total_items = feed.entries.len();
    if total_items > config.max_items {
        diags.push(format!(
            "the feed has {total_items} items: the first {} are read, the other {} skipped",
            config.max_items,
            total_items - config.max_items
        ));
    }
    let items = feed
        .entries
        .into_iter()
        .take(config.max_items)
        .map(|e| {
            let link = e
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .or(e.links.first())
                .map(|l| l.href.trim())
                .filter(|h| !h.is_empty())
                .map(|h| match base_url {
                    Some(b) => join_url(b, h),
                    None => h.to_string(),
                });
            let html = e
                .content
                .and_then(|c| c.body)
                .filter(|b| !b.trim().is_empty())
                .or_else(|| e.summary.map(|s| s.content))
                .unwrap_or_default();
            let id = if e.id.trim().is_empty() {
                link.clone().unwrap_or_default()
            } else {
                e.id
            };
            FeedItem {
                id,
                title: e.title.map(|t| fragment_text(&t.content)),
                link,
                published: e
                    .published
                    .or(e.updated)
                    .map(|d| d.format("%Y-%m-%d").to_string())
                    // Years past 9999 or before 0 are junk, not dates.
                    .filter(|d| d.len() == 10 && d.as_bytes()[0].is_ascii_digit()),
                text: fragment_text(&html),
            }
        })
        .collect();
    Ok((
        Feed {
            title: feed.title.map(|t| fragment_text(&t.content)),
            items,
            total_items,
        },
        diags,
    ))
}

/// `link` resolved against `base` (absolute, protocol-relative, root-relative or
/// relative links, as feeds have them).
pub fn join_url(base: &str, link: &str) -> String {
    let scheme_end = |s: &str| s.find("://").map(|i| i + 3);
    if link.contains("://") {
        return link.to_string();
    }
    let Some(after_scheme) = scheme_end(base) else {
        return link.to_string();
    };
    if let Some(rest) = link.strip_prefix("//") {
        return format!("{}{rest}", &base[..after_scheme]);
    }
    let path_start = base[after_scheme..]
        .find(['/', '?', '#'])
        .map_or(base.len(), |i| after_scheme + i);
    if link.starts_with('/') {
        return format!("{}{link}", &base[..path_start]);
    }
    let base_path = &base[..base[path_start..]
        .find(['?', '#'])
        .map_or(base.len(), |i| path_start + i)];
    match base_path[path_start..].rfind('/') {
        Some(i) => format!("{}{link}", &base_path[..path_start + i + 1]),
        None => format!("{base_path}/{link}"),
    }
}

/// The `encoding` of an XML declaration.
fn xml_encoding(head: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(head);
    let decl = head.trim_start_matches('\u{feff}').trim_start();
    let decl = &decl[..decl.strip_prefix("<?xml")?.find("?>")? + 5];
    let at = decl.find("encoding")?;
    let rest = decl[at + 8..].trim_start().strip_prefix('=')?.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(rest[..rest.find(quote)?].to_string())
}

fn strip_xml_declaration(text: &str) -> &str {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    match t
        .strip_prefix("<?xml")
        .and_then(|r| r.find("?>").map(|e| &r[e + 2..]))
    {
        Some(rest) => rest,
        None => t,
    }
}

/// Plain text of an HTML fragment (feed titles and bodies are often HTML): one block per
/// line, tags and scripts dropped, entities decoded.
pub fn fragment_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let doc = scraper::Html::parse_fragment(html);
    let mut out = String::new();
    let mut line = String::new();
    for edge in doc.root_element().traverse() {
        match edge {
            ego_tree::iter::Edge::Open(n) => match n.value() {
                scraper::Node::Text(t) => {
                    let skip = n
                        .ancestors()
                        .filter_map(|a| a.value().as_element())
                        .any(|e| matches!(e.name(), "script" | "style" | "noscript"));
                    if !skip {
                        line.push_str(t);
                    }
                }
                scraper::Node::Element(e) if e.name() == "br" => line.push('\n'),
                _ => {}
            },
            ego_tree::iter::Edge::Close(n) => {
                if let Some(e) = n.value().as_element() {
                    if matches!(
                        e.name(),
                        "p" | "div" | "li" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote"
                    ) {
                        line.push('\n');
                    }
                }
            }
        }
        if line.ends_with('\n') {
            flush(&mut out, &mut line);
        }
    }
    flush(&mut out, &mut line);
    out
}

fn flush(out: &mut String, line: &mut String) {
    for l in line.split('\n') {
        let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
        if !l.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&l);
        }
    }
    line.clear();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffing() {
        assert!(looks_like_feed(b"", Some("application/rss+xml")));
        assert!(looks_like_feed(
            b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- hi --><rss version=\"2.0\">",
            Some("text/xml")
        ));
        assert!(looks_like_feed(
            b"<feed xmlns='http://www.w3.org/2005/Atom'>",
            None
        ));
        assert!(!looks_like_feed(b"<!doctype html><html>", None));
        assert!(!looks_like_feed(b"<rss>", Some("text/html")));
        assert!(!looks_like_feed(b"<?xml never closed", None));
    }

    #[test]
    fn declarations() {
        assert_eq!(
            xml_encoding(b"<?xml version=\"1.0\" encoding='windows-1256' ?><rss/>").as_deref(),
            Some("windows-1256")
        );
        assert_eq!(xml_encoding(b"<?xml version=\"1.0\"?><rss/>"), None);
        assert_eq!(xml_encoding(b"<rss/>"), None);
        assert_eq!(
            strip_xml_declaration("<?xml version='1.0'?><rss/>"),
            "<rss/>"
        );
    }

    #[test]
    fn links() {
        let b = "https://h.net/news/feed.xml?x=1";
        assert_eq!(join_url(b, "http://o.org/a"), "http://o.org/a");
        assert_eq!(join_url(b, "//cdn.h.net/a"), "https://cdn.h.net/a");
        assert_eq!(join_url(b, "/a/b.html"), "https://h.net/a/b.html");
        assert_eq!(join_url(b, "b.html"), "https://h.net/news/b.html");
        assert_eq!(join_url("https://h.net", "b.html"), "https://h.net/b.html");
        assert_eq!(join_url("not a url", "b.html"), "b.html");
    }

    #[test]
    fn fragments() {
        assert_eq!(
            fragment_text("<p>One &amp; two</p><p>three<br>four</p><script>x()</script>"),
            "One & two\nthree\nfour"
        );
        assert_eq!(fragment_text("  plain   text "), "plain text");
    }
}
