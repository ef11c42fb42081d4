//! Hostile inputs, second round (#29): a var file that never ends, a `--var` whose value would
//! add keys where its placeholder stands unquoted, a malformed EFS ID, a value too big for
//! Helm. Each is one clear line naming the file and the field, exit status 1, nothing written,
//! in bounded time.

use std::fs;
use std::time::{Duration, Instant};

use crate::conversion::Conversion;

#[test]
fn a_var_file_that_never_ends_is_refused_at_the_input_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let started = Instant::now();
    let run = Conversion::of(crate::common::root().join("examples/redis.json"))
        .args(["--var-file", "/dev/zero"])
        .run(&out);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim(),
        "Error: /dev/zero: is larger than 10 MiB; not read"
    );
    assert!(!out.exists(), "nothing written");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_var_that_would_add_keys_to_a_yaml_input_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("web.yaml");
    fs::write(
        &input,
        "family: web\ncontainerDefinitions:\n  - name: web\n    image: nginx\n    memory: ${MEM}\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = Conversion::of(&input)
        .args(["--var", "MEM=256\n    privileged: true"])
        .run(&out);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.trim().starts_with(&format!(
            "Error: {}: the value given for MEM would change",
            input.display()
        )),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(!out.exists(), "nothing written");
    // A plain value still converts.
    let ok = Conversion::of(&input).args(["--var", "MEM=256"]).run(&out);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let values = fs::read_to_string(out.join("web/values.yaml")).unwrap();
    assert!(!values.contains("privileged: true"), "{values}");
}

/// A malformed EFS file system ID is refused with its path, instead of converting into a
/// chart that refuses its own values; a placeholder in its place still converts.
#[test]
fn a_malformed_efs_id_is_refused_and_a_placeholder_converts() {
    let tmp = tempfile::tempdir().unwrap();
    let task = |id: &str| {
        format!(
            r#"{{"family":"wiki","containerDefinitions":[{{"name":"a","image":"nginx","memory":256,"mountPoints":[{{"sourceVolume":"e","containerPath":"/d"}}]}}],"volumes":[{{"name":"e","efsVolumeConfiguration":{{"fileSystemId":"{id}"}}}}]}}"#
        )
    };
    let input = tmp.path().join("wiki.json");
    let out = tmp.path().join("out");
    fs::write(&input, task("not-an-fs")).unwrap();
    let run = Conversion::of(&input).run(&out);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains(
            "volumes[0].efsVolumeConfiguration.fileSystemId: expected an EFS file system ID"
        ),
        "{err}"
    );
    // Nothing written (the output folder, made before the unit was mapped, stays empty).
    assert!(!out.exists() || fs::read_dir(&out).unwrap().next().is_none());
    for id in ["fs-0123abcd", "${WikiFs}"] {
        fs::write(&input, task(id)).unwrap();
        let ok = Conversion::of(&input).run(&out);
        assert!(
            ok.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
}

/// An environment value under the 10 MiB input limit but over the 5 MiB Helm loads per chart
/// file is refused at conversion, naming the value, instead of a chart Helm refuses.
#[test]
fn a_value_too_big_for_helm_is_refused_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("big.json");
    let task = serde_json::json!({
        "family": "big",
        "containerDefinitions": [{"name": "a", "image": "nginx", "memory": 256,
            "environment": [{"name": "BIG", "value": "x".repeat(6 << 20)}]}]
    });
    fs::write(&input, serde_json::to_vec(&task).unwrap()).unwrap();
    let out = tmp.path().join("out");
    let run = Conversion::of(&input).run(&out);
    let err = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{err}");
    assert!(
        err.contains("containers.a.env.BIG: makes values.yaml larger than the 5 MiB Helm loads"),
        "{err}"
    );
    assert!(!out.exists() || fs::read_dir(&out).unwrap().next().is_none());
}

/// A number where ECS takes a string is read as the string it spells: `1.10` stays `1.10`,
/// 23 digits keep every digit, in JSON and YAML. One normalisation remains (serde_json's):
/// an exponent gets its sign, `1e3` is `1e+3`, the same number in the same notation.
#[test]
fn numbers_written_where_strings_go_keep_their_spelling() {
    let tmp = tempfile::tempdir().unwrap();
    let spellings = ["1.10", "1e3", "12345678901234567890123", "-0.50"];
    let env_json: Vec<String> = spellings
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{{\"name\":\"N{i}\",\"value\":{n}}}"))
        .collect();
    let json = format!(
        "{{\"family\":\"nums\",\"containerDefinitions\":[{{\"name\":\"a\",\"image\":\"busybox\",\"memory\":64,\"environment\":[{}]}}]}}",
        env_json.join(",")
    );
    let env_yaml: String = spellings
        .iter()
        .enumerate()
        .map(|(i, n)| format!("      - name: N{i}\n        value: {n}\n"))
        .collect();
    let yaml = format!("family: nums\ncontainerDefinitions:\n  - name: a\n    image: busybox\n    memory: 64\n    environment:\n{env_yaml}");
    for (name, text) in [("nums.json", json), ("nums.yaml", yaml)] {
        let input = tmp.path().join(name);
        fs::write(&input, text).unwrap();
        let out = tmp.path().join(format!("out-{name}"));
        let run = Conversion::of(&input).run(&out);
        let err = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{err}");
        let values = fs::read_to_string(out.join("nums/values.yaml")).unwrap();
        for (i, n) in spellings.iter().enumerate() {
            let n = n.replace("e3", "e+3");
            assert!(
                values.contains(&format!("N{i}: \"{n}\"")),
                "{name}: N{i} {n}\n{values}"
            );
        }
    }
}
