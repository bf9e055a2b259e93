//! The article model and its plain-text readers (`.txt`, one `.jsonl` line). Pure: the
//! caller reads files and passes their contents and names.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Language of an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Arabic.
    Ar,
    /// English.
    En,
}

impl Lang {
    /// The ISO 639-1 code (`ar`, `en`).
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Ar => "ar",
            Lang::En => "en",
        }
    }

    /// By script: Arabic when Arabic letters outnumber Latin ones.
    pub fn detect(text: &str) -> Lang {
        let (mut ar, mut en) = (0usize, 0usize);
        for c in text.chars().take(4000) {
            if rasid_text::chars::is_arabic_letter(c) {
                ar += 1;
            } else if c.is_ascii_alphabetic() {
                en += 1;
            }
        }
        if ar >= en {
            Lang::Ar
        } else {
            Lang::En
        }
    }
}

/// One news article.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Article {
    /// Identifier (from the input, or the file name).
    pub id: String,
    /// Source (site) if known.
    pub source: Option<String>,
    /// URL if known.
    pub url: Option<String>,
    /// Publication date, against which relative dates are resolved.
    pub published: Option<Date>,
    /// Language.
    pub lang: Lang,
    /// Title, if known.
    pub title: Option<String>,
    /// Body text.
    #[serde(skip)]
    pub text: String,
}

/// An input line or file that is not an article.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}: {message}")]
pub struct ArticleError {
    /// `file:line` (or `file`).
    pub origin: String,
    /// What is wrong, naming the field.
    pub message: String,
}

/// A plain-text article: the first line is the title when it is short and does not end a
/// sentence (a headline), else part of the body.
pub fn from_txt(id: &str, content: &str, lang: Option<Lang>) -> Article {
    let content = content.trim_start_matches('\u{FEFF}');
    let first = content.lines().next().unwrap_or("").trim();
    let is_title = !first.is_empty()
        && first.chars().count() <= 200
        && content.lines().nth(1).is_some()
        && !first.ends_with(['.', '،', ':', ','])
        && !first.ends_with("..");
    Article {
        id: id.to_string(),
        source: None,
        url: None,
        published: None,
        lang: lang.unwrap_or_else(|| Lang::detect(content)),
        title: is_title.then(|| first.to_string()),
        text: content.to_string(),
    }
}

#[derive(Deserialize)]
struct JsonArticle {
    id: Option<serde_json::Value>,
    text: Option<String>,
    published: Option<String>,
    date: Option<String>,
    title: Option<String>,
    source: Option<String>,
    url: Option<String>,
    lang: Option<String>,
}

/// Parse a date that may carry a time (`2015-07-21`, `2015-07-21T10:00:00Z`).
pub fn parse_date(s: &str) -> Option<Date> {
    let head = s.trim().get(..10)?;
    head.parse().ok()
}

/// One `.jsonl` line: `id` and `text` required; `published` or `date`, `title`, `source`,
/// `url`, `lang` optional. Errors name the line and the field.
pub fn from_jsonl_line(
    origin: &str,
    line: &str,
    lang: Option<Lang>,
) -> Result<Article, ArticleError> {
    let err = |message: String| ArticleError {
        origin: origin.to_string(),
        message,
    };
    let j: JsonArticle =
        serde_json::from_str(line).map_err(|e| err(format!("not a JSON object: {e}")))?;
    let id = match j.id {
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        Some(_) => return Err(err("field \"id\" must be a string or a number".into())),
        None => return Err(err("missing field \"id\"".into())),
    };
    let text = j.text.ok_or_else(|| err("missing field \"text\"".into()))?;
    let published = match j.published.or(j.date) {
        Some(d) if !d.trim().is_empty() => Some(
            parse_date(&d).ok_or_else(|| err(format!("field \"published\": not a date: {d:?}")))?,
        ),
        _ => None,
    };
    let lang = lang.or(match j.lang.as_deref() {
        Some("ar") => Some(Lang::Ar),
        Some("en") => Some(Lang::En),
        _ => None,
    });
    Ok(Article {
        id,
        source: j.source,
        url: j.url,
        published,
        lang: lang.unwrap_or_else(|| Lang::detect(&text)),
        title: j.title,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn txt_title_and_jsonl_fields() {
        let a = from_txt("seed", "هل تعود داعش؟\nنص الخبر.\n", None);
        assert_eq!(a.title.as_deref(), Some("هل تعود داعش؟"));
        assert_eq!(a.lang, Lang::Ar);
        let a = from_jsonl_line(
            "x.jsonl:3",
            r#"{"id": 7, "text": "Clashes in Idlib.", "date": "2015-07-21T08:00:00"}"#,
            None,
        )
        .unwrap();
        assert_eq!(
            (
                a.id.as_str(),
                a.published.unwrap().to_string().as_str(),
                a.lang
            ),
            ("7", "2015-07-21", Lang::En)
        );
        let e = from_jsonl_line("x.jsonl:4", r#"{"id": "a"}"#, None).unwrap_err();
        assert_eq!(e.to_string(), "x.jsonl:4: missing field \"text\"");
        let e = from_jsonl_line(
            "x.jsonl:5",
            r#"{"id": "a", "text": "t", "published": "yesterday"}"#,
            None,
        )
        .unwrap_err();
        assert!(e.message.contains("published"), "{e}");
    }
}
