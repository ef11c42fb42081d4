//! The checkout installed as a Helm plugin into real Helm 3.17.3 and Helm 4.1.4: the install
//! hook builds the binary with cargo, and `helm ecs-import` converts a task definition.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::common::{helm, ok, root, tools};

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn checkout_installs_as_a_plugin_on_helm_3_and_4() {
    let Some(tools) = tools() else { return };
    let work = tempfile::tempdir().unwrap();
    // A copy of the checkout, so the hook's build neither touches nor waits on this one.
    let checkout = work.path().join("helm-ecs-import");
    fs::create_dir_all(&checkout).unwrap();
    for item in ["Cargo.toml", "Cargo.lock", "plugin.yaml"] {
        fs::copy(root().join(item), checkout.join(item)).unwrap();
    }
    for dir in ["src", "chart-templates", "scripts"] {
        copy_tree(&root().join(dir), &checkout.join(dir));
    }
    let redis = root().join("examples/redis.json");
    for (label, bin) in &tools.helms {
        let home = work.path().join(format!("home-{label}"));
        // Helm 4 installs a local directory without --verify=false.
        let args = vec!["plugin", "install", checkout.to_str().unwrap()];
        let install = Command::new(bin)
            .args(&args)
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"))
            .env("HELM_PLUGINS", home.join("data/plugins"))
            .env_remove("HELM_ECS_IMPORT_BINARY")
            .output()
            .unwrap();
        ok(&install, &format!("{label} plugin install"));
        assert!(
            checkout.join("bin/helm-ecs-import").exists(),
            "the hook built the binary"
        );

        let list = ok(&helm(bin, &home, &["plugin", "list"]), "plugin list");
        assert!(list.contains("ecs-import"), "{list}");
        let help = ok(
            &helm(bin, &home, &["ecs-import", "--help"]),
            "ecs-import --help",
        );
        assert!(
            help.contains("Usage: helm ecs-import [OPTIONS] [FILE]..."),
            "{help}"
        );

        let out = work.path().join(format!("out-{label}"));
        let run = helm(
            bin,
            &home,
            &[
                "ecs-import",
                redis.to_str().unwrap(),
                "--output",
                out.to_str().unwrap(),
            ],
        );
        ok(&run, &format!("{label} ecs-import"));
        let lint = helm(
            bin,
            &home,
            &["lint", "--strict", out.join("redis").to_str().unwrap()],
        );
        ok(&lint, "lint of the plugin's chart");

        // Helm passes the plugin's exit status on.
        let bad = helm(
            bin,
            &home,
            &[
                "ecs-import",
                "/nonexistent.json",
                "--output",
                out.to_str().unwrap(),
            ],
        );
        assert_eq!(bad.status.code(), Some(1));
        assert!(
            String::from_utf8_lossy(&bad.stderr).contains("Error: /nonexistent.json: cannot read")
        );
    }
}
