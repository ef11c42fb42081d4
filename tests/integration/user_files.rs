//! The user's own files in a chart folder (#29) are kept in place and never read into memory:
//! a 3 GiB dump and a link to /dev/zero survive a re-import in bounded time and memory; an
//! archive refuses what Helm would refuse (naming it) unless `.helmignore` leaves it out; a
//! generated file replaced by a link is refused, never followed.

use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use crate::common::{cmd, memory_allowed, root, run_measured};

const DUMP_BYTES: u64 = 3 << 30;

fn convert(out: &Path, extra: &[&str]) -> (std::process::Output, u64) {
    let input = root().join("examples/redis.json");
    let started = Instant::now();
    let run = run_measured(cmd().arg(&input).arg("-o").arg(out).args(extra));
    assert!(started.elapsed() < Duration::from_secs(30));
    run
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn a_huge_dump_and_a_link_to_dev_zero_are_kept_without_being_read() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (first, _) = convert(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let chart = out.join("redis");
    // Sparse: 3 GiB to read, nothing on disk.
    fs::File::create(chart.join("dump.rdb"))
        .unwrap()
        .set_len(DUMP_BYTES)
        .unwrap();
    std::os::unix::fs::symlink("/dev/zero", chart.join("zero")).unwrap();
    let (again, peak) = convert(&out, &["--volume-size", "redis-data=20Gi"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(peak < memory_allowed(10 << 10), "peak {} MiB", peak >> 20);
    assert_eq!(
        fs::metadata(chart.join("dump.rdb")).unwrap().len(),
        DUMP_BYTES
    );
    assert_eq!(
        fs::read_link(chart.join("zero")).unwrap(),
        Path::new("/dev/zero")
    );
    assert!(fs::read_to_string(chart.join("values.yaml"))
        .unwrap()
        .contains("20Gi"));

    // An archive would hold them: each one Helm refuses is named, and nothing is packaged.
    let no_archive = |out: &Path| crate::publish::archives(out).is_empty();
    let (packaged, _) = convert(&out, &["--package"]);
    let err = stderr(&packaged);
    assert_eq!(packaged.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("\"zero\" is not a regular file"), "{err}");
    assert!(no_archive(&out));
    fs::remove_file(chart.join("zero")).unwrap();
    let (packaged, peak) = convert(&out, &["--package"]);
    let err = stderr(&packaged);
    assert_eq!(packaged.status.code(), Some(1), "{err}");
    assert!(
        err.contains("\"dump.rdb\" is larger than Helm's 5 MiB limit for one file"),
        "{err}"
    );
    assert!(peak < memory_allowed(10 << 10), "peak {} MiB", peak >> 20);
    assert!(no_archive(&out));
    std::os::unix::fs::symlink("/dev/zero", chart.join("zero")).unwrap();

    // Left out by .helmignore, neither is read, and the chart packages.
    fs::File::create(chart.join("dump.rdb"))
        .unwrap()
        .set_len(DUMP_BYTES)
        .unwrap();
    let mut ignore = fs::read_to_string(chart.join(".helmignore")).unwrap();
    ignore.push_str("dump.rdb\nzero\n");
    fs::write(chart.join(".helmignore"), ignore).unwrap();
    let (packaged, peak) = convert(&out, &["--package"]);
    assert!(packaged.status.success(), "{}", stderr(&packaged));
    assert!(peak < memory_allowed(10 << 10), "peak {} MiB", peak >> 20);
    let archive = crate::publish::archives(&out).pop().unwrap();
    let listing = crate::common::archive_names(&archive);
    assert!(
        listing.iter().any(|n| n == "redis/values.yaml"),
        "{listing:?}"
    );
    // The archive is the folder as it stands: the user's edit of .helmignore is in it.
    let archived = crate::common::archive_file(&archive, "redis/.helmignore");
    assert!(archived.ends_with("dump.rdb\nzero\n"), "{archived}");
    assert!(
        !listing
            .iter()
            .any(|n| n.contains("dump.rdb") || n.ends_with("/zero")),
        "{listing:?}"
    );
}

#[test]
fn a_generated_file_replaced_by_a_link_is_refused_and_nothing_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (first, _) = convert(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let chart = out.join("redis");
    let values = chart.join("values.yaml");
    fs::remove_file(&values).unwrap();
    std::os::unix::fs::symlink("/dev/zero", &values).unwrap();
    let before = crate::common::tree_names(&chart);
    let (again, peak) = convert(&out, &["--volume-size", "redis-data=20Gi"]);
    let err = stderr(&again);
    assert_eq!(again.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains(&format!(
            "{}: is a link where the chart has a generated file",
            values.display()
        )),
        "{err}"
    );
    assert!(peak < memory_allowed(10 << 10), "peak {} MiB", peak >> 20);
    assert_eq!(fs::read_link(&values).unwrap(), Path::new("/dev/zero"));
    assert_eq!(crate::common::tree_names(&chart), before);
}

/// `helm package` of the folder and `--package` give the same content: the user's edit of a
/// generated file is in the archive, on an unchanged run and on one that merges a change.
#[test]
fn the_archive_holds_the_users_edits_of_generated_files() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (first, _) = convert(&out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let values = out.join("redis/values.yaml");
    let edited = fs::read_to_string(&values)
        .unwrap()
        .replace("\nreplicaCount: 1\n", "\nreplicaCount: 7\n");
    assert!(edited.contains("\nreplicaCount: 7\n"));
    fs::write(&values, edited).unwrap();
    for extra in [
        &["--package"][..],
        &["--package", "--volume-size", "redis-data=20Gi"],
    ] {
        let (run, _) = convert(&out, extra);
        assert!(run.status.success(), "{}", stderr(&run));
        let archive = crate::publish::archives(&out).pop().unwrap();
        let archived = crate::common::archive_file(&archive, "redis/values.yaml");
        assert!(archived.contains("\nreplicaCount: 7\n"), "{extra:?}");
        assert_eq!(archived, fs::read_to_string(&values).unwrap());
    }
}
