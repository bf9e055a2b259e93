//! rasid's HTTP client for feeds and pages: a polite fetcher.
//!
//! - **Conditional GET**: pass the `ETag` and `Last-Modified` of the previous response
//!   ([`Validators`]); an unchanged resource comes back as [`Body::NotModified`] without
//!   its bytes.
//! - **Politeness**: requests to one host are spaced by at least [`FetchConfig::host_delay`],
//!   whichever thread makes them.
//! - **Timeouts, retries, back-off**: a request that times out, cannot connect, or gets
//!   a 5xx or 429 answer is retried up to [`FetchConfig::retries`] times, waiting
//!   `backoff`, `2 × backoff`, `4 × backoff`… (or the server's `Retry-After`, when it asks
//!   for less than a minute). Other 4xx answers are not retried.
//! - **Size limit**: a body larger than [`FetchConfig::max_bytes`] is an error, read no
//!   further than the limit.
//!
//! Errors name the URL and what went wrong; they are values, never panics.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ureq::ResponseExt;

/// Settings of a [`Fetcher`].
#[derive(Debug, Clone, PartialEq)]
pub struct FetchConfig {
    /// Whole-request time limit (connect, send, receive headers and body).
    pub timeout: Duration,
    /// Time limit for connecting.
    pub connect_timeout: Duration,
    /// Largest body accepted, in bytes.
    pub max_bytes: u64,
    /// How many times a failed request is tried again (timeouts, connection errors, 5xx, 429).
    pub retries: u32,
    /// The first wait before a retry; each further retry waits twice as long.
    pub backoff: Duration,
    /// Least time between two requests to the same host.
    pub host_delay: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Most redirects followed.
    pub max_redirects: u32,
}

impl Default for FetchConfig {
    fn default() -> FetchConfig {
        FetchConfig {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_bytes: 10 * 1024 * 1024,
            retries: 2,
            backoff: Duration::from_secs(2),
            host_delay: Duration::from_secs(1),
            user_agent: concat!("rasid/", env!("CARGO_PKG_VERSION"), " (news event coder)")
                .to_string(),
            max_redirects: 5,
        }
    }
}

/// What the previous response said about its version, sent back for a conditional GET.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header.
    pub etag: Option<String>,
    /// The `Last-Modified` header.
    pub last_modified: Option<String>,
}

/// A response's content, or the news that it has not changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// `304 Not Modified`: the validators still hold.
    NotModified,
    /// The bytes of a `2xx` answer.
    Bytes(Vec<u8>),
}

/// A successful fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The URL after redirects.
    pub url: String,
    /// The HTTP status.
    pub status: u16,
    /// The content, or [`Body::NotModified`].
    pub body: Body,
    /// The media type of `Content-Type`, lowercased, without parameters.
    pub media_type: Option<String>,
    /// The `charset` parameter of `Content-Type`.
    pub charset: Option<String>,
    /// The validators to send next time.
    pub validators: Validators,
    /// How many attempts it took.
    pub attempts: u32,
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not an `http:` or `https:` URL with a host.
    #[error("{url}: not an http(s) URL")]
    BadUrl {
        /// The URL.
        url: String,
    },
    /// The server answered with an error status (after retries, for 5xx and 429).
    #[error("{url}: HTTP {status} (after {attempts} attempt(s))")]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// Attempts made.
        attempts: u32,
    },
    /// The body is larger than the limit.
    #[error("{url}: larger than the {limit}-byte limit")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit, in bytes.
        limit: u64,
    },
    /// No complete answer within the time limit (after retries).
    #[error("{url}: timed out after {attempts} attempt(s)")]
    Timeout {
        /// The URL.
        url: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The connection failed or broke (after retries).
    #[error("{url}: {detail} (after {attempts} attempt(s))")]
    Network {
        /// The URL.
        url: String,
        /// What the network layer said.
        detail: String,
        /// Attempts made.
        attempts: u32,
    },
}

/// An HTTP client that is polite per host; share one across threads.
pub struct Fetcher {
    config: FetchConfig,
    agent: ureq::Agent,
    /// When each host may next be asked.
    next_slot: Mutex<HashMap<String, Instant>>,
}

/// One attempt's failure, before retries are decided.
enum Attempt {
    Retry(FetchError, Option<Duration>),
    Fatal(FetchError),
}

impl Fetcher {
    /// A fetcher with these settings.
    pub fn new(config: FetchConfig) -> Fetcher {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(config.timeout))
            .timeout_connect(Some(config.connect_timeout))
            .http_status_as_error(false)
            .user_agent(config.user_agent.as_str())
            .max_redirects(config.max_redirects)
            .build()
            .into();
        Fetcher {
            config,
            agent,
            next_slot: Mutex::new(HashMap::new()),
        }
    }

    /// The settings.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// GET `url`, conditionally when `validators` has values, with politeness, retries and
    /// the size limit.
    pub fn get(&self, url: &str, validators: &Validators) -> Result<Fetched, FetchError> {
        let host = host_of(url).ok_or_else(|| FetchError::BadUrl {
            url: url.to_string(),
        })?;
        self.with_retries(&host, |attempts| self.attempt(url, validators, attempts))
    }

    /// POST a JSON body to `url` (a webhook), with the same politeness, time limits and
    /// retries as a GET; `headers` are added (an `Authorization`, say). Returns the HTTP
    /// status of the accepted (2xx) answer; any other final status is an error.
    pub fn post_json(
        &self,
        url: &str,
        body: &str,
        headers: &[(String, String)],
    ) -> Result<u16, FetchError> {
        let host = host_of(url).ok_or_else(|| FetchError::BadUrl {
            url: url.to_string(),
        })?;
        self.with_retries(&host, |attempts| {
            let mut req = self
                .agent
                .post(url)
                .header("Content-Type", "application/json");
            for (k, v) in headers {
                req = req.header(k.as_str(), v.as_str());
            }
            let resp = req.send(body).map_err(|e| classify(url, e, attempts))?;
            let status = resp.status().as_u16();
            let err = FetchError::Status {
                url: url.to_string(),
                status,
                attempts,
            };
            match status {
                200..=299 => Ok(status),
                429 | 500..=599 => Err(Attempt::Retry(err, None)),
                _ => Err(Attempt::Fatal(err)),
            }
        })
    }

    /// Run `attempt` until it succeeds, fails for good, or the retries are spent (waiting
    /// the host's turn before each, and the back-off between them).
    fn with_retries<T>(
        &self,
        host: &str,
        mut attempt: impl FnMut(u32) -> Result<T, Attempt>,
    ) -> Result<T, FetchError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            self.wait_turn(host);
            match attempt(attempts) {
                Ok(f) => return Ok(f),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry(e, retry_after)) => {
                    if attempts > self.config.retries {
                        return Err(e);
                    }
                    let backoff = self.config.backoff * 2u32.saturating_pow(attempts - 1);
                    std::thread::sleep(retry_after.unwrap_or(backoff));
                }
            }
        }
    }

    /// Wait until `host` may be asked again, and book the next slot.
    fn wait_turn(&self, host: &str) {
        let wait = {
            let mut slots = self.next_slot.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = slots.entry(host.to_string()).or_insert(now);
            let start = (*slot).max(now);
            *slot = start + self.config.host_delay;
            start - now
        };
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }

    fn attempt(&self, url: &str, v: &Validators, attempts: u32) -> Result<Fetched, Attempt> {
        let mut req = self.agent.get(url);
        if let Some(etag) = &v.etag {
            req = req.header("If-None-Match", etag.as_str());
        }
        if let Some(lm) = &v.last_modified {
            req = req.header("If-Modified-Since", lm.as_str());
        }
        let mut resp = req.call().map_err(|e| classify(url, e, attempts))?;
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .and_then(|h| h.to_str().ok())
                .map(str::to_string)
        };
        if status == 429 || status >= 500 {
            let retry_after = header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .filter(|&s| s <= 60)
                .map(Duration::from_secs);
            return Err(Attempt::Retry(
                FetchError::Status {
                    url: url.to_string(),
                    status,
                    attempts,
                },
                retry_after,
            ));
        }
        if status != 304 && !(200..300).contains(&status) {
            return Err(Attempt::Fatal(FetchError::Status {
                url: url.to_string(),
                status,
                attempts,
            }));
        }
        let (media_type, charset) = header("content-type")
            .map(|ct| parse_content_type(&ct))
            .unwrap_or_default();
        let validators = Validators {
            etag: header("etag").or_else(|| v.etag.clone()),
            last_modified: header("last-modified").or_else(|| v.last_modified.clone()),
        };
        let final_url = resp.get_uri().to_string();
        let body = if status == 304 {
            Body::NotModified
        } else {
            let bytes = resp
                .body_mut()
                .with_config()
                .limit(self.config.max_bytes)
                .read_to_vec()
                .map_err(|e| classify(url, e, attempts))?;
            Body::Bytes(bytes)
        };
        Ok(Fetched {
            url: final_url,
            status,
            body,
            media_type,
            charset,
            validators,
            attempts,
        })
    }
}

/// Sort a transport error into retried and final ones.
fn classify(url: &str, e: ureq::Error, attempts: u32) -> Attempt {
    let url = url.to_string();
    match e {
        ureq::Error::Timeout(_) => Attempt::Retry(FetchError::Timeout { url, attempts }, None),
        ureq::Error::BodyExceedsLimit(limit) => Attempt::Fatal(FetchError::TooLarge { url, limit }),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) => Attempt::Fatal(FetchError::BadUrl { url }),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            Attempt::Retry(FetchError::Timeout { url, attempts }, None)
        }
        ureq::Error::StatusCode(status) => Attempt::Fatal(FetchError::Status {
            url,
            status,
            attempts,
        }),
        other => Attempt::Retry(
            FetchError::Network {
                url,
                detail: other.to_string(),
                attempts,
            },
            None,
        ),
    }
}

/// The host (with port) of an `http:`/`https:` URL.
pub fn host_of(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"))?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit('@').next().unwrap_or(authority);
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// Whether `s` looks like an `http:`/`https:` URL (as a command-line argument).
pub fn is_url(s: &str) -> bool {
    host_of(s).is_some()
}

/// Split a `Content-Type` value into its media type and charset (both lowercased).
pub fn parse_content_type(ct: &str) -> (Option<String>, Option<String>) {
    let mut parts = ct.split(';');
    let media = parts
        .next()
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let charset = parts.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches('"').to_ascii_lowercase())
    });
    (media, charset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        assert_eq!(
            host_of("https://Example.org:8443/a?b").as_deref(),
            Some("example.org:8443")
        );
        assert_eq!(
            host_of("http://u:p@h.net").as_deref(),
            Some("h.net"),
            "credentials are not part of the host"
        );
        assert_eq!(host_of("ftp://h.net/x"), None);
        assert_eq!(host_of("http:///x"), None);
        assert!(!is_url("news/today.html"));
    }

    #[test]
    fn content_types() {
        assert_eq!(
            parse_content_type("text/html; Charset=\"Windows-1256\""),
            (Some("text/html".into()), Some("windows-1256".into()))
        );
        assert_eq!(
            parse_content_type("application/rss+xml"),
            (Some("application/rss+xml".into()), None)
        );
        assert_eq!(parse_content_type(""), (None, None));
    }

    #[test]
    fn a_bad_url_is_an_error_not_a_request() {
        let f = Fetcher::new(FetchConfig::default());
        let e = f
            .get("file:///etc/passwd", &Validators::default())
            .unwrap_err();
        assert_eq!(e.to_string(), "file:///etc/passwd: not an http(s) URL");
    }

    #[test]
    fn politeness_books_slots_per_host() {
        let f = Fetcher::new(FetchConfig {
            host_delay: Duration::from_millis(300),
            ..FetchConfig::default()
        });
        let t = Instant::now();
        f.wait_turn("a");
        f.wait_turn("b");
        assert!(
            t.elapsed() < Duration::from_millis(300),
            "other hosts do not wait"
        );
        f.wait_turn("a");
        assert!(
            t.elapsed() >= Duration::from_millis(300),
            "the same host waits"
        );
    }
}
