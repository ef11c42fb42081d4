//! Golden charts: each case's whole output tree is kept under tests/golden/<case>/ and must be
//! reproduced byte for byte. `UPDATE_GOLDEN=1 cargo test golden` (scripts/update-golden.sh)
//! rewrites them for review in git. The same golden charts are checked by real Helm and the
//! Kubernetes schemas in helm.rs, and their meaning in meaning.rs.

use std::fs;

use crate::common::{cases, convert, root, tree};

#[test]
fn every_case_matches_its_golden_chart() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let tmp = tempfile::tempdir().unwrap();
        convert(&case, tmp.path());
        let golden = root().join("tests/golden").join(&case.name);
        if update {
            let _ = fs::remove_dir_all(&golden);
            for (rel, bytes) in built(tmp.path()) {
                let path = golden.join(rel);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, bytes).unwrap();
            }
            continue;
        }
        if !golden.exists() {
            failures.push(format!(
                "{}: no golden chart; run scripts/update-golden.sh",
                case.name
            ));
            continue;
        }
        let actual = built(tmp.path());
        let expected = tree(&golden);
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        if names(&actual) != names(&expected) {
            failures.push(format!(
                "{}: files differ: got {:?}, golden {:?}",
                case.name,
                names(&actual),
                names(&expected)
            ));
            continue;
        }
        for ((path, a), (_, e)) in actual.iter().zip(&expected) {
            if a != e {
                failures.push(format!(
                    "{}: {path} differs from the golden copy:\n--- golden\n{}\n--- actual\n{}",
                    case.name,
                    String::from_utf8_lossy(e),
                    String::from_utf8_lossy(a)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{}\n(run scripts/update-golden.sh and review the diff if the change is intended)",
        failures.join("\n")
    );
}

/// Golden folders that no case produces any more would be checked by nothing.
#[test]
fn no_stale_golden_folders() {
    let names: Vec<String> = cases().into_iter().map(|c| c.name).collect();
    for entry in fs::read_dir(root().join("tests/golden")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            names.contains(&name),
            "tests/golden/{name} has no fixture or example"
        );
    }
}

/// What a conversion wrote, without the record of the build that wrote it (the fingerprint
/// names this executable, so it differs between builds while the charts do not).
fn built(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    tree(dir)
        .into_iter()
        .filter(|(rel, _)| !rel.ends_with("/.ecs-import/input"))
        .collect()
}
