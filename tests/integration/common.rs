//! Shared helpers: where the fixtures and the real tools are, running the binary, and reading
//! rendered manifests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_helm-ecs-import"))
}

pub fn cmd() -> Command {
    let mut c = Command::new(bin());
    c.env_remove("HELM_PLUGIN_NAME");
    c
}

/// A conversion case: a fixture folder (`tests/fixtures/<name>/task-definition.json`, optional
/// `args`) or a bundled example (`examples/<name>.json`).
#[derive(Debug, Clone)]
pub struct Case {
    pub name: String,
    pub input: PathBuf,
    pub args: Vec<String>,
}

pub fn cases() -> Vec<Case> {
    let mut out = Vec::new();
    let fixtures = root().join("tests/fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let args = std::fs::read_to_string(dir.join("args"))
            .map(|a| a.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default();
        out.push(Case {
            name: dir.file_name().unwrap().to_string_lossy().into_owned(),
            input: dir.join("task-definition.json"),
            args,
        });
    }
    let mut examples: Vec<_> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    examples.sort();
    for path in examples
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
    {
        out.push(Case {
            name: format!("example-{}", path.file_stem().unwrap().to_string_lossy()),
            input: path,
            args: Vec::new(),
        });
    }
    out
}

/// Converts a case into `out`; panics with the tool's stderr when it fails.
pub fn convert(case: &Case, out: &Path) {
    crate::conversion::Conversion::of(&case.input)
        .args(&case.args)
        .arg("--quiet")
        .succeeds(out);
}

/// The single chart directory a conversion wrote into `out`.
pub fn chart_dir(out: &Path) -> PathBuf {
    let mut dirs: Vec<_> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    assert_eq!(dirs.len(), 1, "expected one chart in {}", out.display());
    dirs.pop().unwrap()
}

/// Every file under `dir`, relative and sorted, with its bytes.
pub fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap())
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let rel = format!("{prefix}{}", e.file_name().to_string_lossy());
            if e.file_type().unwrap().is_dir() {
                walk(&e.path(), &format!("{rel}/"), out);
            } else {
                out.push((rel, std::fs::read(e.path()).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out
}

pub struct Tools {
    /// (label, path) for Helm 3 and Helm 4.
    pub helms: Vec<(&'static str, PathBuf)>,
    pub kubernetes_validate: PathBuf,
}

/// A test whose tool is missing fails, naming the tool and the command that sets it up: it is
/// never counted as passed. `bash scripts/test.sh` fetches and builds everything first.
#[track_caller]
pub fn missing(reason: &str) -> ! {
    panic!(
        "{reason}: this test needs the fetched tools; run `bash scripts/test.sh` (fetches Helm 3 and 4, kubectl, kubernetes-validate, the scanners and CRDs, and builds the test cluster), or the script named"
    )
}

/// The real tools from scripts/fetch-tools.sh; a missing one fails the test (see `missing`).
pub fn tools() -> Option<Tools> {
    let tools = root().join(".tools");
    let env_or =
        |var: &str, default: PathBuf| std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    let helm3 = env_or("HELM3_BIN", tools.join("helm-v3/helm"));
    let helm4 = env_or("HELM4_BIN", tools.join("helm-v4/helm"));
    let validate = env_or(
        "KUBERNETES_VALIDATE",
        tools.join("venv/bin/kubernetes-validate"),
    );
    let absent: Vec<_> = [&helm3, &helm4, &validate]
        .into_iter()
        .filter(|p| !p.exists())
        .collect();
    if !absent.is_empty() {
        missing(&format!("missing {absent:?}; scripts/fetch-tools.sh"));
    }
    Some(Tools {
        helms: vec![("helm3", helm3), ("helm4", helm4)],
        kubernetes_validate: validate,
    })
}

impl Tools {
    /// `kubernetes-validate --strict` for Kubernetes 1.30 over rendered files; returns its
    /// output after asserting that every object passed.
    pub fn validate(&self, files: &[PathBuf]) -> String {
        let output = Command::new(&self.kubernetes_validate)
            .args(["--strict", "--kubernetes-version", "1.30.0"])
            .args(files)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success() && !stdout.contains("ERROR"),
            "kubernetes-validate:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    }

    /// Writes rendered documents to `file` as one YAML stream and validates them.
    pub fn validate_docs(&self, docs: &[Value], file: &Path) {
        let text: String = docs
            .iter()
            .map(|d| format!("---\n{}\n", serde_json::to_string(d).unwrap()))
            .collect();
        std::fs::write(file, text).unwrap();
        self.validate(&[file.to_path_buf()]);
    }
}

/// Runs a tool with a private Helm home so tests never touch the user's configuration.
pub fn helm(helm: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(helm)
        .args(args)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_PLUGINS", home.join("data/plugins"))
        .output()
        .unwrap()
}

pub fn ok(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The objects of a multi-document YAML stream, as JSON values.
pub fn documents(text: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.lines().chain(std::iter::once("---")) {
        if line == "---" {
            if current
                .lines()
                .any(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            {
                let value: Value = helm_ecs_import::yaml::from_str(&current)
                    .unwrap_or_else(|e| panic!("rendered YAML does not parse: {e}\n{current}"));
                docs.push(value);
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    docs
}

/// `helm template` of a chart with extra arguments, as objects.
pub fn render(helm_bin: &Path, home: &Path, chart: &Path, extra: &[&str]) -> Vec<Value> {
    let chart = chart.to_str().unwrap();
    let mut args = vec!["template", "rel", chart];
    args.extend_from_slice(extra);
    documents(&ok(
        &helm(helm_bin, home, &args),
        &format!("helm template {chart}"),
    ))
}

/// Kubernetes' expansion of command, args and env values (its `expansion` package):
/// `$$` is a literal `$`, `$(NAME)` a defined variable's value, anything else verbatim.
pub fn kubernetes_expand(text: &str, vars: &std::collections::BTreeMap<String, String>) -> String {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' && i + 1 < b.len() {
            match b[i + 1] {
                b'$' => {
                    out.push('$');
                    i += 2;
                }
                b'(' => match text[i + 2..].find(')') {
                    Some(end) => {
                        let name = &text[i + 2..i + 2 + end];
                        match vars.get(name) {
                            Some(v) => out.push_str(v),
                            None => out.push_str(&text[i..i + 3 + end]),
                        }
                        i += 3 + end;
                    }
                    None => {
                        out.push_str("$(");
                        i += 2;
                    }
                },
                _ => {
                    out.push('$');
                    i += 1;
                }
            }
        } else {
            let ch = text[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// Converts `input` into `out` (which must succeed): the chart folders written, sorted, and
/// what the run printed on stderr.
pub fn convert_all(input: &Path, out: &Path) -> (Vec<PathBuf>, String) {
    let output = cmd().arg(input).arg("-o").arg(out).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let mut charts: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").exists())
        .collect();
    charts.sort();
    (charts, stderr)
}

/// The migration plan's files, written at the output root beside the charts.
pub const PLAN_FILES: [&str; 3] = ["MIGRATION.md", "migration-plan.json", "platform"];

/// Runs `command` to its end and returns its output and its peak resident memory in bytes,
/// from the kernel's accounting of that one process (`wait4`), so tests running beside it do
/// not count.
pub fn run_measured(command: &mut Command) -> (Output, u64) {
    use std::io::Read;
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    // wait4 below reaps the child; std's wait would then find nothing to wait for.
    #[allow(clippy::zombie_processes)]
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            r.read_to_end(&mut buf).unwrap();
            buf
        })
    };
    let out = drain(Box::new(child.stdout.take().unwrap()));
    let err = drain(Box::new(child.stderr.take().unwrap()));
    let mut status = 0;
    // SAFETY: rusage is plain data the kernel fills in; the pid is our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4");
    let output = Output {
        status: std::process::ExitStatus::from_raw(status),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    };
    (output, usage.ru_maxrss as u64 * 1024)
}

/// The peak memory the brief allows any run: 256 MiB plus twice the size of its inputs.
pub fn memory_allowed(input_bytes: u64) -> u64 {
    (256 << 20) + 2 * input_bytes
}

/// The entry names of a `.tgz` archive, in archive order.
pub fn archive_names(path: &Path) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .collect()
}

/// Every entry under `dir` (relative, sorted), links not followed: what a folder holds,
/// without reading any file.
pub fn tree_names(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            out.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
            if e.file_type().unwrap().is_dir() {
                stack.push(path);
            }
        }
    }
    out.sort();
    out
}

/// One file of a `.tgz` archive, as text.
pub fn archive_file(path: &Path, name: &str) -> String {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut entry = archive
        .entries()
        .unwrap()
        .map(|e| e.unwrap())
        .find(|e| e.path().unwrap().to_string_lossy() == name)
        .unwrap_or_else(|| panic!("{name} not in {}", path.display()));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}
