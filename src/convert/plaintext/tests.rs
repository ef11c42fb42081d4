use super::*;
use crate::convert::{containers, probes, run_rules, TaskRule};

fn convert(json: &str, move_to_secret: bool) -> (Workload, Report) {
    let rules: &[TaskRule] = if move_to_secret {
        &[containers::apply, probes::apply, |t, w, r| {
            apply(t, true, w, r)
        }]
    } else {
        &[containers::apply, probes::apply, |t, w, r| {
            apply(t, false, w, r)
        }]
    };
    run_rules(json, rules).unwrap()
}

fn secret_paths(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .filter(|f| f.code == Code::PlaintextSecret)
        .map(|f| {
            assert!(!f.message.contains("hunter2") && !f.action.contains("hunter2"));
            f.pointer.clone()
        })
        .collect()
}

#[test]
fn moved_secrets_leave_no_value_behind() {
    let json = r#"{"containerDefinitions":[{"name":"a","image":"x","environment":[{"name":"DB_PASSWORD","value":"hunter2"},{"name":"MODE","value":"live"}]}]}"#;
    let (w, report) = convert(json, true);
    assert!(!w.containers[0].env.contains_key("DB_PASSWORD"));
    assert_eq!(w.containers[0].secret_env["DB_PASSWORD"], "DB_PASSWORD");
    assert_eq!(
        secret_paths(&report),
        ["/containerDefinitions/0/environment/0/value"]
    );
}

#[test]
fn command_secrets_are_read_from_the_secret_and_the_rest_kept_exactly() {
    let json = r#"{"containerDefinitions":[{"name":"a","image":"x",
        "entryPoint":["sh","-c"],
        "command":["redis-server --requirepass hunter2 --save $$(date)"],
        "environment":[{"name":"REQUIREPASS","value":"taken"}],
        "healthCheck":{"command":["CMD-SHELL","redis-cli -a 'hunter2' ping"]}}]}"#;
    let (w, report) = convert(json, true);
    let c = &w.containers[0];
    assert_eq!(
        c.args,
        ["redis-server --requirepass $(REQUIREPASS_2) --save $$$$(date)"]
    );
    assert_eq!(c.secret_env["REQUIREPASS_2"], "REQUIREPASS_2");
    assert_eq!(c.secret_env["REDISCLI_AUTH"], "REDISCLI_AUTH");
    let Some(ProbeAction::Exec(argv)) = c.probe.as_ref().map(|p| &p.action) else {
        panic!("no exec probe");
    };
    assert_eq!(argv[2], "redis-cli -a \"${REDISCLI_AUTH}\" ping");
    assert_eq!(
        secret_paths(&report),
        [
            "/containerDefinitions/0/command/0",
            "/containerDefinitions/0/healthCheck/command/1"
        ]
    );
}

#[test]
fn kept_secrets_are_reported_in_every_place() {
    let json = r#"{"containerDefinitions":[{"name":"a","image":"x",
        "command":["mysqld","--password=hunter2"],
        "healthCheck":{"command":["CMD","mysqladmin","-phunter2","ping"]}},
        {"name":"b","image":"x","entryPoint":["sh","-c","PGPASSWORD=hunter2 psql -c 'select 1'"]}]}"#;
    let (w, report) = convert(json, false);
    assert_eq!(w.containers[0].args[1], "--password=hunter2");
    assert_eq!(
        secret_paths(&report),
        [
            "/containerDefinitions/0/command/1",
            "/containerDefinitions/0/healthCheck/command/2",
            "/containerDefinitions/1/entryPoint/2",
        ]
    );
    // A CMD health check cannot read the environment: reported as kept even when moving.
    let (_, moved) = convert(json, true);
    let kept = moved
        .findings
        .iter()
        .filter(|f| f.code == Code::PlaintextSecret && f.action.starts_with("kept"))
        .count();
    assert_eq!(kept, 1);
}

#[test]
fn settings_about_secrets_are_not_secrets() {
    let json = r#"{"containerDefinitions":[{"name":"a","image":"x","environment":[
        {"name":"LOG_LEVEL","value":"debug"},{"name":"DB_PASSWORD_FILE","value":"/run/secrets/db"},
        {"name":"PASSWORD_MIN_LENGTH","value":"12"}],
        "command":["server","--port","8080","--password-file","/run/pw"]}]}"#;
    let (_, report) = convert(json, false);
    assert!(secret_paths(&report).is_empty());
}
