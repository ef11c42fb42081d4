//! Unit tests of the field reader.
use super::*;
use serde_json::json;

#[test]
fn sloppy_values_are_read_with_a_finding() {
    let doc = json!({"cpu": "3000", "name": "", "x": null, "memory": 512});
    let mut report = Report::default();
    let mut obj = Obj::new(&doc, JsonPath::root()).unwrap();
    assert_eq!(obj.int("cpu", 0, 10_000, &mut report).unwrap(), Some(3000));
    assert_eq!(obj.string("name", &mut report).unwrap(), None);
    assert_eq!(obj.string("x", &mut report).unwrap(), None);
    assert_eq!(
        obj.int("memory", 0, 10_000, &mut report).unwrap(),
        Some(512)
    );
    obj.finish(&[], &mut report);
    let codes: Vec<_> = report.findings.iter().map(|f| f.code).collect();
    assert_eq!(codes, [Code::Type, Code::Empty, Code::Null]);
}

#[test]
fn out_of_range_names_path_and_range() {
    let doc = json!({"port": -1});
    let mut report = Report::default();
    let mut obj = Obj::new(&doc, JsonPath::root().key("pm")).unwrap();
    let err = obj.int("port", 0, 65535, &mut report).unwrap_err();
    assert_eq!(err.path.dotted(), "pm.port");
    assert_eq!(err.message, "expected an integer 0-65535, got -1");
}

#[test]
fn unread_keys_are_reported_with_their_value() {
    let doc = json!({"containerName": "web", "ulimits": [1]});
    let mut report = Report::default();
    let obj = Obj::new(&doc, JsonPath::root()).unwrap();
    obj.finish(
        &[NotCarried {
            key: "ulimits",
            code: Code::Ulimit,
            why: "no rlimits in Kubernetes",
        }],
        &mut report,
    );
    assert_eq!(report.findings.len(), 2);
    let unknown = report
        .findings
        .iter()
        .find(|f| f.code == Code::UnknownKey)
        .unwrap();
    assert_eq!(unknown.value, Some(json!("web")));
    assert_eq!(unknown.pointer, "/containerName");
}

#[test]
fn an_empty_object_where_ecs_takes_one_value_is_reported() {
    let td = crate::ecs::parse_bytes(
        br#"{"family":"t","containerDefinitions":[{"name":"a","image":"nginx","linuxParameters":{"initProcessEnabled":{},"devices":[]}}]}"#,
        "t.json",
        &Default::default(),
    )
    .unwrap();
    let read = crate::ecs::from_value_at(&td.value, crate::json_path::JsonPath::root());
    let report = format!("{read:?}");
    assert!(
        report.contains("`initProcessEnabled` is {} where ECS takes one value"),
        "{report}"
    );
    assert!(
        !report.contains("`devices`"),
        "an empty list of devices is filler: {report}"
    );
}
