//! Hostile archives and big repositories: an archive Helm's loader would refuse is never
//! indexed (and nothing in the repository changes), and an index as big as real repositories
//! grow (30,000 entries) publishes and still reads back in Helm.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{cmd, tools};

const CHART_YAML: &str = "apiVersion: v2\nname: web\nversion: 0.1.0\n";

enum Entry<'a> {
    File(&'a str, Vec<u8>),
    Link(&'a str, &'a str),
    /// A file whose content is `size` zero bytes, streamed so no buffer holds it.
    Zeros(&'a str, u64),
}

fn archive(path: &Path, entries: &[Entry]) {
    let gz =
        flate2::write::GzEncoder::new(fs::File::create(path).unwrap(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    for entry in entries {
        let mut header = tar::Header::new_gnu();
        header.set_mode(0o644);
        match entry {
            Entry::File(name, bytes) => {
                header.set_size(bytes.len() as u64);
                header.set_entry_type(tar::EntryType::Regular);
                set_name(&mut header, name);
                header.set_cksum();
                tar.append(&header, bytes.as_slice()).unwrap();
            }
            Entry::Link(name, target) => {
                header.set_size(0);
                header.set_entry_type(tar::EntryType::Symlink);
                set_name(&mut header, name);
                header.set_link_name(target).unwrap();
                header.set_cksum();
                tar.append(&header, std::io::empty()).unwrap();
            }
            Entry::Zeros(name, size) => {
                header.set_size(*size);
                header.set_entry_type(tar::EntryType::Regular);
                set_name(&mut header, name);
                header.set_cksum();
                let zeros = std::io::Read::take(std::io::repeat(0), *size);
                tar.append(&header, zeros).unwrap();
            }
        }
    }
    tar.into_inner().unwrap().finish().unwrap();
}

/// Raw names, so `..` and newlines reach the archive as an attacker would write them.
fn set_name(header: &mut tar::Header, name: &str) {
    let bytes = name.as_bytes();
    let field = &mut header.as_old_mut().name;
    field.fill(0);
    field[..bytes.len()].copy_from_slice(bytes);
}

fn repo_with_index(dir: &Path) -> Vec<u8> {
    fs::create_dir_all(dir).unwrap();
    let index = b"apiVersion: v1\nentries: {}\ngenerated: \"2026-01-01T00:00:00Z\"\n".to_vec();
    fs::write(dir.join("index.yaml"), &index).unwrap();
    index
}

#[test]
fn archives_helm_would_refuse_are_never_indexed() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = || Entry::File("web/Chart.yaml", CHART_YAML.into());
    let cases: Vec<(&str, Vec<Entry>, &str)> = vec![
        (
            "parent",
            vec![
                chart(),
                Entry::File("web/../../etc/cron.d/x", b"x".to_vec()),
            ],
            "outside the chart's directory",
        ),
        (
            "absolute",
            vec![chart(), Entry::File("/etc/passwd", b"x".to_vec())],
            "absolute path",
        ),
        (
            "link",
            vec![chart(), Entry::Link("web/templates/x.yaml", "/etc/shadow")],
            "is a link",
        ),
        (
            "newline",
            vec![
                chart(),
                Entry::File("web/templates/a\nb.yaml", b"x".to_vec()),
            ],
            "control character",
        ),
        (
            "mismatch",
            vec![Entry::File(
                "web/Chart.yaml",
                b"apiVersion: v2\nname: other\nversion: 0.1.0\n".to_vec(),
            )],
            "archive's directory is \"web\"",
        ),
        (
            "name-newline",
            vec![Entry::File(
                "web/Chart.yaml",
                b"apiVersion: v2\nname: \"web\\nreplicaCount: 50\"\nversion: 0.1.0\n".to_vec(),
            )],
            "not a valid chart name",
        ),
        (
            "big-file",
            vec![chart(), Entry::Zeros("web/files/blob", 6 << 20)],
            "5 MiB limit for one file",
        ),
        (
            // 1 GiB of zeros compresses to about a megabyte: the classic bomb.
            "bomb",
            (0..26)
                .map(|_| Entry::Zeros("web/files/part", 4 << 20))
                .chain([chart()])
                .collect(),
            "100 MiB limit for a chart",
        ),
        (
            "no-chart",
            vec![Entry::File("web/values.yaml", b"a: 1\n".to_vec())],
            "no <name>/Chart.yaml",
        ),
    ];
    for (name, entries, expected) in cases {
        let file = tmp.path().join(format!("{name}-0.1.0.tgz"));
        archive(&file, &entries);
        let repo = tmp.path().join(format!("repo-{name}"));
        let before = repo_with_index(&repo);
        let started = Instant::now();
        let output = cmd()
            .arg("publish")
            .arg(&file)
            .arg("--repo")
            .arg(&repo)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{name}: bounded"
        );
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 1, "{name}: one line: {stderr}");
        assert!(
            lines[0].contains(&file.display().to_string()) && lines[0].contains(expected),
            "{name}: {stderr}"
        );
        assert_eq!(fs::read(repo.join("index.yaml")).unwrap(), before, "{name}");
        let archives: Vec<PathBuf> = fs::read_dir(&repo)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "tgz"))
            .collect();
        assert!(archives.is_empty(), "{name}: nothing copied: {archives:?}");
    }
    // The same builder makes an archive Helm accepts, and that one publishes.
    let good = tmp.path().join("web-0.1.0.tgz");
    archive(
        &good,
        &[
            chart(),
            Entry::File("web/values.yaml", b"a: 1\n".to_vec()),
            Entry::File("web/templates/cm.yaml", b"kind: ConfigMap\n".to_vec()),
        ],
    );
    let repo = tmp.path().join("repo-good");
    repo_with_index(&repo);
    let output = cmd()
        .arg("publish")
        .arg(&good)
        .arg("--repo")
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(repo.join("web-0.1.0.tgz").exists());
}

/// Helm reads an index of any size it can hold; 30,000 entries (about 9 MB) is what large
/// public repositories reach.
#[test]
fn a_thirty_thousand_entry_index_publishes_and_helm_reads_it() {
    let Some(t) = tools() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    fs::create_dir_all(&repo).unwrap();
    let mut text = String::from("apiVersion: v1\nentries:\n");
    for chart in 0..3000 {
        text.push_str(&format!("  chart-{chart:05}:\n"));
        for v in 0..10 {
            text.push_str(&format!(
                "  - apiVersion: v2\n    appVersion: 1.{v}.0\n    created: \"2026-01-01T00:00:00Z\"\n    description: Converted from the ECS task definition family chart-{chart:05}\n    digest: {:064x}\n    name: chart-{chart:05}\n    urls:\n    - chart-{chart:05}-0.{v}.0.tgz\n    version: 0.{v}.0\n",
                chart * 10 + v
            ));
        }
    }
    text.push_str("generated: \"2026-01-01T00:00:00Z\"\n");
    assert!(text.len() > 9_000_000, "{} bytes", text.len());
    fs::write(repo.join("index.yaml"), &text).unwrap();
    let good = tmp.path().join("web-0.1.0.tgz");
    archive(&good, &[Entry::File("web/Chart.yaml", CHART_YAML.into())]);
    let output = cmd()
        .arg("publish")
        .arg(&good)
        .arg("--repo")
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = fs::read_to_string(repo.join("index.yaml")).unwrap();
    let versions = written
        .lines()
        .filter(|l| l.trim_start().starts_with("version: "))
        .count();
    assert_eq!(versions, 30_001);
    assert!(
        written.contains(&format!("digest: \"{:064x}\"", 7)),
        "digests keep their spelling"
    );
    // Helm's own index loader reads what was written (repo index --merge loads it).
    for (label, helm) in &t.helms {
        let fresh = tmp.path().join(format!("fresh-{label}"));
        fs::create_dir_all(&fresh).unwrap();
        let output = std::process::Command::new(helm)
            .args(["repo", "index"])
            .arg(&fresh)
            .arg("--merge")
            .arg(repo.join("index.yaml"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{label}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let merged = fs::read_to_string(fresh.join("index.yaml")).unwrap();
        assert!(
            merged.contains("chart-02999") && merged.contains("name: web"),
            "{label}"
        );
    }
}
