//! Reading input files line by line, reporting invalid UTF-8 precisely.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

/// Where lines come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Stdin,
    File(PathBuf),
    /// An `http:`/`https:` URL: a feed or a page, read by the fetcher.
    Url(String),
}

impl Source {
    /// The name used in messages and output.
    pub fn name(&self) -> String {
        match self {
            Source::Stdin => "<stdin>".to_string(),
            Source::File(p) => p.display().to_string(),
            Source::Url(u) => u.clone(),
        }
    }
}

/// The sources named on the command line: stdin when none (or `-`), directories walked
/// recursively in name order (hidden entries skipped).
pub fn sources(args: &[PathBuf]) -> (Vec<Source>, Vec<String>) {
    sources_where(args, |_| true)
}

/// Like [`sources`], but a directory walk takes only article files: text, JSONL and HTML,
/// gzipped or not (a file named on the command line is read whatever its name).
pub fn article_sources(args: &[PathBuf]) -> (Vec<Source>, Vec<String>) {
    sources_where(args, readable)
}

fn sources_where(args: &[PathBuf], take: fn(&Path) -> bool) -> (Vec<Source>, Vec<String>) {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if args.is_empty() {
        out.push(Source::Stdin);
    }
    for a in args {
        if a.as_os_str() == "-" {
            out.push(Source::Stdin);
        } else if let Some(url) = a.to_str().filter(|s| rasid_fetch::is_url(s)) {
            out.push(Source::Url(url.to_string()));
        } else if a.is_dir() {
            walk(a, take, &mut out, &mut errors);
        } else {
            out.push(Source::File(a.clone()));
        }
    }
    (out, errors)
}

/// Article files: text, JSONL and HTML, gzipped or not.
fn readable(p: &Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    let n = n.strip_suffix(".gz").unwrap_or(&n);
    n.ends_with(".txt") || n.ends_with(".jsonl") || is_html(Path::new(n))
}

/// An HTML page by its name (`.html`, `.htm`, `.xhtml`, gzipped or not).
pub fn is_html(p: &Path) -> bool {
    let n = p.to_string_lossy().to_ascii_lowercase();
    let n = n.strip_suffix(".gz").unwrap_or(&n);
    [".html", ".htm", ".xhtml"].iter().any(|e| n.ends_with(e))
}

/// The whole content of a file, decompressed when its name ends in `.gz`.
pub fn read_to_string(p: &Path) -> Result<String, String> {
    let src = Source::File(p.to_path_buf());
    let mut s = String::new();
    open(&src)
        .and_then(|mut r| r.read_to_string(&mut s))
        .map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(s)
}

fn walk(dir: &Path, take: fn(&Path) -> bool, out: &mut Vec<Source>, errors: &mut Vec<String>) {
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            errors.push(format!("{}: {e}", dir.display()));
            return;
        }
    };
    entries.sort();
    for p in entries {
        if p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            continue;
        }
        if p.is_dir() {
            walk(&p, take, out, errors);
        } else if take(&p) {
            out.push(Source::File(p));
        }
    }
}

/// Open a source for buffered reading; a file whose name ends in `.gz` is decompressed
/// (concatenated gzip members included).
pub fn open(src: &Source) -> io::Result<Box<dyn BufRead>> {
    Ok(match src {
        Source::Stdin => Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
        Source::File(p) if p.extension().is_some_and(|e| e == "gz") => {
            Box::new(BufReader::with_capacity(
                1 << 16,
                flate2::read::MultiGzDecoder::new(BufReader::new(File::open(p)?)),
            ))
        }
        Source::File(p) => Box::new(BufReader::with_capacity(1 << 16, File::open(p)?)),
        Source::Url(u) => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("{u}: a URL is read with `rasid ingest` or `rasid extract`"),
            ))
        }
    })
}

/// Open a source, or report on stderr why it cannot be opened (`rasid: NAME: error`) and
/// return `None`, so that a command goes on with its other sources.
pub fn open_or_report(src: &Source) -> Option<Box<dyn BufRead>> {
    open(src)
        .inspect_err(|e| eprintln!("rasid: {}: {e}", src.name()))
        .ok()
}

/// A line that is not valid UTF-8.
#[derive(Debug)]
pub struct BadLine {
    /// 1-based line number.
    pub line: u64,
    /// Byte offset of the first invalid byte in the file.
    pub offset: u64,
}

/// Read `reader` line by line (without the line terminator), decoding UTF-8. Lines that
/// are not valid UTF-8 are decoded lossily when `lossy`, otherwise reported through
/// `on_bad` and skipped. `each` gets the 1-based line number, the text and whether the
/// line ended with a newline.
pub fn for_each_line(
    mut reader: impl BufRead,
    lossy: bool,
    mut each: impl FnMut(u64, &str, bool) -> io::Result<bool>,
    mut on_bad: impl FnMut(BadLine),
) -> io::Result<()> {
    let mut buf = Vec::with_capacity(4096);
    let mut n = 0u64;
    let mut offset = 0u64;
    loop {
        buf.clear();
        let read = reader.read_until(b'\n', &mut buf)?;
        if read == 0 {
            return Ok(());
        }
        n += 1;
        let newline = buf.last() == Some(&b'\n');
        let mut body = &buf[..buf.len() - newline as usize];
        if body.last() == Some(&b'\r') {
            body = &body[..body.len() - 1];
        }
        if n == 1 && body.starts_with(b"\xEF\xBB\xBF") {
            body = &body[3..];
        }
        // Fast validation first; the standard library's error gives the exact offset.
        let decoded = match simdutf8::basic::from_utf8(body) {
            Ok(s) => Ok(s),
            Err(_) => std::str::from_utf8(body),
        };
        let keep_going = match decoded {
            Ok(s) => each(n, s, newline)?,
            Err(e) => {
                if lossy {
                    each(n, &String::from_utf8_lossy(body), newline)?
                } else {
                    let bom = if n == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
                        3
                    } else {
                        0
                    };
                    on_bad(BadLine {
                        line: n,
                        offset: offset + bom + e.valid_up_to() as u64,
                    });
                    true
                }
            }
        };
        if !keep_going {
            return Ok(());
        }
        offset += read as u64;
    }
}
