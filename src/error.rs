//! Every error a user can see, worded in one place.
//!
//! Variants hold facts (file, JSON path, what was expected); `Display` turns them into the one
//! line `main` prints. Content problems always name the file and the JSON path.

use std::io;
use std::path::PathBuf;

use crate::json_path::JsonPath;

/// A problem at one place inside an input document, before the file name is attached.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldError {
    pub path: JsonPath,
    pub message: String,
}

impl FieldError {
    pub(crate) fn new(path: &JsonPath, message: impl Into<String>) -> Self {
        FieldError {
            path: path.clone(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error("{}: cannot read: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },

    #[error("{file}: not valid UTF-8 (first bad byte at offset {offset})")]
    Utf8 { file: String, offset: usize },

    #[error("{file}: empty file, expected a task definition JSON object")]
    Empty { file: String },

    #[error("{file}:{line}:{column}: not valid JSON: {message}{hint}")]
    Json {
        file: String,
        line: usize,
        column: usize,
        message: String,
        hint: String,
    },

    #[error("{file}:{line}:{column}: {message}")]
    Yaml {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{file}: {}: {message}", path.dotted())]
    Field {
        file: String,
        path: JsonPath,
        message: String,
    },

    #[error("{file}: {message}")]
    Input { file: String, message: String },

    #[error("{}: {message}", path.display())]
    Output { path: PathBuf, message: String },

    #[error("{}: cannot write: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },

    #[error(
        "{file}: {count} warning(s) in the conversion report and --strict is set (first: {first})"
    )]
    Strict {
        file: String,
        count: usize,
        first: String,
    },

    #[error("internal template error in {template}: {message}")]
    Render { template: String, message: String },

    #[error("{}: {check} with {values} failed: {message}", chart.display())]
    Verify {
        chart: PathBuf,
        values: String,
        check: String,
        message: String,
    },

    #[error("{reference}: {message}")]
    Registry { reference: String, message: String },

    #[error("{0}")]
    Usage(String),
}

impl Error {
    pub(crate) fn field(file: &str, err: FieldError) -> Self {
        Error::Field {
            file: file.to_string(),
            path: err.path,
            message: err.message,
        }
    }

    /// Exit status for this error: 2 for usage errors, 1 for everything else.
    pub(crate) fn exit_code(&self) -> u8 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }
}

pub(crate) type Result<T, E = Error> = std::result::Result<T, E>;
