//! Where the access log goes (`serve --access-log stderr|off|FILE`) and in
//! which format (`--log-format text|json`), and the reopening of a FILE on
//! SIGHUP (logrotate's `postrotate kill -HUP`).

use std::{
    fs::{File, OpenOptions},
    io::{self, Write},
    path::{Path, PathBuf},
    sync::atomic::{AtomicBool, Ordering},
};

/// `--log-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-11-25T12:00:25.850760Z  INFO rpc method=… peer=…`
    #[default]
    Text,
    /// One JSON object per line, the same fields, for log shippers.
    Json,
}

/// `--access-log`: `stderr`, `off`, or a file (appended to).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AccessLogTarget {
    #[default]
    Stderr,
    Off,
    File(PathBuf),
}

impl AccessLogTarget {
    /// `stderr`, `off`, anything else is a path (`./off` for a file named so).
    pub fn parse(text: &str) -> Result<Self, String> {
        match text {
            "" => Err("an empty access log path".into()),
            "stderr" => Ok(Self::Stderr),
            "off" => Ok(Self::Off),
            path => Ok(Self::File(PathBuf::from(path))),
        }
    }
}

/// `serve`'s logging options.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogOptions {
    pub format: LogFormat,
    pub access_log: AccessLogTarget,
}

/// Set by `--access-log off`: no access line is even put together.
static ACCESS_OFF: AtomicBool = AtomicBool::new(false);
/// Set by `--log-format json`.
static JSON: AtomicBool = AtomicBool::new(false);
/// Set on SIGHUP; the access-log writer reopens its file at its next write
/// or flush.
static REOPEN: AtomicBool = AtomicBool::new(false);

pub(super) fn configure(options: &LogOptions) {
    ACCESS_OFF.store(
        options.access_log == AccessLogTarget::Off,
        Ordering::Relaxed,
    );
    JSON.store(options.format == LogFormat::Json, Ordering::Relaxed);
}

/// Whether the access log is written at all.
pub fn access_log_enabled() -> bool {
    !ACCESS_OFF.load(Ordering::Relaxed)
}

/// Whether log lines are JSON.
pub fn json() -> bool {
    JSON.load(Ordering::Relaxed)
}

pub(super) fn request_reopen() {
    REOPEN.store(true, Ordering::SeqCst);
}

/// The access-log file, opened for appending (created if missing), and
/// reopened by path after a SIGHUP, so that a file renamed by logrotate is
/// let go and a new one started under the old name. Lives on the writer
/// thread: only that thread writes or reopens.
pub(super) struct ReopeningFile {
    path: PathBuf,
    file: File,
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

impl ReopeningFile {
    pub(super) fn open(path: &Path) -> io::Result<Self> {
        Ok(Self {
            path: path.to_owned(),
            file: open_append(path)?,
        })
    }

    fn reopen_if_asked(&mut self) {
        if !REOPEN.swap(false, Ordering::SeqCst) {
            return;
        }
        match open_append(&self.path) {
            Ok(file) => {
                // Whatever was written so far stays in the old file.
                let _ = self.file.flush();
                self.file = file;
                tracing::info!(path = %self.path.display(), "access log reopened");
            }
            Err(err) => tracing::error!(
                path = %self.path.display(),
                "cannot reopen the access log ({err}); still writing to the file it was"
            ),
        }
    }
}

impl Write for ReopeningFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.reopen_if_asked();
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.reopen_if_asked();
        self.file.flush()
    }
}

/// Appends `value` as a JSON string (quoted, escaped).
pub fn push_json_str(line: &mut Vec<u8>, value: &str) {
    // serde_json's escaping; writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *line, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_log_targets_parse() {
        assert_eq!(
            AccessLogTarget::parse("stderr"),
            Ok(AccessLogTarget::Stderr)
        );
        assert_eq!(AccessLogTarget::parse("off"), Ok(AccessLogTarget::Off));
        assert_eq!(
            AccessLogTarget::parse("/var/log/rpc.log"),
            Ok(AccessLogTarget::File("/var/log/rpc.log".into()))
        );
        assert_eq!(
            AccessLogTarget::parse("./off"),
            Ok(AccessLogTarget::File("./off".into()))
        );
        assert!(AccessLogTarget::parse("").is_err());
    }

    #[test]
    fn json_strings_are_escaped() {
        let mut line = Vec::new();
        push_json_str(&mut line, "a\"b\\c\n");
        assert_eq!(line, br#""a\"b\\c\n""#);
    }
}
