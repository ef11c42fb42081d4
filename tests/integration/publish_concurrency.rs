//! Publishing into one repository from several processes, interrupted, and again as content
//! changes: nothing is lost, the index stays valid, versions follow content.

use std::fs;
use std::path::{Path, PathBuf};

use std::process::Stdio;

use crate::common::{cmd, root};
use crate::publish::{archives, example_charts, index, package, run_ok};
pub(crate) fn set_replicas(chart: &Path, n: u32) {
    let values = chart.join("values.yaml");
    let text = fs::read_to_string(&values).unwrap();
    fs::write(
        &values,
        text.replace("replicaCount: 1", &format!("replicaCount: {n}")),
    )
    .unwrap();
}

pub(crate) fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// Many small archives with distinct names, made by packaging one chart under new names.
fn many_archives(work: &Path, prefix: &str, count: usize) -> Vec<PathBuf> {
    let base = example_charts(&work.join(format!("{prefix}-src")))[0].clone();
    let out = work.join(format!("{prefix}-dist"));
    let mut dirs = Vec::new();
    for i in 0..count {
        let dir = work.join(format!("{prefix}-charts/{prefix}{i}"));
        copy_dir(&base, &dir);
        let chart = fs::read_to_string(dir.join("Chart.yaml"))
            .unwrap()
            .replace("name: redis", &format!("name: {prefix}{i}"));
        fs::write(dir.join("Chart.yaml"), chart).unwrap();
        dirs.push(dir);
    }
    package(&dirs, &out, &["-q"]);
    archives(&out)
}

#[test]
fn two_publishers_at_once_lose_nothing() {
    let work = tempfile::tempdir().unwrap();
    let a = many_archives(work.path(), "alpha", 30);
    let b = many_archives(work.path(), "beta", 30);
    let repo = work.path().join("repo");
    for _ in 0..3 {
        let _ = fs::remove_dir_all(&repo);
        let spawn = |set: &[PathBuf]| {
            let mut c = cmd();
            c.arg("publish")
                .args(set)
                .arg("--repo")
                .arg(&repo)
                .arg("-q")
                .spawn()
                .unwrap()
        };
        // Each archive is its own publisher run too, so the two processes interleave.
        let mut first = spawn(&a);
        let mut second = spawn(&b);
        assert!(first.wait().unwrap().success());
        assert!(second.wait().unwrap().success());
        let idx = index(&repo);
        assert_eq!(
            idx["entries"].as_object().unwrap().len(),
            60,
            "every chart of both publishers is listed"
        );
    }
}

#[test]
fn an_interrupted_publish_leaves_a_valid_index() {
    let work = tempfile::tempdir().unwrap();
    let initial = many_archives(work.path(), "keep", 3);
    let batch = many_archives(work.path(), "batch", 120);
    let repo = work.path().join("repo");
    let mut c = cmd();
    run_ok(c.arg("publish").args(&initial).arg("--repo").arg(&repo));
    for delay_ms in [5u64, 20, 40, 80, 160] {
        let mut child = cmd()
            .arg("publish")
            .args(&batch)
            .arg("--repo")
            .arg(&repo)
            .arg("-q")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Whatever moment it died, the index parses, keeps what was there, and every entry's
        // archive is present with the digest the index names.
        let idx = index(&repo);
        let entries = idx["entries"].as_object().unwrap();
        for name in ["keep0", "keep1", "keep2"] {
            assert!(
                entries.contains_key(name),
                "{name} lost after a kill at {delay_ms} ms"
            );
        }
        for (name, list) in entries {
            for e in list.as_array().unwrap() {
                let file = repo.join(format!("{name}-{}.tgz", e["version"].as_str().unwrap()));
                let bytes = fs::read(&file)
                    .unwrap_or_else(|_| panic!("{} listed but missing", file.display()));
                assert_eq!(
                    helm_ecs_import::package::sha256_hex(&bytes),
                    e["digest"].as_str().unwrap()
                );
            }
        }
    }
    // A later complete run finishes the job.
    let mut c = cmd();
    run_ok(
        c.arg("publish")
            .args(&batch)
            .arg("--repo")
            .arg(&repo)
            .arg("-q"),
    );
    assert_eq!(index(&repo)["entries"].as_object().unwrap().len(), 123);
}

#[test]
fn versions_follow_content() {
    let work = tempfile::tempdir().unwrap();
    let charts = example_charts(work.path());
    let repo = work.path().join("repo");
    let redis = &charts[0];
    let pack = |dest: &str| {
        let mut c = cmd();
        c.arg("package")
            .arg(redis)
            .arg("--repo")
            .arg(&repo)
            .arg("-d")
            .arg(work.path().join(dest));
        run_ok(&mut c);
        archives(&work.path().join(dest)).pop().unwrap()
    };
    let publish = |a: &Path| {
        let mut c = cmd();
        run_ok(c.arg("publish").arg(a).arg("--repo").arg(&repo).arg("-q"));
    };
    let first = pack("d1");
    assert!(first.ends_with("redis-0.1.0.tgz"));
    publish(&first);
    // Unchanged content: same version, same bytes; publishing it again is a no-op.
    let again = pack("d2");
    assert!(again.ends_with("redis-0.1.0.tgz"));
    assert_eq!(fs::read(&again).unwrap(), fs::read(&first).unwrap());
    let before = fs::read(repo.join("index.yaml")).unwrap();
    publish(&again);
    assert_eq!(fs::read(repo.join("index.yaml")).unwrap(), before);
    // Changed content: the next patch version.
    set_replicas(redis, 3);
    let changed = pack("d3");
    assert!(
        changed.ends_with("redis-0.1.1.tgz"),
        "{}",
        changed.display()
    );

    // On a conversion re-run, the chart's version follows its generated content too.
    let out = work.path().join("out");
    let convert = |extra: &[&str]| {
        let mut c = cmd();
        c.arg(root().join("examples/redis.json"))
            .arg("-q")
            .arg("-o")
            .arg(&out)
            .args(extra);
        run_ok(&mut c);
        fs::read_to_string(out.join("redis/Chart.yaml")).unwrap()
    };
    assert!(convert(&[]).contains("version: \"0.1.0\""));
    let values = out.join("redis/values.yaml");
    let edited =
        fs::read_to_string(&values).unwrap() + "\n# user edits do not count\nteam: cache\n";
    fs::write(&values, edited).unwrap();
    assert!(
        convert(&[]).contains("version: \"0.1.0\""),
        "unchanged generated content keeps the version"
    );
    assert!(convert(&["--workload", "deployment"]).contains("version: \"0.1.1\""));
    assert!(convert(&["--workload", "deployment"]).contains("version: \"0.1.1\""));
    assert!(convert(&["--chart-version", "3.0.0"]).contains("version: \"3.0.0\""));
    // Unchanged since the 3.0.0 run: the version stays; --package writes the archive beside
    // the chart folders.
    assert!(convert(&["--package"]).contains("version: \"3.0.0\""));
    assert!(out.join("redis-3.0.0.tgz").exists());
}

/// A publish killed mid-copy leaves a temporary file named in the publishers' record; the next
/// publish removes exactly that, never a user's look-alike file, a link, or what a link points to.
#[test]
fn leftover_uploads_are_removed_by_the_record_not_by_their_names() {
    let work = tempfile::tempdir().unwrap();
    let archives = many_archives(work.path(), "tidy", 2);
    let repo = work.path().join("repo");
    let mut c = cmd();
    run_ok(c.arg("publish").arg(&archives[0]).arg("--repo").arg(&repo));
    let left = repo.join(".upload-k1Ll3d");
    fs::write(&left, b"half an archive").unwrap();
    let mine = repo.join(".upload-notes");
    fs::write(&mine, b"the user's own").unwrap();
    let outside = work.path().join("outside.txt");
    fs::write(&outside, b"not the repository's").unwrap();
    let link = repo.join(".upload-link");
    std::os::unix::fs::symlink(&outside, &link).unwrap();
    fs::write(
        repo.join(".index.uploads"),
        ".upload-k1Ll3d\n.upload-link\n../outside.txt\n",
    )
    .unwrap();
    let mut c = cmd();
    run_ok(c.arg("publish").arg(&archives[1]).arg("--repo").arg(&repo));
    assert!(!left.exists(), "the recorded leftover is removed");
    assert!(mine.exists(), "a look-alike the record does not name stays");
    assert!(
        fs::symlink_metadata(&link).is_ok(),
        "a link is never followed or removed"
    );
    assert_eq!(fs::read(&outside).unwrap(), b"not the repository's");
    assert!(!repo.join(".index.uploads").exists());
    let idx = index(&repo);
    assert_eq!(idx["entries"].as_object().unwrap().len(), 2);
}
