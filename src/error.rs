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

    #[error("{file}: {problem}")]
    Input { file: String, problem: InputProblem },

    #[error("{}: {refusal}", path.display())]
    Refused { path: PathBuf, refusal: Refusal },

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

    #[error("{reference}: {problem}")]
    Registry {
        reference: String,
        problem: RegistryProblem,
    },

    #[error("{0}")]
    Usage(Usage),
}

/// A command line that cannot run as given (exit status 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Usage {
    #[error("--name names one chart; it cannot be used with several FILEs or with --env")]
    NameWithSeveralInputs,
    #[error("--name names one chart, but the inputs hold several")]
    NameWithSeveralCharts,
    #[error("environment {0} is given twice")]
    EnvironmentTwice(String),
    #[error("--workload cronjob needs --schedule EXPR (cron(…), rate(…) or five-field cron)")]
    CronJobWithoutSchedule,
    #[error("--schedule is for --workload cronjob")]
    ScheduleWithoutCronJob,
    #[error("--schedule: {0}")]
    Schedule(String),
    #[error("{0:?} is not an OCI reference like oci://HOST[:PORT]/PATH")]
    OciReference(String),
    #[error("--repo {0:?}: expected a directory, an http(s):// URL or oci://HOST[:PORT]/PATH")]
    RepoTarget(String),
    #[error("--repo {0:?}: publish writes a directory (serve it over HTTP) or pushes to oci://HOST[:PORT]/PATH")]
    PublishToHttp(String),
}

/// An input file that is readable but not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum InputProblem {
    #[error("is larger than {limit_mib} MiB; not read")]
    TooLarge { limit_mib: u64 },
    #[error("{key}: makes {file} larger than the {limit_mib} MiB Helm loads per chart file; move the value into a ConfigMap or Secret the chart references")]
    TooLargeForHelm {
        key: String,
        file: String,
        limit_mib: u64,
    },
    #[error("the value given for {0} would change the file's structure where it stands unquoted (a line break or JSON/YAML syntax); quote the placeholder in the file, or give a plain value")]
    UnsafeVar(String),
    #[error("gives chart {chart:?}{place}, which {first} already gives; neither overwrites the other: use --name or rename the family")]
    ChartTwice {
        chart: String,
        place: String,
        first: String,
    },
    #[error("not valid JSON (line {line}): {reason}")]
    RegistryConfigJson { line: usize, reason: String },
    #[error("auths: expected an object")]
    RegistryConfigAuths,
    #[error("auths.{host}.auth: expected base64 of user:password")]
    RegistryConfigAuth { host: String },
    #[error("{0}")]
    VarFile(String),
    #[error("{at}: {reason}")]
    StackResources { at: String, reason: String },
}

/// Why the tool will not write, publish or read back a file: each names what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum Refusal {
    #[error("another {who} holds this lock ({}) and did not release it within {seconds} s; wait, or raise --lock-timeout", lock_holder(holder))]
    Locked {
        who: String,
        /// The holder's process id, as it wrote it into the lock file.
        holder: Option<String>,
        seconds: u64,
    },
    #[error("{name} {version} is already in {index} with different content (digest {existing}); publish a new version, or use --force to replace it")]
    VersionTaken {
        name: String,
        version: String,
        index: String,
        existing: String,
    },
    #[error("{name} {version} is also {other} in this call, with different content; publish one of them, or use --force")]
    SameVersionTwice {
        name: String,
        version: String,
        other: String,
    },
    #[error("changed while it was being published")]
    ChangedWhilePublishing,
    #[error("no Chart.yaml: not a chart directory")]
    NotAChart,
    #[error("exists and is not a directory; remove it or choose another --output")]
    NotADirectory,
    #[error("exists and was not generated by helm ecs-import; use --force to write into it")]
    NotOurs,
    #[error("is a folder where the chart has a file ({0}); move it away")]
    FolderInTheWay(String),
    #[error("{0} where the chart has a generated file, which a re-import reads to merge your edits; put a regular file of at most {1} MiB there, or move it away")]
    NotAGeneratedFile(&'static str, u64),
    #[error(
        "is not a merge base this tool wrote ({0}); delete it to regenerate the chart from scratch"
    )]
    MergeBase(String),
    #[error("{0}")]
    Archive(ArchiveProblem),
    #[error("{0}")]
    ChartYaml(ChartYamlProblem),
    #[error("{0}")]
    Index(IndexProblem),
}

fn lock_holder(holder: &Option<String>) -> String {
    match holder {
        Some(pid) => format!("process {pid}"),
        None => "process unknown".to_string(),
    }
}

/// A chart archive (or a chart folder's .helmignore) Helm's loader would refuse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ArchiveProblem {
    #[error("is larger than {0} MiB; not a chart archive")]
    TooLarge(u64),
    #[error("not a chart archive: {0}")]
    NotAnArchive(String),
    #[error("{0:?} is a link; Helm refuses charts with links")]
    Link(String),
    #[error("{0:?} is not a regular file")]
    NotAFile(String),
    #[error("entries under both {0:?} and {1:?}: a chart archive has one top directory")]
    TwoTopDirectories(String, String),
    #[error("{name:?} is larger than Helm's {limit_mib} MiB limit for one file")]
    FileTooLarge { name: String, limit_mib: u64 },
    #[error("decompresses to more than Helm's {0} MiB limit for a chart")]
    ChartTooLarge(u64),
    #[error("not a chart archive: no <name>/Chart.yaml inside")]
    NoChartYaml,
    #[error("{0}")]
    ChartYaml(ChartYamlProblem),
    #[error("Chart.yaml names the chart {name:?}, but the archive's directory is {top:?}")]
    NameMismatch { name: String, top: String },
    #[error("{0:?} has a control character in its name")]
    ControlCharacter(String),
    #[error("Chart.yaml is not inside the chart's directory")]
    ChartYamlOutside,
    #[error("{0:?} is an absolute path")]
    Absolute(String),
    #[error("{0:?} reaches outside the chart's directory")]
    ParentDirectory(String),
    #[error("{0:?} is outside the chart's directory")]
    Outside(String),
    #[error("{0:?} is named like a drive path")]
    DrivePath(String),
    #[error(".helmignore: double-star (**) syntax is not supported: {0:?}")]
    HelmIgnoreDoubleStar(String),
}

/// A Chart.yaml Helm would not load.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum ChartYamlProblem {
    #[error("Chart.yaml is not UTF-8")]
    NotUtf8,
    #[error("Chart.yaml does not parse: {0}")]
    Syntax(String),
    #[error("Chart.yaml is not a mapping")]
    NotAMapping,
    #[error("Chart.yaml: name {0:?} is not a valid chart name")]
    Name(String),
    #[error("Chart.yaml: version {version:?} is not SemVer: {reason}")]
    Version { version: String, reason: String },
    #[error("Chart.yaml: apiVersion must be v2")]
    ApiVersion,
}

/// A repository index.yaml the tool will not rewrite.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum IndexProblem {
    #[error("does not parse, so it is left as it is: line {line} column {column}: {reason}")]
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    #[error("holds several YAML documents, so it is left as it is")]
    SeveralDocuments,
    #[error("is not a repository index (not a mapping), so it is left as it is")]
    NotAMapping,
    #[error("is not a repository index (apiVersion is not v1), so it is left as it is")]
    ApiVersion,
    #[error("entries.{0} is not a list, so the index is left as it is")]
    VersionsNotAList(String),
    #[error("an entry of {0} is not a mapping, so the index is left as it is")]
    EntryNotAMapping(String),
    #[error("entries is not a mapping, so the index is left as it is")]
    EntriesNotAMapping,
}

/// What went wrong talking to a registry or a chart repository.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum RegistryProblem {
    #[error("cannot reach {host}: {reason}")]
    Unreachable { host: String, reason: String },
    #[error("{0}")]
    Request(String),
    #[error("{what}: authentication failed (401); log in with --username and --password-stdin, or store credentials in HELM_REGISTRY_CONFIG")]
    Unauthorized { what: String },
    #[error("{what}: access denied (403); the credentials may not push to this repository")]
    Forbidden { what: String },
    #[error("{what}: the registry refused it ({status}): {detail}")]
    Refused {
        what: String,
        status: u16,
        detail: String,
    },
    #[error("the registry asked for a token without saying where to get it")]
    NoTokenRealm,
    #[error("cannot reach the token service {realm}: {reason}")]
    TokenServiceUnreachable { realm: String, reason: String },
    #[error("the token service returned no token")]
    NoToken,
    #[error("OCI repository names must be lowercase: {0}")]
    UppercaseName(String),
    #[error("{name} {version} is already in the registry with different content (layer sha256:{existing}); publish a new version, or use --force to replace it")]
    VersionTaken {
        name: String,
        version: String,
        existing: String,
    },
    #[error("cannot fetch it: {0}")]
    Fetch(String),
    #[error("the server answered {0}")]
    Status(u16),
    #[error("cannot read it: {0}")]
    ReadBody(String),
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
