//! `rasid alerts`: is a group's activity in an area rising, and why — and the webhooks
//! that `rasid alerts --notify` and `rasid watch --alerts` post new alerts to.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use jiff::civil::Date;
use rasid_alerts::{Alert, AlertsFile, Detector, Names};
use rasid_fetch::{FetchConfig, Fetcher};
use rasid_store::{Notification, Store};

use crate::cmd::store::DbArg;

/// Alerts on rising activity: per actor and governorate (and district, and event family),
/// the last 14 days against the 180 before, with the numbers and the events behind each.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    db: DbArg,
    /// The day to judge at (YYYY-MM-DD; `latest`: the newest event's day). Default: today.
    /// Earlier days replay history as it stood then.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// The alerts file: `[detector]` parameters and `[[webhook]]` targets (also
    /// $RASID_ALERTS). Without one, the defaults and no webhooks.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// POST the alerts that are news to the config's webhooks (each alert once per target:
    /// what was sent is remembered in the database).
    #[arg(long)]
    notify: bool,
    /// User lexicon directory (also $RASID_LEXICON), for names.
    #[arg(long)]
    lexicon: Option<PathBuf>,
}

/// Output formats of `rasid alerts`.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Table,
    Jsonl,
    Json,
}

/// Reads the alerts file (`path`, else `$RASID_ALERTS`, else the defaults).
pub fn load_file(path: Option<&Path>) -> Result<AlertsFile> {
    let path = path
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os("RASID_ALERTS").map(PathBuf::from));
    match path {
        None => Ok(AlertsFile::default()),
        Some(p) => {
            let text =
                std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
            AlertsFile::from_toml(&text).with_context(|| p.display().to_string())
        }
    }
}

/// The detector of an alerts file, with names from the lexicon.
pub fn detector(file: &AlertsFile, lexicon: &rasid_lexicon::Lexicon) -> Result<Detector> {
    Ok(Detector::new(
        file.detector.clone(),
        Names::from_lexicon(lexicon),
    )?)
}

/// Today, in the machine's time zone.
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

/// The alerts of the database at `as_of`.
pub fn compute(store: &Store, detector: &Detector, as_of: Date) -> Result<Vec<Alert>> {
    let incidents = store.incidents(&detector.first_day(as_of).to_string(), &as_of.to_string())?;
    Ok(detector.detect(&incidents, as_of))
}

/// What a round of notifications did.
#[derive(Debug, Default)]
pub struct Sent {
    /// Accepted by their target.
    pub ok: usize,
    /// Failed after the retries (tried again on the next round).
    pub failed: Vec<String>,
    /// Not news to their target (sent before).
    pub already: usize,
}

/// POST each alert that is news to each webhook that wants it, and record every attempt.
pub fn notify(
    store: &mut Store,
    file: &AlertsFile,
    alerts: &[Alert],
    fetcher: &Fetcher,
) -> Result<Sent> {
    let mut sent = Sent::default();
    let quiet = file.detector.recent_days;
    for hook in &file.webhook {
        let mut headers = Vec::new();
        if let Some(var) = &hook.token_env {
            let token = std::env::var(var)
                .with_context(|| format!("webhook {}: token_env {var} is not set", hook.url))?;
            headers.push(("Authorization".to_string(), format!("Bearer {token}")));
        }
        for alert in alerts.iter().filter(|a| hook.wants(a)) {
            let last = store
                .last_notification(&hook.url, &alert.key)?
                .and_then(|(d, n)| Some((d.parse::<Date>().ok()?, n)));
            if !alert.is_news(last, quiet) {
                sent.already += 1;
                continue;
            }
            let payload = serde_json::to_string(alert)?;
            let result = fetcher.post_json(&hook.url, &payload, &headers);
            let (ok, status) = match &result {
                Ok(code) => (true, code.to_string()),
                Err(e) => (false, e.to_string()),
            };
            store.record_notification(&Notification {
                target: hook.url.clone(),
                key: alert.key.clone(),
                as_of: alert.as_of.to_string(),
                observed: alert.finding.observed,
                sent_at: jiff::Timestamp::now().to_string(),
                ok,
                status: status.clone(),
                payload,
            })?;
            if ok {
                sent.ok += 1;
            } else {
                sent.failed
                    .push(format!("{} → {}: {status}", alert.key, hook.url));
            }
        }
    }
    Ok(sent)
}

/// A fetcher for webhooks: short time limits, a few retries.
pub fn webhook_fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        timeout: std::time::Duration::from_secs(10),
        retries: 3,
        backoff: std::time::Duration::from_millis(500),
        host_delay: std::time::Duration::ZERO,
        ..FetchConfig::default()
    })
}

/// Reads `--as-of`: a date, `latest`, or today.
fn as_of(arg: Option<&str>, store: &Store) -> Result<Date> {
    match arg {
        None => Ok(today()),
        Some("latest") => match store.latest_event_date()? {
            Some(d) => d
                .parse()
                .with_context(|| format!("the newest event's date {d:?}")),
            None => Ok(today()),
        },
        Some(d) => d
            .parse()
            .with_context(|| format!("--as-of: not a date (YYYY-MM-DD or latest): {d:?}")),
    }
}

pub fn run(a: Args) -> Result<ExitCode> {
    let file = load_file(a.config.as_deref())?;
    let mut store = a.db.open_existing()?;
    let as_of = as_of(a.as_of.as_deref(), &store)?;
    let lexicon = crate::cmd::lexicon::load(a.lexicon.as_deref())?;
    let detector = detector(&file, &lexicon)?;
    let alerts = compute(&store, &detector, as_of)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match a.format {
        Format::Table => write_table(&mut out, &alerts, as_of, &file)?,
        Format::Jsonl => {
            for alert in &alerts {
                writeln!(out, "{}", serde_json::to_string(alert)?)?;
            }
        }
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&alerts)?)?,
    }
    out.flush()?;
    if a.notify {
        if file.webhook.is_empty() {
            anyhow::bail!("--notify: the alerts file has no [[webhook]]");
        }
        let sent = notify(&mut store, &file, &alerts, &webhook_fetcher())?;
        eprintln!(
            "notifications: {} sent, {} sent before, {} failed",
            sent.ok,
            sent.already,
            sent.failed.len()
        );
        for f in &sent.failed {
            eprintln!("rasid: {f}");
        }
        if !sent.failed.is_empty() {
            return Ok(ExitCode::from(2));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn write_table(
    out: &mut dyn Write,
    alerts: &[Alert],
    as_of: Date,
    file: &AlertsFile,
) -> Result<()> {
    let c = &file.detector;
    let window_start = as_of
        .checked_sub(jiff::Span::new().days(c.recent_days as i64 - 1))
        .unwrap_or(as_of);
    writeln!(
        out,
        "{} alerts as of {as_of} (recent {window_start}..{as_of}, baseline {} days before)",
        alerts.len(),
        c.baseline_days
    )?;
    for a in alerts {
        let f = &a.finding;
        let area = f.area.as_ref().map_or("-".to_string(), |ar| {
            format!(
                "{}{}",
                ar.admin1,
                ar.country
                    .as_ref()
                    .map_or(String::new(), |c| format!(" ({c})"))
            )
        });
        writeln!(out)?;
        writeln!(
            out,
            "{:<14} {} · {}  observed {} expected {:.1}  p {:.1e}  score {:.1}",
            f.kind.as_str(),
            a.actor_name,
            area,
            f.observed,
            f.expected,
            f.probability,
            f.score
        )?;
        writeln!(out, "  {}", f.summary_en)?;
        writeln!(out, "  {}", f.summary_ar)?;
        for d in &a.details {
            writeln!(out, "  also: {}", d.summary_en)?;
        }
        for e in &a.events {
            let evidence: String = e.evidence.chars().take(160).collect();
            let more = if e.evidence.chars().count() > 160 {
                "…"
            } else {
                ""
            };
            writeln!(
                out,
                "    #{} {} {} · {} · {} dead · {evidence}{more}",
                e.id,
                e.date,
                e.place.as_deref().unwrap_or("-"),
                e.sub_event_type,
                e.fatalities
            )?;
        }
    }
    Ok(())
}
