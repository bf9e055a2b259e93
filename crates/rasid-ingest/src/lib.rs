//! rasid's readers for the web: an HTML page (bytes, as fetched or saved) to the article it
//! carries — title, publication date, canonical URL, site, language and the main text, in
//! order, without menus, tickers, share bars, "most read" lists, related links, comments
//! or footers.
//!
//! Feeds (RSS and Atom) are read by [`parse_feed`] into the items they announce.
//!
//! Pure: bytes in, `(Page, diagnostics)` out; no I/O, no clock.
//!
//! - **Charset**: byte-order mark, then the HTTP header's charset when the caller has one,
//!   then `<meta charset>` / `http-equiv` in the first 4 KB, then UTF-8 if the bytes are
//!   valid UTF-8, else windows-1256 (the legacy Arabic code page). Decoding never fails:
//!   malformed sequences become U+FFFD and a diagnostic says how many.
//! - **Main text**: the page is parsed as browsers do (html5ever; broken and truncated
//!   markup included) into text blocks; blocks of real prose (long enough, few links) score
//!   their containers, the best container is the article, and its blocks are kept in
//!   order when they are prose or headings. Subtrees that are boilerplate by their tag
//!   (`nav`, `aside`, `footer`, forms, scripts) or by their class or id (menu, share,
//!   related, comments, ticker, most-read…) never count.

pub mod feed;

pub use feed::{looks_like_feed, parse_feed, Feed, FeedConfig, FeedError, FeedItem};

use encoding_rs::Encoding;
use scraper::{ElementRef, Html, Node, Selector};
use serde::Serialize;

/// What a page yields.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Page {
    /// The article's title.
    pub title: Option<String>,
    /// Publication date (YYYY-MM-DD).
    pub published: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// The site's name.
    pub site: Option<String>,
    /// Language code from the markup (`ar`, `en`…), if declared.
    pub lang: Option<String>,
    /// The main text: one block (paragraph or heading) per line.
    pub text: String,
}

/// Settings of [`clean_html`].
#[derive(Debug, Clone, PartialEq)]
pub struct CleanConfig {
    /// A block shorter than this (in characters) is kept only inside the article's
    /// container and only when it is a heading or ends a sentence.
    pub min_block_chars: usize,
    /// A block whose share of characters inside links exceeds this is navigation.
    pub max_link_density: f64,
}

impl Default for CleanConfig {
    fn default() -> CleanConfig {
        CleanConfig {
            min_block_chars: 25,
            max_link_density: 0.4,
        }
    }
}

/// Decode page bytes to text. `http_charset` is the charset of the HTTP `Content-Type`
/// header, if the page was fetched. Returns the text, the encoding used and diagnostics.
pub fn decode(
    bytes: &[u8],
    http_charset: Option<&str>,
) -> (String, &'static Encoding, Vec<String>) {
    let mut diags = Vec::new();
    let (enc, how) = if let Some((enc, _)) = Encoding::for_bom(bytes) {
        (enc, "byte-order mark")
    } else if let Some(enc) = http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        (enc, "HTTP header")
    } else if let Some(enc) = meta_charset(&bytes[..bytes.len().min(4096)]) {
        (enc, "meta charset")
    } else if std::str::from_utf8(bytes).is_ok() {
        (encoding_rs::UTF_8, "valid UTF-8")
    } else {
        (
            encoding_rs::WINDOWS_1256,
            "not UTF-8, no charset declared: read as windows-1256",
        )
    };
    // A page that declares UTF-8 but is not (or declares a Latin code page for Arabic text)
    // is common: UTF-8 that validates wins over a declared single-byte code page.
    let enc = if enc != encoding_rs::UTF_8
        && how == "meta charset"
        && enc.name() != "windows-1256"
        && enc.name() != "ISO-8859-6"
        && std::str::from_utf8(bytes).is_ok()
        && !bytes.is_ascii()
    {
        diags.push(format!(
            "declared {} but the bytes are UTF-8: read as UTF-8",
            enc.name()
        ));
        encoding_rs::UTF_8
    } else {
        enc
    };
    let (text, _, malformed) = enc.decode(bytes);
    if malformed {
        let n = text.matches('\u{FFFD}').count();
        diags.push(format!(
            "{n} malformed byte sequence(s) for {} ({how}), replaced by U+FFFD",
            enc.name()
        ));
    }
    (text.into_owned(), enc, diags)
}

/// The charset a page declares in a `<meta>` tag, if any.
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let lower: Vec<u8> = head.iter().map(|b| b.to_ascii_lowercase()).collect();
    let mut from = 0;
    while let Some(i) = find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = find(&lower[start..], b">").map_or(lower.len(), |e| start + e);
        let tag = &lower[start..end];
        if let Some(c) = find(tag, b"charset") {
            let rest = &tag[c + 7..];
            let rest = rest
                .iter()
                .position(|&b| b != b' ' && b != b'=' && b != b'"' && b != b'\'')
                .map_or(&[][..], |p| &rest[p..]);
            let label: Vec<u8> = rest
                .iter()
                .take_while(|&&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b':')
                .copied()
                .collect();
            if let Some(enc) = Encoding::for_label(&label) {
                // A page saved as UTF-16 cannot declare itself in ASCII bytes.
                return Some(
                    if enc == encoding_rs::UTF_16LE || enc == encoding_rs::UTF_16BE {
                        encoding_rs::UTF_8
                    } else {
                        enc
                    },
                );
            }
        }
        from = end;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Tags whose whole subtree is never article text.
const DROP: &[&str] = &[
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed",
    "form", "button", "select", "input", "textarea", "nav", "aside", "footer", "menu", "dialog",
    "video", "audio", "map", "head",
];

/// Inline tags: their text belongs to the block around them.
const INLINE: &[&str] = &[
    "a", "span", "b", "strong", "em", "i", "u", "font", "small", "big", "sup", "sub", "abbr",
    "time", "mark", "q", "cite", "code", "kbd", "s", "del", "ins", "bdi", "bdo", "label", "img",
    "wbr", "tt", "var", "dfn", "data",
];

/// Class and id words of boilerplate containers (matched as parts of the attribute).
const NEGATIVE: &[&str] = &[
    "comment",
    "share",
    "sharing",
    "social",
    "related",
    "menu",
    "navbar",
    "nav-",
    "footer",
    "sidebar",
    "side-bar",
    "breadcrumb",
    "ticker",
    "marquee",
    "breaking",
    "most-read",
    "mostread",
    "most_read",
    "popular",
    "trending",
    "newsletter",
    "subscribe",
    "advert",
    "ads-",
    "-ads",
    "ad-slot",
    "adslot",
    "banner",
    "promo",
    "cookie",
    "popup",
    "modal",
    "widget",
    "tags",
    "tag-list",
    "keywords",
    "author-box",
    "read-more",
    "readmore",
    "see-also",
    "also-read",
    "more-news",
    "pagination",
    "pager",
    "print",
    "login",
    "signup",
    "copyright",
    "disclaimer",
    "outbrain",
    "taboola",
    "recommend",
    "header-top",
    "topbar",
];

/// Class and id words of article containers.
const POSITIVE: &[&str] = &[
    "article",
    "content",
    "story",
    "post-body",
    "entry",
    "news-body",
    "text",
    "body",
    "main",
    "details",
    "detail",
    "post",
];

fn attr_words(e: &scraper::node::Element) -> String {
    let mut s = String::new();
    if let Some(c) = e.attr("class") {
        s.push_str(c);
    }
    s.push(' ');
    if let Some(i) = e.id() {
        s.push_str(i);
    }
    s.to_ascii_lowercase()
}

fn is_negative(e: &scraper::node::Element) -> bool {
    let w = attr_words(e);
    if w.trim().is_empty() {
        return false;
    }
    // A container that is both ("article-comments") is the negative part; one named
    // "article-body … sharing-enabled" is rare enough to accept the loss.
    NEGATIVE.iter().any(|n| w.contains(n))
        && !(w.contains("article-body") || w.contains("story-body") || w.contains("entry-content"))
}

fn is_positive(e: &scraper::node::Element) -> bool {
    let w = attr_words(e);
    POSITIVE.iter().any(|p| w.contains(p))
}

/// A run of text owned by one block-level element.
#[derive(Debug, Default)]
struct Block {
    tag: String,
    parent: Option<usize>,
    text: String,
    link_chars: usize,
    positive: bool,
}

struct Walker {
    blocks: Vec<Block>,
}

impl Walker {
    /// Walk a subtree in document order. Iterative: a page nested thousands of levels
    /// deep (hostile or broken) must not exhaust the stack.
    fn visit(&mut self, root: ego_node::NodeRef<'_>, block: usize) {
        let mut stack = vec![(root, block, false, false)];
        while let Some((node, block, in_link, in_article)) = stack.pop() {
            let push_children = |stack: &mut Vec<_>, block: usize, link: bool, art: bool| {
                let children: Vec<_> = node.children().collect();
                for c in children.into_iter().rev() {
                    stack.push((c, block, link, art));
                }
            };
            match node.value() {
                Node::Text(t) => {
                    let b = &mut self.blocks[block];
                    let before = b.text.chars().count();
                    push_text(&mut b.text, t);
                    if in_link {
                        b.link_chars += b.text.chars().count() - before;
                    }
                }
                Node::Element(e) => {
                    let name = e.name().to_ascii_lowercase();
                    if DROP.contains(&name.as_str()) || is_negative(e) {
                        continue;
                    }
                    // A site header holds menus; an article's own <header> holds its title.
                    if name == "header" && !in_article {
                        continue;
                    }
                    let in_article = in_article || name == "article" || name == "main";
                    if name == "br" {
                        self.blocks[block].text.push('\n');
                        continue;
                    }
                    if INLINE.contains(&name.as_str()) {
                        push_children(&mut stack, block, in_link || name == "a", in_article);
                        continue;
                    }
                    self.blocks.push(Block {
                        tag: name,
                        parent: Some(block),
                        positive: is_positive(e),
                        ..Block::default()
                    });
                    let me = self.blocks.len() - 1;
                    push_children(&mut stack, me, in_link, in_article);
                }
                _ => {}
            }
        }
    }
}

/// The tree types scraper builds on.
mod ego_node {
    pub type NodeRef<'a> = ego_tree::NodeRef<'a, scraper::Node>;
}

fn push_text(out: &mut String, t: &str) {
    for piece in t.split_whitespace() {
        if !out.is_empty() && !out.ends_with([' ', '\n']) {
            out.push(' ');
        }
        out.push_str(piece);
    }
    if t.ends_with(char::is_whitespace) && !out.is_empty() && !out.ends_with([' ', '\n']) {
        out.push(' ');
    }
}

fn is_heading(tag: &str) -> bool {
    matches!(tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6")
}

/// The article of an HTML page. `http_charset` as in [`decode`]. Diagnostics say how the
/// page was decoded and what could not be found.
pub fn clean_html(
    bytes: &[u8],
    http_charset: Option<&str>,
    config: &CleanConfig,
) -> (Page, Vec<String>) {
    let (text, _, mut diags) = decode(bytes, http_charset);
    let html = Html::parse_document(&text);
    let mut page = metadata(&html);
    let body = Selector::parse("body").expect("selector");
    let root = html
        .select(&body)
        .next()
        .unwrap_or_else(|| html.root_element());
    let mut w = Walker {
        blocks: vec![Block {
            tag: "body".into(),
            ..Block::default()
        }],
    };
    for c in root.children() {
        w.visit(c, 0);
    }
    let blocks = w.blocks;
    let chars = |b: &Block| b.text.trim().chars().count();
    let density = |b: &Block| b.link_chars as f64 / chars(b).max(1) as f64;
    // Prose scores its containers (its parent fully, the grandparent by half), in the
    // manner of the readability family of algorithms.
    let mut score = vec![0f64; blocks.len()];
    for (i, b) in blocks.iter().enumerate() {
        let n = chars(b);
        if n < config.min_block_chars || density(b) > config.max_link_density {
            continue;
        }
        let commas = b.text.matches([',', '،', '.']).count() as f64;
        let s = 1.0 + commas.min(10.0) * 0.5 + (n as f64 / 100.0).min(5.0);
        let mut at = Some(i);
        let mut share = 1.0;
        for _ in 0..3 {
            let Some(j) = at else { break };
            score[j] += s * share;
            share /= 2.0;
            at = blocks[j].parent;
        }
    }
    for (i, b) in blocks.iter().enumerate() {
        if b.positive {
            score[i] *= 1.25;
        }
    }
    let best = (0..blocks.len())
        .filter(|&i| blocks[i].tag != "p" && !is_heading(&blocks[i].tag))
        .max_by(|&a, &b| score[a].total_cmp(&score[b]))
        .unwrap_or(0);
    let inside = |mut i: usize| loop {
        if i == best {
            return true;
        }
        match blocks[i].parent {
            Some(p) => i = p,
            None => return false,
        }
    };
    let mut lines: Vec<String> = Vec::new();
    for (i, b) in blocks.iter().enumerate() {
        let t = b.text.trim();
        if t.is_empty() || !inside(i) {
            continue;
        }
        let n = chars(b);
        let prose = density(b) <= config.max_link_density
            && (n >= config.min_block_chars || t.ends_with(['.', '!', '?', '؟', '»', '"']));
        let heading = is_heading(&b.tag) && density(b) <= 0.5;
        if prose || heading {
            for line in t.split('\n').map(str::trim).filter(|l| !l.is_empty()) {
                lines.push(line.to_string());
            }
        }
    }
    // The title often opens the container too: keep it once, as the title.
    if let (Some(title), Some(first)) = (&page.title, lines.first()) {
        if first == title {
            lines.remove(0);
        }
    }
    if lines.is_empty() {
        diags.push("no article text found".into());
    }
    page.text = lines.join("\n");
    if page.published.is_none() {
        if let Some(d) = page.url.as_deref().and_then(date_in_url) {
            page.published = Some(d);
        }
    }
    (page, diags)
}

fn meta_content(html: &Html, selectors: &[&str]) -> Option<String> {
    for s in selectors {
        let sel = Selector::parse(s).expect("selector");
        if let Some(v) = html
            .select(&sel)
            .filter_map(|e| e.value().attr("content").or(e.value().attr("href")))
            .map(|v| v.trim().to_string())
            .find(|v| !v.is_empty())
        {
            return Some(v);
        }
    }
    None
}

fn element_text(e: ElementRef) -> String {
    let mut s = String::new();
    for t in e.text() {
        push_text(&mut s, t);
    }
    s.trim().to_string()
}

fn metadata(html: &Html) -> Page {
    let title = meta_content(
        html,
        &[
            r#"meta[property="og:title"]"#,
            r#"meta[name="twitter:title"]"#,
        ],
    )
    .or_else(|| {
        let h1 = Selector::parse("h1").expect("selector");
        html.select(&h1).map(element_text).find(|t| !t.is_empty())
    })
    .or_else(|| {
        let t = Selector::parse("title").expect("selector");
        html.select(&t).map(element_text).find(|t| !t.is_empty())
    });
    let published = meta_content(
        html,
        &[
            r#"meta[property="article:published_time"]"#,
            r#"meta[name="article:published_time"]"#,
            r#"meta[itemprop="datePublished"]"#,
            r#"meta[name="pubdate"]"#,
            r#"meta[name="publishdate"]"#,
            r#"meta[name="date"]"#,
            r#"meta[name="DC.date.issued"]"#,
            r#"meta[property="og:updated_time"]"#,
        ],
    )
    .and_then(|d| iso_date(&d))
    .or_else(|| json_ld_date(html))
    .or_else(|| {
        let t = Selector::parse("time[datetime]").expect("selector");
        html.select(&t)
            .filter_map(|e| e.value().attr("datetime"))
            .find_map(iso_date)
    });
    let url = meta_content(
        html,
        &[r#"link[rel="canonical"]"#, r#"meta[property="og:url"]"#],
    );
    let site = meta_content(html, &[r#"meta[property="og:site_name"]"#]);
    let lang = {
        let h = Selector::parse("html[lang]").expect("selector");
        html.select(&h)
            .filter_map(|e| e.value().attr("lang"))
            .map(|l| l.split(['-', '_']).next().unwrap_or(l).to_ascii_lowercase())
            .find(|l| !l.is_empty())
    };
    Page {
        title,
        published,
        url,
        site,
        lang,
        text: String::new(),
    }
}

/// `datePublished` anywhere in the page's JSON-LD.
fn json_ld_date(html: &Html) -> Option<String> {
    let sel = Selector::parse(r#"script[type="application/ld+json"]"#).expect("selector");
    fn walk(v: &serde_json::Value) -> Option<String> {
        match v {
            serde_json::Value::Object(m) => m
                .get("datePublished")
                .and_then(|d| d.as_str())
                .and_then(iso_date)
                .or_else(|| m.values().find_map(walk)),
            serde_json::Value::Array(a) => a.iter().find_map(walk),
            _ => None,
        }
    }
    html.select(&sel).find_map(|e| {
        let text: String = e.text().collect();
        serde_json::from_str::<serde_json::Value>(text.trim())
            .ok()
            .as_ref()
            .and_then(walk)
    })
}

/// The `YYYY-MM-DD` at the start of a date-time value, if it is a real date.
fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let d = s.get(..10)?;
    let b = d.as_bytes();
    let ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.chars()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !ok {
        return None;
    }
    let (y, m, day): (u32, u32, u32) = (
        d[..4].parse().ok()?,
        d[5..7].parse().ok()?,
        d[8..].parse().ok()?,
    );
    ((1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&day))
        .then(|| d.to_string())
}

/// A date in a URL path (`/2024/07/22/`, `/2024-07-22/`).
fn date_in_url(url: &str) -> Option<String> {
    let parts: Vec<&str> = url.split(['/', '?', '#']).collect();
    for w in parts.windows(3) {
        if let (Ok(y), Ok(m), Ok(d)) = (
            w[0].parse::<u32>(),
            w[1].parse::<u32>(),
            w[2].parse::<u32>(),
        ) {
            if w[0].len() == 4
                && (1990..=2100).contains(&y)
                && (1..=12).contains(&m)
                && (1..=31).contains(&d)
            {
                return Some(format!("{y:04}-{m:02}-{d:02}"));
            }
        }
    }
    parts.iter().find_map(|p| iso_date(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(
            iso_date("2024-07-22T10:00:00+03:00").as_deref(),
            Some("2024-07-22")
        );
        assert_eq!(iso_date("2024-13-22"), None);
        assert_eq!(iso_date("22/07/2024"), None);
        assert_eq!(
            date_in_url("https://x.com/news/2024/07/22/story").as_deref(),
            Some("2024-07-22")
        );
        assert_eq!(
            date_in_url("https://x.com/2024-07-21/story").as_deref(),
            Some("2024-07-21")
        );
        assert_eq!(date_in_url("https://x.com/story/12345"), None);
    }

    #[test]
    fn charsets() {
        let (t, enc, d) = decode(b"\xEF\xBB\xBF<p>\xD8\xA7</p>", None);
        assert_eq!((enc.name(), t.as_str(), d.len()), ("UTF-8", "<p>ا</p>", 0));
        // windows-1256: "داعش" is E3 C7 DA D4 there.
        let page = b"<html><head><meta charset=\"windows-1256\"></head><body><p>\xcf\xc7\xda\xd4</p></body></html>";
        let (t, enc, _) = decode(page, None);
        assert_eq!(enc.name(), "windows-1256");
        assert!(t.contains("داعش"), "{t}");
        let (_, enc, _) = decode(b"<p>\xcf\xc7\xda\xd4</p>", None);
        assert_eq!(enc.name(), "windows-1256", "undeclared, not UTF-8");
        let (_, enc, _) = decode(b"<p>x</p>", Some("ISO-8859-6"));
        assert_eq!(enc.name(), "ISO-8859-6", "the HTTP header decides");
        let (t, _, d) = decode(b"<meta charset=utf-8><p>\xff\xfe ok</p>", None);
        assert!(
            t.contains('\u{FFFD}') && d[0].contains("malformed"),
            "{d:?}"
        );
    }
}
