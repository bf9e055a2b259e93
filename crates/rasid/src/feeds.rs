//! The feeds file of `rasid watch`:
//!
//! ```toml
//! interval = "15m"          # how often a feed is polled, unless it says otherwise
//!
//! [[feed]]
//! url = "https://example.org/rss.xml"
//! name = "Example news"     # optional
//! interval = "5m"           # optional
//! ```

use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use serde::Deserialize;

/// One feed to poll.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedSpec {
    /// Its URL.
    pub url: String,
    /// A name for people, if given.
    pub name: Option<String>,
    /// How often it is polled.
    pub interval: Duration,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    interval: Option<String>,
    #[serde(default)]
    feed: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    url: String,
    name: Option<String>,
    interval: Option<String>,
}

/// The default poll interval.
const DEFAULT_INTERVAL: Duration = Duration::from_secs(15 * 60);

/// Read and check a feeds file; errors name the file and the feed.
pub fn load(path: &Path) -> Result<Vec<FeedSpec>> {
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    parse(&text).with_context(|| path.display().to_string())
}

fn parse(text: &str) -> Result<Vec<FeedSpec>> {
    let file: File = toml::from_str(text)?;
    let default = match &file.interval {
        Some(i) => interval(i).context("interval")?,
        None => DEFAULT_INTERVAL,
    };
    if file.feed.is_empty() {
        bail!("no [[feed]] tables: nothing to watch");
    }
    let mut out: Vec<FeedSpec> = Vec::with_capacity(file.feed.len());
    for (i, f) in file.feed.into_iter().enumerate() {
        let at = format!("feed {} ({})", i + 1, f.url);
        if !rasid_fetch::is_url(&f.url) {
            bail!("{at}: url: not an http(s) URL");
        }
        if out.iter().any(|o| o.url == f.url) {
            bail!("{at}: url: listed twice");
        }
        let interval = match &f.interval {
            Some(s) => interval(s).with_context(|| format!("{at}: interval"))?,
            None => default,
        };
        out.push(FeedSpec {
            url: f.url,
            name: f.name,
            interval,
        });
    }
    Ok(out)
}

/// `90s`, `15m`, `2h`, `1d` (at least 10 seconds: feeds are not to be hammered).
fn interval(s: &str) -> Result<Duration> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n
        .parse()
        .with_context(|| format!("{s:?}: expected a number and a unit (s, m, h, d)"))?;
    let secs = match unit.trim() {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => bail!("{s:?}: expected a number and a unit (s, m, h, d)"),
    };
    if secs < 10 {
        bail!("{s:?}: shorter than 10 seconds");
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file() {
        let f = parse(
            "interval = \"10m\"\n[[feed]]\nurl = \"http://127.0.0.1:1/a.xml\"\n\
             [[feed]]\nurl = \"https://h.net/b\"\nname = \"B\"\ninterval = \"90s\"\n",
        )
        .unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].interval, Duration::from_secs(600));
        assert_eq!(f[1].interval, Duration::from_secs(90));
        assert_eq!(f[1].name.as_deref(), Some("B"));
    }

    #[test]
    fn errors_name_the_feed_and_field() {
        let e = |t: &str| format!("{:#}", parse(t).unwrap_err());
        assert!(e("[[feed]]\nurl = \"ftp://x\"\n").contains("feed 1 (ftp://x): url"));
        assert!(e("[[feed]]\nurl = \"http://x\"\ninterval = \"5\"\n")
            .contains("feed 1 (http://x): interval"));
        assert!(e("[[feed]]\nurl = \"http://x\"\ninterval = \"2s\"\n").contains("shorter"));
        assert!(
            e("[[feed]]\nurl = \"http://x\"\n[[feed]]\nurl = \"http://x\"\n")
                .contains("feed 2 (http://x): url: listed twice")
        );
        assert!(e("[[feed]]\nurl = \"http://x\"\nurll = 1\n").contains("unknown field"));
        assert!(e("").contains("no [[feed]]"));
        assert!(e("[[feed]\n").contains("line 1"));
    }
}
