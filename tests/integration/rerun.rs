//! Re-runs a team keeps in CI: a conversion that changes nothing writes nothing and says
//! "unchanged"; --check speaks only of drift and never calls an open conflict "No drift"; the
//! summary counts conflicts; appVersion follows the image tag a resolution kept.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use serde_json::json;

use crate::conversion::Conversion;

fn write_task(path: &Path, family: &str, tag: &str) {
    let task = json!({
        "family": family,
        "containerDefinitions": [{
            "name": family,
            "image": format!("registry.example.com/{family}:{tag}"),
            "essential": true,
            "memory": 512,
            "portMappings": [{"containerPort": 8080, "name": "http", "appProtocol": "http"}],
            "environment": [{"name": "LOG_LEVEL", "value": "info"}]
        }]
    });
    fs::write(path, serde_json::to_vec_pretty(&task).unwrap()).unwrap();
}

/// Two services' task definitions in `<dir>/in`, and the output folder `<dir>/charts`.
fn shop_and_cart(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let inputs = dir.join("in");
    fs::create_dir_all(&inputs).unwrap();
    write_task(&inputs.join("shop.json"), "shop", "1.0.0");
    write_task(&inputs.join("cart.json"), "cart", "2.0.0");
    (inputs, dir.join("charts"))
}

/// Every entry under `dir` with its inode and modification time (nanoseconds).
fn stamps(dir: &Path) -> BTreeMap<String, (u64, i64, i64)> {
    let mut out = BTreeMap::new();
    for entry in walkdir(dir) {
        let meta = fs::symlink_metadata(&entry).unwrap();
        let rel = entry.strip_prefix(dir).unwrap().display().to_string();
        out.insert(rel, (meta.ino(), meta.mtime(), meta.mtime_nsec()));
    }
    out
}

fn walkdir(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if fs::symlink_metadata(&path).unwrap().is_dir() {
            out.extend(walkdir(&path));
        }
        out.push(path);
    }
    out
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_rerun_that_changes_nothing_writes_nothing_and_says_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    let (inputs, out) = shop_and_cart(tmp.path());
    let first = Conversion::of(&inputs).args(["--package"]).run(&out);
    assert!(first.status.success(), "{}", stderr(&first));
    // A user's own file in a chart goes into its archive, unchanged runs included.
    fs::write(out.join("shop/values-prod.yaml"), "replicaCount: 3\n").unwrap();
    let again = Conversion::of(&inputs).args(["--package"]).run(&out);
    assert!(again.status.success(), "{}", stderr(&again));
    let before = stamps(&out);
    // Coarse file-system clocks would hide a rewrite made within the same tick.
    std::thread::sleep(std::time::Duration::from_millis(20));

    let rerun = Conversion::of(&inputs).args(["--package"]).run(&out);
    let err = stderr(&rerun);
    assert!(rerun.status.success(), "{err}");
    assert_eq!(stamps(&out), before, "a no-change re-run touched files");
    assert_eq!(err.matches(": unchanged ").count(), 2, "{err}");
    assert!(!err.contains(": wrote "), "{err}");
    assert!(!err.contains("  warning "), "{err}");
    assert!(
        err.contains("Summary: 2 converted (2 unchanged, 0 with warnings), 0 skipped, 0 failed"),
        "{err}"
    );
    let archive = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.to_string_lossy().contains("/shop-") && p.extension().is_some_and(|e| e == "tgz")
        })
        .expect("the shop archive");
    let listing = std::process::Command::new("tar")
        .args(["tzf", archive.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listing.stdout).contains("shop/values-prod.yaml"),
        "the archive lacks the user's file"
    );

    let check = Conversion::of(&inputs).args(["--check"]).run(&out);
    let err = stderr(&check);
    assert!(check.status.success(), "{err}");
    assert_eq!(
        err.trim(),
        "No drift: a re-run would change nothing.",
        "{err}"
    );
    assert_eq!(stamps(&out), before, "--check touched files");

    // A changed input: only that chart is written, and --check names its files alone.
    write_task(&inputs.join("cart.json"), "cart", "2.1.0");
    let check = Conversion::of(&inputs).args(["--check"]).run(&out);
    let err = stderr(&check);
    assert_eq!(check.status.code(), Some(1), "{err}");
    assert!(err.lines().all(|l| l.contains("/cart/")), "{err}");
    assert!(err.contains("cart/values.yaml: would change"), "{err}");
    let rerun = Conversion::of(&inputs).run(&out);
    let err = stderr(&rerun);
    assert!(
        err.contains(": unchanged ") && err.contains(": wrote "),
        "{err}"
    );
    let after = stamps(&out);
    for (rel, stamp) in &before {
        if rel.starts_with("shop") {
            assert_eq!(after.get(rel), Some(stamp), "{rel} was rewritten");
        }
    }
}

#[test]
fn an_open_conflict_is_never_no_drift_and_is_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let (inputs, out) = shop_and_cart(tmp.path());
    assert!(Conversion::of(&inputs).run(&out).status.success());
    let values = out.join("shop/values.yaml");
    let text = fs::read_to_string(&values).unwrap();
    fs::write(
        &values,
        text.replace("tag: \"1.0.0\"", "tag: \"1.0.0-patched\""),
    )
    .unwrap();
    write_task(&inputs.join("shop.json"), "shop", "1.1.0");

    let run = Conversion::of(&inputs).run(&out);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("Summary: 2 converted (1 unchanged, 1 with warnings, 1 with open conflicts)"),
        "{err}"
    );
    let check = Conversion::of(&inputs).args(["--check"]).run(&out);
    let err = stderr(&check);
    assert_eq!(check.status.code(), Some(1), "{err}");
    assert!(!err.contains("No drift"), "{err}");
    assert!(err.contains("1 conflict(s) open"), "{err}");
    assert!(
        err.contains("conflict ECSI-W-CONFLICT values.yaml"),
        "{err}"
    );
    assert!(!err.contains("wrote"), "{err}");

    // --ours keeps the user's tag, and appVersion names the tag that runs.
    let ours = Conversion::of(&inputs).args(["--ours"]).run(&out);
    assert!(ours.status.success(), "{}", stderr(&ours));
    let chart = fs::read_to_string(out.join("shop/Chart.yaml")).unwrap();
    assert!(chart.contains("appVersion: \"1.0.0-patched\""), "{chart}");
    assert!(fs::read_to_string(&values)
        .unwrap()
        .contains("1.0.0-patched"));
    let settled = Conversion::of(&inputs).args(["--check"]).run(&out);
    assert!(settled.status.success(), "{}", stderr(&settled));
    follow_the_tag_through_later_imports(&inputs, &out);
}

/// After `--ours`, Chart.yaml is the tool's file still: a new input tag conflicts in
/// values.yaml only (appVersion keeps naming the tag that runs). Settled by hand with the
/// input unchanged, nothing is written (the quiet re-run reads no merge base); the next import
/// merges Chart.yaml without a conflict and appVersion names the tag that runs.
fn follow_the_tag_through_later_imports(inputs: &Path, out: &Path) {
    let values = out.join("shop/values.yaml");
    let chart_yaml = out.join("shop/Chart.yaml");
    write_task(&inputs.join("shop.json"), "shop", "1.2.0");
    let run = Conversion::of(inputs).run(out);
    let err = stderr(&run);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("conflict ECSI-W-CONFLICT values.yaml"),
        "{err}"
    );
    assert!(
        !err.contains("Chart.yaml"),
        "the user never edited Chart.yaml: {err}"
    );
    let chart = fs::read_to_string(&chart_yaml).unwrap();
    assert!(chart.contains("appVersion: \"1.0.0-patched\""), "{chart}");
    // Settled by hand: the new tag taken, the new copy removed.
    let text = fs::read_to_string(&values).unwrap();
    fs::write(&values, text.replace("1.0.0-patched", "1.2.0")).unwrap();
    fs::remove_dir_all(out.join("shop/.ecs-import/new")).unwrap();
    let run = Conversion::of(inputs).run(out);
    let err = stderr(&run);
    assert!(run.status.success() && err.contains("unchanged"), "{err}");
    write_task(&inputs.join("shop.json"), "shop", "1.3.0");
    let run = Conversion::of(inputs).run(out);
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    assert!(!err.contains("conflict"), "{err}");
    let chart = fs::read_to_string(&chart_yaml).unwrap();
    assert!(chart.contains("appVersion: \"1.3.0\""), "{chart}");
    assert!(fs::read_to_string(&values)
        .unwrap()
        .contains("tag: \"1.3.0\""));
}

#[test]
fn environment_lines_name_every_environments_source() {
    let tmp = tempfile::tempdir().unwrap();
    let (dev, prod) = (tmp.path().join("dev.json"), tmp.path().join("prod.json"));
    write_task(&dev, "shop", "1.0.0");
    write_task(&prod, "shop", "1.0.0");
    let out = tmp.path().join("charts");
    let run = Conversion::default()
        .args(["--env", &format!("dev={}", dev.display())])
        .args(["--env", &format!("prod={}", prod.display())])
        .run(&out);
    let err = stderr(&run);
    assert!(run.status.success(), "{err}");
    let line = err
        .lines()
        .find(|l| l.contains(": wrote "))
        .expect("a chart line");
    assert!(
        line.starts_with(&format!(
            "dev={}, prod={}: wrote",
            dev.display(),
            prod.display()
        )),
        "{line}"
    );
}
