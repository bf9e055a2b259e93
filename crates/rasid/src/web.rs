//! Feeds and pages over HTTP, for `rasid ingest URL`, `rasid extract URL` and `rasid watch`:
//! a URL is fetched (conditionally, when an earlier poll left validators); a feed's items
//! are followed to their pages (politely, one host at a time), unless already stored; a
//! page is cleaned like a saved one.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use rasid_fetch::{Body, FetchConfig, Fetcher, Validators};
use rasid_ingest::{FeedConfig, FeedItem};

use crate::batches::{PageRaw, Raw};

/// Fetching settings shared by the commands that read URLs.
#[derive(clap::Args, Debug, Clone)]
pub struct WebArgs {
    /// Least seconds between two requests to the same host.
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    delay: f64,
    /// Seconds a request may take in all.
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    timeout: f64,
    /// Retries of a request that timed out or got a 5xx/429 answer (with back-off).
    #[arg(long, value_name = "N", default_value_t = 2)]
    retries: u32,
    /// First back-off wait in seconds (doubled at each retry).
    #[arg(long, value_name = "SECS", default_value_t = 2.0)]
    backoff: f64,
    /// Largest feed or page accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 10_000_000)]
    max_bytes: u64,
    /// Most items read from one feed.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    max_items: usize,
    /// Use the text a feed carries instead of fetching each item's page.
    #[arg(long)]
    no_follow: bool,
}

fn secs(name: &str, v: f64) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(v).map_err(|_| anyhow::anyhow!("--{name}: not a duration: {v}"))
}

/// The outcome of polling one feed.
#[derive(Debug, Clone)]
pub struct Poll {
    /// The feed's URL.
    pub url: String,
    /// Validators for the next conditional GET.
    pub validators: Validators,
    /// What happened, for people.
    pub status: String,
    /// Whether it worked (a 304 did).
    pub ok: bool,
    /// Items the feed listed.
    pub items: usize,
    /// Items not stored before.
    pub new_items: usize,
}

/// Tells whether a URL is stored.
type Known = Box<dyn Fn(&str) -> bool + Send>;

/// The fetcher and what it knows: which URLs are stored, the feeds' validators, and the
/// polls made.
pub struct Web {
    fetcher: Fetcher,
    feed: FeedConfig,
    follow: bool,
    known: Option<Known>,
    validators: HashMap<String, Validators>,
    seen: HashSet<String>,
    /// The feeds polled, in order.
    pub polls: Vec<Poll>,
}

impl Web {
    /// A fetcher with the command line's settings.
    pub fn new(a: &WebArgs) -> anyhow::Result<Web> {
        Ok(Web {
            fetcher: Fetcher::new(FetchConfig {
                timeout: secs("timeout", a.timeout)?,
                connect_timeout: secs("timeout", a.timeout.min(10.0))?,
                max_bytes: a.max_bytes,
                retries: a.retries,
                backoff: secs("backoff", a.backoff)?,
                host_delay: secs("delay", a.delay)?,
                ..FetchConfig::default()
            }),
            feed: FeedConfig {
                max_items: a.max_items,
            },
            follow: !a.no_follow,
            known: None,
            validators: HashMap::new(),
            seen: HashSet::new(),
            polls: Vec::new(),
        })
    }

    /// Skip feed items whose link `known` says is stored.
    pub fn with_known(mut self, known: impl Fn(&str) -> bool + Send + 'static) -> Web {
        self.known = Some(Box::new(known));
        self
    }

    /// Validators of earlier polls, by feed URL.
    pub fn with_validators(mut self, v: HashMap<String, Validators>) -> Web {
        self.validators = v;
        self
    }

    /// Fetch `url` and hand what it yields to `push`: a page, or the items of a feed.
    pub fn read(&mut self, url: &str, push: &mut dyn FnMut(Raw)) {
        let previous = self.validators.get(url).cloned().unwrap_or_default();
        let fetched = match self.fetcher.get(url, &previous) {
            Ok(f) => f,
            Err(e) => {
                self.poll(url, previous, false, e.to_string(), 0, 0);
                push(Raw::Error(e.to_string()));
                return;
            }
        };
        let bytes = match fetched.body {
            Body::NotModified => {
                self.poll(url, fetched.validators, true, "not modified".into(), 0, 0);
                return;
            }
            Body::Bytes(b) => b,
        };
        if !rasid_ingest::looks_like_feed(&bytes, fetched.media_type.as_deref()) {
            push(Raw::Page(Box::new(PageRaw {
                id: fetched.url.clone(),
                bytes,
                charset: fetched.charset,
                url: Some(fetched.url),
                item: None,
            })));
            return;
        }
        let parsed = rasid_ingest::parse_feed(
            &bytes,
            Some(&fetched.url),
            fetched.charset.as_deref(),
            &self.feed,
        );
        let (feed, diags) = match parsed {
            Ok(v) => v,
            Err(e) => {
                let msg = format!("{url}: {e}");
                self.poll(url, Validators::default(), false, msg.clone(), 0, 0);
                push(Raw::Error(msg));
                return;
            }
        };
        for d in diags {
            eprintln!("rasid: {url}: {d}");
        }
        let source = feed
            .title
            .clone()
            .filter(|t| !t.is_empty())
            .or_else(|| rasid_fetch::host_of(url));
        let mut new_items = 0;
        for item in feed.items.iter().cloned() {
            if let Some(link) = &item.link {
                let stored = self.known.as_ref().is_some_and(|k| k(link));
                if stored || !self.seen.insert(link.clone()) {
                    continue;
                }
            }
            new_items += 1;
            push(self.item(url, item, source.clone()));
        }
        let status = format!(
            "HTTP {}: {} items, {new_items} new",
            fetched.status, feed.total_items
        );
        self.poll(
            url,
            fetched.validators,
            true,
            status,
            feed.total_items,
            new_items,
        );
    }

    /// A feed item as an article: its page when it can be fetched, else the feed's text.
    fn item(&self, feed_url: &str, item: FeedItem, source: Option<String>) -> Raw {
        let Some(link) = item.link.clone().filter(|_| self.follow) else {
            return Raw::Item(Box::new(item), source);
        };
        match self.fetcher.get(&link, &Validators::default()) {
            Ok(f) => match f.body {
                Body::Bytes(bytes) => Raw::Page(Box::new(PageRaw {
                    id: link.clone(),
                    bytes,
                    charset: f.charset,
                    url: Some(link),
                    item: Some((item, source)),
                })),
                Body::NotModified => Raw::Item(Box::new(item), source),
            },
            Err(e) if item.text.chars().count() >= 200 => {
                eprintln!("rasid: {e}: the feed's own text is used");
                Raw::Item(Box::new(item), source)
            }
            Err(e) => Raw::Error(format!("{e} (an item of {feed_url})")),
        }
    }

    fn poll(
        &mut self,
        url: &str,
        validators: Validators,
        ok: bool,
        status: String,
        items: usize,
        new_items: usize,
    ) {
        self.polls.push(Poll {
            url: url.to_string(),
            validators,
            status,
            ok,
            items,
            new_items,
        });
    }
}
