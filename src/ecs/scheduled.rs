//! Scheduled ECS tasks: an EventBridge rule (`aws events describe-rule` merged with
//! `list-targets-by-rule`, or `AWS::Events::Rule`, which CDK's ScheduledFargateTask and
//! ScheduledEc2Task synthesize) or an EventBridge Scheduler schedule (`aws scheduler
//! get-schedule`, or `AWS::Scheduler::Schedule`) whose target runs a task definition.
//!
//! These shapes are PascalCase in the API and in CloudFormation alike, so they are read as they
//! are. Each ECS target becomes a service-like runner of its task definition with a schedule.

use serde_json::Value;

use crate::ecs::reader::{NotCarried, Obj, ReadResult};
use crate::ecs::scheduled_run::ScheduledRun;
use crate::ecs::service::{ServiceDefinition, TaskRef};
use crate::json_path::JsonPath;
use crate::report::{Code, Report};

/// Which of the two EventBridge services the input comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Rule,
    Scheduler,
}

/// describe-rule (+ list-targets-by-rule) or get-schedule output, told apart from other JSON.
pub(crate) fn detect(value: &Value) -> Option<Source> {
    let has = |k: &str| value.get(k).is_some();
    if has("ScheduleExpression") && has("Target") {
        Some(Source::Scheduler)
    } else if has("ScheduleExpression") || (has("Targets") && !has("Resources")) {
        Some(Source::Rule)
    } else {
        None
    }
}

const RULE_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "Arn",
        code: Code::ScheduleField,
        why: "the rule's ARN; the CronJob is named after the rule",
    },
    NotCarried {
        key: "Description",
        code: Code::ScheduleField,
        why: "kept in the chart's description of the source only",
    },
    NotCarried {
        key: "EventBusName",
        code: Code::ScheduleField,
        why: "scheduled rules run on the default bus; a CronJob needs no bus",
    },
    NotCarried {
        key: "RoleArn",
        code: Code::ScheduleField,
        why: "the role EventBridge assumed to start the task; a CronJob is started by the cluster",
    },
    NotCarried {
        key: "ManagedBy",
        code: Code::ScheduleField,
        why: "the AWS service that manages the rule",
    },
    NotCarried {
        key: "CreatedBy",
        code: Code::ScheduleField,
        why: "the account that created the rule",
    },
];

const SCHEDULE_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "Arn",
        code: Code::ScheduleField,
        why: "the schedule's ARN; the CronJob is named after the schedule",
    },
    NotCarried {
        key: "GroupName",
        code: Code::ScheduleField,
        why: "schedule groups have no CronJob equivalent; use the release's namespace",
    },
    NotCarried {
        key: "Description",
        code: Code::ScheduleField,
        why: "not carried over",
    },
    NotCarried {
        key: "FlexibleTimeWindow",
        code: Code::ScheduleField,
        why: "a CronJob starts on time; startingDeadlineSeconds bounds how late it may start",
    },
    NotCarried {
        key: "StartDate",
        code: Code::ScheduleField,
        why: "a CronJob has no start date: install it, or set suspend, when it should begin",
    },
    NotCarried {
        key: "EndDate",
        code: Code::ScheduleField,
        why: "a CronJob has no end date: uninstall it, or set suspend, when it should stop",
    },
    NotCarried {
        key: "KmsKeyArn",
        code: Code::ScheduleField,
        why: "the key EventBridge encrypted the target input with",
    },
    NotCarried {
        key: "ActionAfterCompletion",
        code: Code::ScheduleField,
        why: "a CronJob is not deleted after its last run",
    },
    NotCarried {
        key: "CreationDate",
        code: Code::ScheduleField,
        why: "read-only",
    },
    NotCarried {
        key: "LastModificationDate",
        code: Code::ScheduleField,
        why: "read-only",
    },
];

const TARGET_NOT_CARRIED: &[NotCarried] = &[
    NotCarried {
        key: "Arn",
        code: Code::ScheduleField,
        why: "the ECS cluster the task ran in; the CronJob runs in the release's namespace",
    },
    NotCarried {
        key: "RoleArn",
        code: Code::ScheduleField,
        why: "the role EventBridge assumed to run the task; a CronJob needs none",
    },
    NotCarried {
        key: "InputPath",
        code: Code::ScheduleInput,
        why: "event input is not passed to a CronJob",
    },
    NotCarried {
        key: "InputTransformer",
        code: Code::ScheduleInput,
        why: "event input is not passed to a CronJob",
    },
    NotCarried {
        key: "RetryPolicy",
        code: Code::ScheduleField,
        why: "EventBridge retried starting the task; the Job retries the pod (job.backoffLimit)",
    },
    NotCarried {
        key: "DeadLetterConfig",
        code: Code::ScheduleField,
        why: "failed runs show as failed Jobs; alert on them from the cluster's monitoring",
    },
];

const ECS_NOT_CARRIED: &[NotCarried] = &[
    NotCarried { key: "LaunchType", code: Code::ScheduleField, why: "capacity is chosen by node selectors, Karpenter NodePools or Fargate profiles" },
    NotCarried { key: "PlatformVersion", code: Code::ScheduleField, why: "Fargate platform versions have no EKS equivalent" },
    NotCarried { key: "NetworkConfiguration", code: Code::ScheduleField, why: "pods get VPC addresses from the VPC CNI; security groups for pods need a SecurityGroupPolicy" },
    NotCarried { key: "CapacityProviderStrategy", code: Code::CapacityProvider, why: "set nodeSelector and tolerations for spot or Fargate capacity in values" },
    NotCarried { key: "Group", code: Code::ScheduleField, why: "ECS task groups have no Kubernetes equivalent; use labels" },
    NotCarried { key: "PlacementConstraints", code: Code::ScheduleField, why: "set affinity in values" },
    NotCarried { key: "PlacementStrategy", code: Code::PlacementStrategy, why: "set affinity or topologySpreadConstraints in values" },
    NotCarried { key: "PlacementStrategies", code: Code::PlacementStrategy, why: "set affinity or topologySpreadConstraints in values" },
    NotCarried { key: "EnableECSManagedTags", code: Code::ScheduleField, why: "ECS-managed tags have no Kubernetes equivalent; use commonLabels" },
    NotCarried { key: "EnableExecuteCommand", code: Code::ScheduleField, why: "kubectl exec needs RBAC on pods/exec instead" },
    NotCarried { key: "PropagateTags", code: Code::ScheduleField, why: "tags are not propagated; set podLabels or podAnnotations" },
    NotCarried { key: "Tags", code: Code::ScheduleField, why: "set podLabels or podAnnotations" },
    NotCarried { key: "TagList", code: Code::ScheduleField, why: "set podLabels or podAnnotations" },
    NotCarried { key: "ReferenceId", code: Code::ScheduleField, why: "the reference ID ECS recorded for each run" },
];

/// The schedulers in one rule or schedule: one per target that runs an ECS task. A rule that
/// reacts to events instead of a schedule gives none, with a finding saying so.
pub(crate) fn read(
    value: &Value,
    path: JsonPath,
    source: Source,
    report: &mut Report,
) -> ReadResult<Vec<ServiceDefinition>> {
    let mut o = Obj::new(value, path.clone())?;
    let name = o.string("Name", report)?;
    let expression_path = path.key("ScheduleExpression");
    let expression = o.string("ScheduleExpression", report)?;
    let time_zone = match source {
        Source::Scheduler => o.string("ScheduleExpressionTimezone", report)?,
        Source::Rule => None,
    };
    let enabled = o
        .string("State", report)?
        .is_none_or(|s| !s.eq_ignore_ascii_case("DISABLED"));
    if o.has("EventPattern") && expression.is_none() {
        let _ = o.raw("EventPattern", report);
        report.warn(
            Code::ScheduleEvent,
            &path.key("EventPattern"),
            "the rule runs its task on events, not on a schedule",
            "not converted to a CronJob: start a Job from the event source (e.g. Argo Events or KEDA ScaledJob)",
        );
    }
    let targets: Vec<(&Value, JsonPath)> = match source {
        Source::Rule => o.array("Targets", report)?,
        Source::Scheduler => o.raw("Target", report).into_iter().collect(),
    };
    let mut runners = Vec::new();
    if let Some(expression) = expression {
        let ecs_targets = targets
            .iter()
            .filter(|(t, _)| t.get("EcsParameters").is_some())
            .count();
        for (target, target_path) in targets {
            let Some(mut runner) = read_target(target, target_path, report)? else {
                continue;
            };
            runner.name = match (&name, ecs_targets) {
                (Some(n), 1) => Some(n.clone()),
                (Some(n), _) => Some(format!("{n}-{}", runners.len() + 1)),
                (None, _) => None,
            };
            if let Some(run) = &mut runner.schedule {
                run.path = expression_path.clone();
                run.expression = expression.clone();
                run.enabled = enabled;
                run.time_zone = time_zone.clone().unwrap_or_else(|| "Etc/UTC".into());
            }
            runners.push(runner);
        }
    }
    let not_carried = match source {
        Source::Rule => RULE_NOT_CARRIED,
        Source::Scheduler => SCHEDULE_NOT_CARRIED,
    };
    o.finish(not_carried, report);
    Ok(runners)
}

/// A target that runs an ECS task; other targets (Lambda, SQS…) are noted and left.
fn read_target(
    target: &Value,
    path: JsonPath,
    report: &mut Report,
) -> ReadResult<Option<ServiceDefinition>> {
    let mut t = Obj::new(target, path.clone())?;
    let id = t.string("Id", report)?;
    let Some(mut ecs) = t.object("EcsParameters", report)? else {
        // The target is not converted, whatever its ARN is (in a template, often a GetAtt).
        let _ = t.raw("Arn", report);
        report.add(
            Code::ScheduleEvent,
            &path,
            format!(
                "target {} does not run an ECS task",
                id.as_deref().unwrap_or("(unnamed)")
            ),
            "not converted",
        );
        t.finish(TARGET_NOT_CARRIED, report);
        return Ok(None);
    };
    let task = ecs
        .raw("TaskDefinitionArn", report)
        .and_then(|(v, _)| TaskRef::from_value(v));
    let task_count = ecs.int("TaskCount", 1, 10, report)?;
    if let Some((input, input_path)) = t.raw("Input", report) {
        overrides(input, &input_path, report);
    }
    ecs.finish(ECS_NOT_CARRIED, report);
    t.finish(TARGET_NOT_CARRIED, report);
    Ok(Some(ServiceDefinition {
        path,
        task,
        schedule: Some(ScheduledRun {
            path: JsonPath::root(),
            expression: String::new(),
            time_zone: String::new(),
            enabled: true,
            task_count,
        }),
        ..ServiceDefinition::default()
    }))
}

/// CDK writes `Input: "{}"`, which overrides nothing; real container overrides change what the
/// scheduled run executes and are named.
fn overrides(input: &Value, path: &JsonPath, report: &mut Report) {
    let parsed = match input {
        Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
        other => other.clone(),
    };
    let empty = parsed.as_object().is_some_and(|o| {
        o.values().all(|v| match v {
            Value::Array(a) => a.is_empty(),
            Value::Object(m) => m.is_empty(),
            _ => false,
        })
    });
    if !empty {
        report.warn(
            Code::ScheduleInput,
            path,
            "the scheduled run passes input (container overrides) to the task",
            "not applied: the CronJob runs the task definition as it is; set the command or env in values",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn runners(value: Value) -> (Vec<ServiceDefinition>, Report) {
        let mut report = Report::default();
        let source = detect(&value).expect("a schedule");
        let out = read(&value, JsonPath::root(), source, &mut report).unwrap();
        (out, report)
    }

    #[test]
    fn a_rule_with_an_ecs_target_names_its_task_and_schedule() {
        let (out, report) = runners(json!({
            "Name": "nightly-report", "ScheduleExpression": "cron(0 2 ? * MON-FRI *)",
            "State": "DISABLED", "Arn": "arn:aws:events:eu-west-1:1:rule/nightly-report",
            "Targets": [
                {"Id": "ecs", "Arn": "arn:aws:ecs:eu-west-1:1:cluster/c", "RoleArn": "arn:role",
                 "EcsParameters": {"TaskDefinitionArn": "arn:aws:ecs:eu-west-1:1:task-definition/report:7",
                                   "TaskCount": 2, "LaunchType": "FARGATE"}},
                {"Id": "fn", "Arn": "arn:aws:lambda:eu-west-1:1:function:f"}
            ]
        }));
        assert_eq!(out.len(), 1);
        let run = out[0].schedule.as_ref().unwrap();
        assert_eq!(out[0].name.as_deref(), Some("nightly-report"));
        assert_eq!(
            out[0].task,
            Some(TaskRef::Family {
                family: "report".into(),
                revision: Some(7)
            })
        );
        assert_eq!(
            (
                run.expression.as_str(),
                run.time_zone.as_str(),
                run.enabled,
                run.task_count
            ),
            ("cron(0 2 ? * MON-FRI *)", "Etc/UTC", false, Some(2))
        );
        let pointers: Vec<String> = report.findings.iter().map(|f| f.pointer.clone()).collect();
        for p in [
            "/Arn",
            "/Targets/0/Arn",
            "/Targets/0/RoleArn",
            "/Targets/0/EcsParameters/LaunchType",
            "/Targets/1",
        ] {
            assert!(pointers.contains(&p.to_string()), "{p} in {pointers:?}");
        }
    }

    #[test]
    fn a_scheduler_schedule_keeps_its_time_zone() {
        let (out, _) = runners(json!({
            "Name": "billing", "ScheduleExpression": "cron(30 6 * * ? *)",
            "ScheduleExpressionTimezone": "Europe/Paris", "State": "ENABLED",
            "FlexibleTimeWindow": {"Mode": "OFF"},
            "Target": {"Arn": "arn:aws:ecs:eu-west-1:1:cluster/c",
                       "EcsParameters": {"TaskDefinitionArn": {"Ref": "BillingTask"}}}
        }));
        let run = out[0].schedule.as_ref().unwrap();
        assert_eq!(run.time_zone, "Europe/Paris");
        assert!(run.enabled);
        assert_eq!(out[0].task, Some(TaskRef::Resource("BillingTask".into())));
    }

    #[test]
    fn an_event_rule_is_not_a_schedule_and_says_so() {
        let (out, report) = runners(json!({
            "Name": "on-upload", "EventPattern": {"source": ["aws.s3"]},
            "Targets": [{"Id": "t", "Arn": "arn:c", "EcsParameters": {"TaskDefinitionArn": "x:1"}}]
        }));
        assert!(out.is_empty());
        assert!(report
            .findings
            .iter()
            .any(|f| f.code == Code::ScheduleEvent));
    }
}
