//! Templates evaluated as CloudFormation evaluates them: conditions, `Fn::If` in every position,
//! `AWS::NoValue`, resource conditions, mappings, lists, and physical names never invented.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::read_template_with;
use crate::report::Code;

fn template() -> Value {
    json!({
        "Parameters": {
            "Env": {"Type": "String", "Default": "prod"},
            "Flavour": {"Type": "String"},
            "Zones": {"Type": "String", "Default": "eu-west-1a,eu-west-1b"}
        },
        "Mappings": {"Sizes": {"prod": {"Memory": 2048, "Cpu": "1024"}, "dev": {"Memory": 512, "Cpu": "256"}}},
        "Conditions": {
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Spicy": {"Fn::Equals": [{"Ref": "Flavour"}, "spicy"]}
        },
        "Resources": {
            "GeneratedRole": {"Type": "AWS::IAM::Role", "Properties": {}},
            "NamedRole": {"Type": "AWS::IAM::Role", "Properties": {"RoleName": "web-exec"}},
            "Web": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "web",
                "TaskRoleArn": {"Fn::GetAtt": ["GeneratedRole", "Arn"]},
                "ExecutionRoleArn": {"Fn::GetAtt": ["NamedRole", "Arn"]},
                "Memory": {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Memory"]},
                "Cpu": {"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Cpu"]},
                "ContainerDefinitions": [{
                    "Name": "web",
                    "Image": "nginx:1.27",
                    "Environment": [
                        {"Name": "MODE", "Value": {"Fn::If": ["IsProd", "live", "test"]}},
                        {"Fn::If": ["IsDev", {"Name": "DEBUG", "Value": "1"}, {"Ref": "AWS::NoValue"}]},
                        {"Name": "ZONE", "Value": {"Fn::Select": [1, {"Fn::Split": [",", {"Ref": "Zones"}]}]}},
                        {"Name": "SEED", "Value": {"Fn::Base64": "hi"}},
                        {"Name": "HEAT", "Value": {"Fn::If": ["Spicy", "hot", "mild"]}}
                    ],
                    "User": {"Fn::If": ["IsProd", {"Ref": "AWS::NoValue"}, "0"]},
                    "PortMappings": {"Fn::If": ["IsProd", [{"ContainerPort": 80}], [{"ContainerPort": 8080}]]}
                }]
            }},
            "DevOnly": {"Type": "AWS::ECS::TaskDefinition", "Condition": "IsDev", "Properties": {
                "Family": "dev-only", "ContainerDefinitions": [{"Name": "x", "Image": "x"}]
            }},
            "MaybeSpicy": {"Type": "AWS::ECS::TaskDefinition", "Condition": "Spicy", "Properties": {
                "Family": "maybe", "ContainerDefinitions": [{"Name": "x", "Image": "x"}]
            }}
        }
    })
}

fn read(vars: &[(&str, &str)]) -> super::Template {
    let vars: BTreeMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    read_template_with(&template(), &vars).unwrap()
}

#[test]
fn conditions_pick_branches_everywhere_and_no_value_removes() {
    let t = read(&[]);
    let web = &t
        .tasks
        .iter()
        .find(|t| t.logical_id == "Web")
        .unwrap()
        .value;
    let c = &web["ContainerDefinitions"][0];
    let env = c["Environment"].as_array().unwrap();
    assert_eq!(env[0], json!({"Name": "MODE", "Value": "live"}));
    // The DEBUG item is AWS::NoValue in prod: the list has one item less.
    assert!(env.iter().all(|e| e["Name"] != "DEBUG"), "{env:?}");
    assert_eq!(env[1], json!({"Name": "ZONE", "Value": "eu-west-1b"}));
    assert_eq!(env[2], json!({"Name": "SEED", "Value": "aGk="}));
    assert!(c.get("User").is_none(), "AWS::NoValue removes the key");
    assert_eq!(c["PortMappings"], json!([{"ContainerPort": 80}]));
    assert_eq!(web["Memory"], json!(2048));
    assert_eq!(web["Cpu"], json!("1024"));

    let dev = read(&[("Env", "dev")]);
    let web = &dev
        .tasks
        .iter()
        .find(|t| t.logical_id == "Web")
        .unwrap()
        .value;
    let c = &web["ContainerDefinitions"][0];
    assert_eq!(c["Environment"][1], json!({"Name": "DEBUG", "Value": "1"}));
    assert_eq!(c["User"], "0");
    assert_eq!(c["PortMappings"], json!([{"ContainerPort": 8080}]));
    assert_eq!(web["Memory"], json!(512));
}

#[test]
fn a_resource_whose_condition_is_false_does_not_exist() {
    let prod = read(&[]);
    let ids: Vec<&str> = prod.tasks.iter().map(|t| t.logical_id.as_str()).collect();
    assert!(!ids.contains(&"DevOnly"), "{ids:?}");
    assert_eq!(
        prod.skipped,
        [super::Skipped::ConditionFalse {
            id: "DevOnly".into(),
            condition: "IsDev".into()
        }]
    );
    let dev = read(&[("Env", "dev")]);
    assert!(dev.tasks.iter().any(|t| t.logical_id == "DevOnly"));
    assert!(dev.skipped.is_empty());
}

#[test]
fn an_undecidable_condition_is_a_placeholder_or_a_warning_never_a_guess() {
    let t = read(&[]);
    let web = t.tasks.iter().find(|t| t.logical_id == "Web").unwrap();
    let heat = &web.value["ContainerDefinitions"][0]["Environment"][3]["Value"];
    assert_eq!(heat, "${Fn::If:Spicy}");
    assert!(web
        .unresolved
        .iter()
        .any(|u| u.placeholder == "${Fn::If:Spicy}"));
    let maybe = t
        .tasks
        .iter()
        .find(|t| t.logical_id == "MaybeSpicy")
        .unwrap();
    assert!(maybe
        .report
        .findings
        .iter()
        .any(|f| f.code == Code::CfnCondition && f.message.contains("Spicy")));
    // Given the parameter, the condition decides.
    let spicy = read(&[("Flavour", "spicy")]);
    let web = spicy.tasks.iter().find(|t| t.logical_id == "Web").unwrap();
    assert_eq!(
        web.value["ContainerDefinitions"][0]["Environment"][3]["Value"],
        "hot"
    );
}

#[test]
fn a_generated_role_name_is_never_invented() {
    let t = read(&[]);
    let web = &t.tasks.iter().find(|t| t.logical_id == "Web").unwrap();
    // CloudFormation names this role <stack>-GeneratedRole-<random>: only the stack knows.
    assert_eq!(web.value["TaskRoleArn"], "${GeneratedRole.Arn}");
    assert!(web
        .unresolved
        .iter()
        .any(|u| u.placeholder == "${GeneratedRole.Arn}"));
    // A RoleName is the role's name; the account stays a placeholder until given.
    assert_eq!(
        web.value["ExecutionRoleArn"],
        "arn:aws:iam::${AWS::AccountId}:role/web-exec"
    );
    let given = read(&[(
        "GeneratedRole.Arn",
        "arn:aws:iam::1:role/stack-GeneratedRole-X1",
    )]);
    let web = &given.tasks.iter().find(|t| t.logical_id == "Web").unwrap();
    assert_eq!(
        web.value["TaskRoleArn"], "arn:aws:iam::1:role/stack-GeneratedRole-X1",
        "--var fills exactly the placeholder the warning names"
    );
    let known = read(&[("AWS::AccountId", "123456789012")]);
    let web = &known.tasks.iter().find(|t| t.logical_id == "Web").unwrap();
    assert_eq!(
        web.value["ExecutionRoleArn"],
        "arn:aws:iam::123456789012:role/web-exec"
    );
}

fn secrets_and_scaling_template() -> Value {
    json!({
        "Parameters": {
            "MinTasks": {"Type": "Number", "Default": 2},
            "MaxTasks": {"Type": "Number", "Default": 4},
            "ServiceName": {"Type": "String", "Default": "api"}
        },
        "Resources": {
            "DbSecret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            "Api": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "api",
                "ContainerDefinitions": [{
                    "Name": "api", "Image": "api:1",
                    "Secrets": [
                        {"Name": "DB_PASSWORD", "ValueFrom": {"Fn::Join": ["", [{"Ref": "DbSecret"}, ":password::"]]}},
                        {"Name": "DB_ALL", "ValueFrom": {"Ref": "DbSecret"}}
                    ]
                }]
            }},
            "ApiService": {"Type": "AWS::ECS::Service", "Properties": {
                "ServiceName": {"Ref": "ServiceName"},
                "TaskDefinition": {"Ref": "Api"}
            }},
            "Target": {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": {
                "MinCapacity": {"Ref": "MinTasks"},
                "MaxCapacity": {"Ref": "MaxTasks"},
                "ResourceId": {"Fn::Join": ["/", ["service", "shop", {"Ref": "ServiceName"}]]},
                "ScalableDimension": "ecs:service:DesiredCount",
                "ServiceNamespace": "ecs"
            }},
            "Steps": {"Type": "AWS::ApplicationAutoScaling::ScalingPolicy", "Properties": {
                "PolicyType": "StepScaling",
                "ScalingTargetId": {"Ref": "Target"}
            }}
        }
    })
}

#[test]
fn a_secret_reference_keeps_its_store_and_json_key() {
    let t = read_template_with(&secrets_and_scaling_template(), &BTreeMap::new()).unwrap();
    let secrets = &t.tasks[0].value["ContainerDefinitions"][0]["Secrets"];
    let arn = "arn:aws:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecret}";
    assert_eq!(secrets[0]["ValueFrom"], format!("{arn}:password::"));
    assert_eq!(secrets[1]["ValueFrom"], arn);
    match crate::ecs::secret_source::parse_value_from(&format!("{arn}:password::")) {
        Some(crate::ecs::secret_source::SecretSource::SecretsManager { json_key, .. }) => {
            assert_eq!(json_key.as_deref(), Some("password"))
        }
        other => panic!("a Secrets Manager source, got {other:?}"),
    }
}

#[test]
fn scaling_bounds_come_from_parameters_and_a_target_found_by_service_name() {
    let t = read_template_with(&secrets_and_scaling_template(), &BTreeMap::new()).unwrap();
    let service = &t.services[0];
    let scaling = service
        .service
        .scaling
        .as_ref()
        .expect("the target names the service");
    assert_eq!((scaling.min, scaling.max), (2, 4));
    assert!(scaling.cpu_percent.is_none() && scaling.memory_percent.is_none());
    assert!(service
        .report
        .findings
        .iter()
        .any(|f| f.code == Code::StepScaling));
}

#[test]
fn a_listener_whose_condition_is_false_is_no_route() {
    let template = json!({
        "Parameters": {"Certificate": {"Type": "String", "Default": ""}},
        "Conditions": {"HasCertificate": {"Fn::Not": [{"Fn::Equals": [{"Ref": "Certificate"}, ""]}]}},
        "Resources": {
            "Web": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "web",
                "ContainerDefinitions": [{"Name": "web", "Image": "web:1", "PortMappings": [{"ContainerPort": 8080}]}]}},
            "Lb": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": {}},
            "Tg": {"Type": "AWS::ElasticLoadBalancingV2::TargetGroup", "Properties": {"Protocol": "HTTP", "Port": 8080}},
            "Http": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"}, "Port": 80, "Protocol": "HTTP",
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
            "Https": {"Type": "AWS::ElasticLoadBalancingV2::Listener", "Condition": "HasCertificate", "Properties": {
                "LoadBalancerArn": {"Ref": "Lb"}, "Port": 443, "Protocol": "HTTPS",
                "Certificates": [{"CertificateArn": {"Ref": "Certificate"}}],
                "DefaultActions": [{"Type": "forward", "TargetGroupArn": {"Ref": "Tg"}}]}},
            "Svc": {"Type": "AWS::ECS::Service", "Properties": {
                "TaskDefinition": {"Ref": "Web"},
                "LoadBalancers": [{"ContainerName": "web", "ContainerPort": 8080, "TargetGroupArn": {"Ref": "Tg"}}]}}
        }
    });
    let ports = |vars: &[(&str, &str)]| -> Vec<i64> {
        let vars = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let t = read_template_with(&template, &vars).unwrap();
        let routing = t.services[0].service.load_balancers[0]
            .routing
            .clone()
            .unwrap();
        routing.listeners.iter().filter_map(|l| l.port).collect()
    };
    assert_eq!(ports(&[]), [80], "no certificate: no HTTPS listener");
    assert_eq!(
        ports(&[("Certificate", "arn:aws:acm:eu-west-1:1:certificate/x")]),
        [80, 443]
    );
}

#[test]
fn a_list_parameter_is_a_list() {
    let template = json!({
        "Parameters": {"Args": {"Type": "CommaDelimitedList", "Default": "serve, --port,8080"}},
        "Resources": {"Web": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
            "Family": "web",
            "ContainerDefinitions": [{"Name": "web", "Image": "web:1", "Command": {"Ref": "Args"},
                "Environment": [{"Name": "ARGS", "Value": {"Fn::Join": [" ", {"Ref": "Args"}]}}]}]}}}
    });
    let t = read_template_with(&template, &BTreeMap::new()).unwrap();
    assert_eq!(
        t.tasks[0].value["ContainerDefinitions"][0]["Command"],
        json!(["serve", "--port", "8080"])
    );
    assert_eq!(
        t.tasks[0].value["ContainerDefinitions"][0]["Environment"][0]["Value"],
        "serve --port 8080"
    );
}

#[test]
fn a_ref_to_a_named_resource_is_its_name_and_names_that_loop_stay_unknown() {
    let template = json!({
        "Resources": {
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Sub": "/estate/${AWS::Region}"}}},
            "Unnamed": {"Type": "AWS::Logs::LogGroup", "Properties": {}},
            "A": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": {"Fn::Sub": "${B}-a"}}},
            "B": {"Type": "AWS::ECS::Cluster", "Properties": {"ClusterName": {"Ref": "A"}}},
            "Web": {"Type": "AWS::ECS::TaskDefinition", "Properties": {
                "Family": "web",
                "ContainerDefinitions": [{"Name": "web", "Image": "web:1", "Environment": [
                    {"Name": "LOGS", "Value": {"Ref": "Logs"}},
                    {"Name": "OTHER", "Value": {"Ref": "Unnamed"}},
                    {"Name": "LOOP", "Value": {"Ref": "A"}}]}]}}}
    });
    let vars: BTreeMap<String, String> =
        [("AWS::Region".to_string(), "eu-west-1".to_string())].into();
    let t = read_template_with(&template, &vars).unwrap();
    let env = &t.tasks[0].value["ContainerDefinitions"][0]["Environment"];
    assert_eq!(env[0]["Value"], "/estate/eu-west-1");
    assert_eq!(
        env[1]["Value"], "${Unnamed}",
        "a generated name is never invented"
    );
    assert_eq!(env[2]["Value"], "${A}");
}

fn capacity_template(group: Value) -> Value {
    json!({
        "Resources": {
            "Lt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {"InstanceType": "c6i.large"}}},
            "SpotLt": {"Type": "AWS::EC2::LaunchTemplate", "Properties": {"LaunchTemplateData": {
                "InstanceType": "c6i.xlarge", "InstanceMarketOptions": {"MarketType": "spot"}}}},
            "Group": {"Type": "AWS::AutoScaling::AutoScalingGroup", "Properties": group},
            "Cp": {"Type": "AWS::ECS::CapacityProvider", "Properties": {
                "Name": "tier-one", "AutoScalingGroupProvider": {"AutoScalingGroupArn": {"Ref": "Group"}}}},
            "Web": {"Type": "AWS::ECS::TaskDefinition", "Properties": {"Family": "web",
                "ContainerDefinitions": [{"Name": "web", "Image": "web:1"}]}},
            "Svc": {"Type": "AWS::ECS::Service", "Properties": {"TaskDefinition": {"Ref": "Web"},
                "CapacityProviderStrategy": [{"CapacityProvider": {"Ref": "Cp"}, "Weight": 1},
                                             {"CapacityProvider": "FARGATE_SPOT", "Weight": 1},
                                             {"CapacityProvider": "imported-provider", "Weight": 1}]}}
        }
    })
}

#[test]
fn spot_comes_from_the_group_behind_a_provider_never_from_a_name() {
    let spot_share = |group: Value| {
        let t = read_template_with(&capacity_template(group), &BTreeMap::new()).unwrap();
        t.services[0].service.extras.capacity.clone()
    };
    let mixed = spot_share(json!({"MixedInstancesPolicy": {
        "InstancesDistribution": {"OnDemandBaseCapacity": 1, "OnDemandPercentageAboveBaseCapacity": 20},
        "LaunchTemplate": {"LaunchTemplateSpecification": {"LaunchTemplateId": {"Ref": "Lt"}},
                           "Overrides": [{"InstanceType": "m6i.large"}, {"InstanceType": "m5.large"}]}}}));
    assert_eq!(mixed[0].provider, "tier-one");
    let market = mixed[0].market.as_ref().unwrap();
    assert_eq!((market.spot_percent, market.on_demand_base), (80, 1));
    assert_eq!(market.instance_types, ["m6i.large", "m5.large"]);
    assert_eq!(
        mixed[1].market.as_ref().unwrap().spot_percent,
        100,
        "FARGATE_SPOT"
    );
    assert!(
        mixed[2].market.is_none(),
        "a provider the template does not describe"
    );

    let all_spot = spot_share(json!({"LaunchTemplate": {"LaunchTemplateId": {"Ref": "SpotLt"}}}));
    let market = all_spot[0].market.as_ref().unwrap();
    assert_eq!(market.spot_percent, 100);
    assert_eq!(market.instance_types, ["c6i.xlarge"]);
    let on_demand = spot_share(json!({"LaunchTemplate": {"LaunchTemplateId": {"Ref": "Lt"}}}));
    assert_eq!(on_demand[0].market.as_ref().unwrap().spot_percent, 0);
    let default_mix = spot_share(json!({"MixedInstancesPolicy": {"LaunchTemplate": {
        "LaunchTemplateSpecification": {"LaunchTemplateId": {"Ref": "SpotLt"}}}}}));
    assert_eq!(
        default_mix[0].market.as_ref().unwrap().spot_percent,
        0,
        "OnDemandPercentageAboveBaseCapacity defaults to 100"
    );
}
